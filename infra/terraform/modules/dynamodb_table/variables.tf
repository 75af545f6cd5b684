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

variable "stream_view_type" {
  description = "What the table's stream carries of each changed item (NEW_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY, OLD_IMAGE); null for no stream."
  type        = string
  default     = null

  validation {
    condition     = var.stream_view_type == null || contains(["NEW_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", "OLD_IMAGE"], coalesce(var.stream_view_type, "none"))
    error_message = "stream_view_type must be null, NEW_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY or OLD_IMAGE."
  }
}

variable "deletion_protection" {
  description = "Refuse deletion of the table (turn on for production accounts)."
  type        = bool
  default     = false
}

variable "indexes" {
  description = "Global secondary indexes by name (infra/system.yaml: indexes), each keyed by one string attribute and projecting whole items."
  type = map(object({
    hash_key = string
  }))
  default = {}
}
