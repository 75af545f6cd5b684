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
  description = "Route key (\"POST /orders\") to the logical name of the function that serves it."
  type        = map(string)

  validation {
    condition     = alltrue([for target in values(var.routes) : contains(keys(var.functions), target)])
    error_message = "Every route targets a function listed in functions."
  }
}

variable "cors" {
  description = "CORS configuration (infra/system.yaml: cors); null for none."
  type = object({
    allow_origins   = list(string)
    allow_methods   = list(string)
    allow_headers   = list(string)
    expose_headers  = list(string)
    max_age_seconds = number
  })
  default = null
}

variable "emulator_endpoint_url" {
  description = "An emulator's endpoint (empty on AWS): it serves the API under its own address, /_aws/execute-api/<id>."
  type        = string
  default     = ""
}
