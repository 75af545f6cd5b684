variable "function_name" {
  description = "Name of the consuming function."
  type        = string
}

variable "function_role_name" {
  description = "Name of the consuming function's execution role; gets the receive permissions."
  type        = string
}

variable "queue_arn" {
  description = "ARN of the source queue."
  type        = string
}

variable "queue_fifo" {
  description = "The source queue is FIFO (no batching window then)."
  type        = bool
  default     = false
}

variable "batch_size" {
  type    = number
  default = 10
}

variable "maximum_batching_window_seconds" {
  type    = number
  default = 0
}

variable "maximum_concurrency" {
  description = "Upper bound on concurrent invocations by this mapping (2-1000)."
  type        = number
  default     = 2

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000
    error_message = "maximum_concurrency must be between 2 and 1000."
  }
}
