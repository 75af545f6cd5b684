variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>."
  type        = string
}

variable "name" {
  description = "Logical rule name, as declared under its bus in infra/system.yaml."
  type        = string
}

variable "event_bus_name" {
  description = "The bus's name (the event_bus module's name)."
  type        = string
}

variable "source_name" {
  description = "The one event source the rule matches."
  type        = string
}

variable "detail_type_prefix" {
  description = "Every detail-type starting with this matches (all versions of an event type)."
  type        = string
}

variable "queue_arn" {
  description = "Where matching events go: the subscriber's queue."
  type        = string
}
