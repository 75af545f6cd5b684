variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>."
  type        = string
}

variable "name" {
  description = "Logical API name, as declared in infra/system.yaml."
  type        = string
}

variable "functions" {
  description = "Functions the API invokes, by logical function name."
  type = map(object({
    function_name = string
    invoke_arn    = string
  }))
}

variable "routes" {
  description = "Route key (\"$connect\", \"$disconnect\", \"$default\" or an action) to the logical name of the function that serves it."
  type        = map(string)

  validation {
    condition     = alltrue([for target in values(var.routes) : contains(keys(var.functions), target)])
    error_message = "Every route targets a function listed in functions."
  }
}

variable "emulator_endpoint_url" {
  description = "The emulator's endpoint (the root's aws_endpoint_url); empty for real AWS. It decides the URLs the module reports."
  type        = string
  default     = ""
}
