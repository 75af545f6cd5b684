variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>."
  type        = string
}

variable "name" {
  description = "Logical table name, as declared in infra/system.yaml."
  type        = string
}

variable "hash_key" {
  description = "Name of the string partition key."
  type        = string
}

variable "ttl_attribute" {
  description = "Attribute holding an epoch-seconds expiry; null leaves TTL off."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse deletion of the table (turn on for production accounts)."
  type        = bool
  default     = false
}
