variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>[.fifo]."
  type        = string
}

variable "name" {
  description = "Logical queue name, as declared in infra/system.yaml."
  type        = string
}

variable "fifo" {
  description = "Make the queue a FIFO queue."
  type        = bool
  default     = false
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden."
  type        = number
  default     = 30
}

variable "message_retention_seconds" {
  description = "Retention (default 4 days, as SQS and the embedded deployer leave it)."
  type        = number
  default     = 345600
}

variable "redrive" {
  description = "The DLQ a message moves to after max_receive_count receives; null for none."
  type = object({
    dead_letter_queue_arn = string
    max_receive_count     = number
  })
  default = null
}

variable "dead_letter_for" {
  description = "Logical name of the queue this one is the DLQ of: alarm on any message in it, naming that queue; null when it is none's."
  type        = string
  default     = null
}

variable "alarm_oldest_message_age_seconds" {
  description = "Alarm when the oldest message is older than this; null for no such alarm."
  type        = number
  default     = null
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when an alarm changes state."
  type        = list(string)
  default     = []
}
