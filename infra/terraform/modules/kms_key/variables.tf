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

variable "usage" {
  description = "\"encrypt\" (a symmetric key, rotated yearly) or \"hmac\" (HMAC_256: GenerateMac and VerifyMac), as infra/system.yaml's usage."
  type        = string
  default     = "encrypt"

  validation {
    condition     = contains(["encrypt", "hmac"], var.usage)
    error_message = "usage must be \"encrypt\" or \"hmac\"."
  }
}

variable "users" {
  description = "The roles that may use the key, each with exactly its operations: one key policy statement each (sid alphanumeric)."
  type = list(object({
    sid      = string
    role_arn = string
    actions  = list(string)
  }))
  default = []
}
