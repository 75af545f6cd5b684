variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>."
  type        = string
}

variable "name" {
  description = "Logical bus name, as declared in infra/system.yaml."
  type        = string
}
