variable "name_prefix" {
  description = "Prefix of every physical name: alias/<name_prefix>-<name>."
  type        = string
}

variable "name" {
  description = "Logical key name, as declared in infra/system.yaml."
  type        = string
}

variable "description" {
  type = string
}

variable "deletion_window_in_days" {
  description = "Days a deleted key can still be restored; what it encrypted is unreadable after that."
  type        = number
  default     = 30
}
