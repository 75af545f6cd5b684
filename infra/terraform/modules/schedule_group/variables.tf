variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>, its role <name_prefix>-<name>-scheduler."
  type        = string
}

variable "name" {
  description = "Logical schedule group name, as declared in infra/system.yaml."
  type        = string
}

variable "target_queue_arn" {
  description = "The queue this group's schedules deliver to, the only thing their role may send to."
  type        = string
}
