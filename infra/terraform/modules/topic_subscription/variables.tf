variable "topic_arn" {
  description = "The topic's ARN (the sns_topic module's arn)."
  type        = string
}

variable "queue_arn" {
  description = "The subscribed queue's ARN."
  type        = string
}
