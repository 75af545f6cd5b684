variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>."
  type        = string
}

variable "name" {
  description = "Logical topic name, as declared in infra/system.yaml."
  type        = string
}

variable "subscriber_queue_arns" {
  description = "ARN of each subscribed queue, by the queue's logical name."
  type        = map(string)
}
