variable "queue_url" {
  type = string
}

variable "queue_arn" {
  type = string
}

variable "sns_topic_arns" {
  description = "Topics whose subscriptions deliver to this queue."
  type        = list(string)
  default     = []
}

variable "event_rule_arns" {
  description = "EventBridge rules that target this queue."
  type        = list(string)
  default     = []
}
