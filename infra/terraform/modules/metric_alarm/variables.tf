variable "alarm_name" {
  type = string
}

variable "alarm_description" {
  description = "What the alarm means, and where to look."
  type        = string
}

variable "namespace" {
  description = "The metric's namespace, e.g. AWS/SQS or AWS/Lambda."
  type        = string
}

variable "metric_name" {
  type = string
}

variable "dimensions" {
  description = "The one resource the metric is of, e.g. { QueueName = ... }."
  type        = map(string)
}

variable "threshold" {
  description = "The alarm fires above this, in the metric's unit."
  type        = number
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when the alarm changes state."
  type        = list(string)
  default     = []
}
