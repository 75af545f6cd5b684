variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>-<account id>-<region>."
  type        = string
}

variable "name" {
  description = "Logical bucket name, as declared in infra/system.yaml."
  type        = string
}

variable "expire_after_days" {
  description = "Days after which the lifecycle rule deletes an object."
  type        = number

  validation {
    condition     = var.expire_after_days >= 1
    error_message = "expire_after_days is at least 1."
  }
}

variable "object_prefixes" {
  description = "Key prefixes that permissions name (e.g. \"shared/\"): prefix_objects_arns has an ARN pattern for each."
  type        = list(string)
  default     = []
}

variable "force_destroy" {
  description = "Delete the bucket's objects with it on destroy (an emulator's throwaway stack only)."
  type        = bool
  default     = false
}

variable "object_access" {
  description = "Object actions (s3:GetObject, s3:PutObject) under a prefix, each allowed to the listed roles only (one deny statement each, sid alphanumeric)."
  type = list(object({
    sid       = string
    prefix    = string
    action    = string
    role_arns = list(string)
  }))
  default = []
}
