variable "function_name" {
  description = "Name of the function the stream invokes."
  type        = string
}

variable "stream_arn" {
  description = "ARN of the table's current stream (the dynamodb_table module's stream_arn)."
  type        = string
}

variable "starting_position" {
  description = "Where a new mapping starts reading: TRIM_HORIZON (the oldest record) or LATEST."
  type        = string
  default     = "TRIM_HORIZON"

  validation {
    condition     = contains(["TRIM_HORIZON", "LATEST"], var.starting_position)
    error_message = "starting_position must be TRIM_HORIZON or LATEST."
  }
}

variable "batch_size" {
  type    = number
  default = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be between 1 and 10000."
  }
}

variable "maximum_batching_window_seconds" {
  type    = number
  default = 0
}

variable "bisect_batch_on_function_error" {
  description = "Split a failing batch in two and retry each half, to isolate a poison record."
  type        = bool
  default     = true
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing batch; -1 retries until its records expire from the stream."
  type        = number
  default     = -1

  validation {
    condition     = var.maximum_retry_attempts >= -1 && var.maximum_retry_attempts <= 10000
    error_message = "maximum_retry_attempts must be between -1 and 10000."
  }
}

variable "maximum_record_age_seconds" {
  description = "Give up on a batch whose oldest record is older than this; -1 for no limit but the stream's retention."
  type        = number
  default     = -1

  validation {
    condition     = var.maximum_record_age_seconds == -1 || (var.maximum_record_age_seconds >= 60 && var.maximum_record_age_seconds <= 604800)
    error_message = "maximum_record_age_seconds must be -1 or between 60 and 604800."
  }
}

variable "on_failure_destination_arn" {
  description = "ARN of the queue a batch given up on is recorded in; null to record it nowhere."
  type        = string
  default     = null
}

variable "filter_patterns" {
  description = "Lambda event filter patterns, as objects (each is JSON-encoded into one filter); empty passes every record."
  type        = any
  default     = []
}

variable "alarm_iterator_age_seconds" {
  description = "Alarm when the function reads the stream further behind than this (Lambda's IteratorAge); null for no such alarm."
  type        = number
  default     = null

  validation {
    condition     = var.alarm_iterator_age_seconds == null ? true : var.alarm_iterator_age_seconds >= 1
    error_message = "alarm_iterator_age_seconds must be null or at least 1."
  }
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when the alarm changes state."
  type        = list(string)
  default     = []
}
