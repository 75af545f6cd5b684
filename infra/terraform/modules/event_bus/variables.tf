variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>, and <name_prefix>-<rule> for rules."
  type        = string
}

variable "name" {
  description = "Logical bus name, as declared in infra/system.yaml."
  type        = string
}

variable "rules" {
  description = "Rules by logical name: events from source whose detail-type starts with detail_type_prefix go to queue_arn."
  type = map(object({
    source             = string
    detail_type_prefix = string
    queue_arn          = string
  }))
  default = {}
}
