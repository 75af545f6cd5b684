variable "name_prefix" {
  description = "Prefix of both physical names: <name_prefix>-<name>[.fifo] and <name_prefix>-<dlq_name>[.fifo]."
  type        = string
}

variable "name" {
  description = "Logical name of the source queue, as declared in infra/system.yaml."
  type        = string
}

variable "dlq_name" {
  description = "Logical name of the dead-letter queue, as declared in infra/system.yaml."
  type        = string
}

variable "fifo" {
  description = "Make the queue and its DLQ FIFO queues."
  type        = bool
  default     = false
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden; at least the consumer's timeout."
  type        = number
  default     = 30
}

variable "max_receive_count" {
  description = "Receives before a message moves to the DLQ."
  type        = number

  validation {
    condition     = var.max_receive_count >= 1
    error_message = "max_receive_count must be at least 1."
  }
}

variable "message_retention_seconds" {
  description = "Retention of the source queue (default 4 days)."
  type        = number
  default     = 345600
}

variable "dlq_message_retention_seconds" {
  description = "Retention of the DLQ (default 14 days, the maximum)."
  type        = number
  default     = 1209600
}

variable "alarm_oldest_message_age_seconds" {
  description = "Alarm when the source queue's oldest message is older than this; null for no such alarm."
  type        = number
  default     = null
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when the DLQ's or the source queue's alarm changes state."
  type        = list(string)
  default     = []
}
