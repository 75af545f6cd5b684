variable "name_prefix" {
  description = "Prefix of every physical name: <name_prefix>-<name>."
  type        = string
}

variable "name" {
  description = "Logical function name, as declared in infra/system.yaml."
  type        = string
}

variable "service_name" {
  description = "Service name in traces and logs (OTEL_SERVICE_NAME, POWERTOOLS_SERVICE_NAME)."
  type        = string
}

variable "handler" {
  description = "Dotted path of the handler, e.g. order_service.http_api.handler."
  type        = string
}

variable "package_type" {
  description = "\"Image\" (container image, AWS) or \"Zip\" (zip file, emulators)."
  type        = string
  default     = "Image"

  validation {
    condition     = contains(["Image", "Zip"], var.package_type)
    error_message = "package_type must be \"Image\" or \"Zip\"."
  }
}

variable "image_uri" {
  description = "ECR image URI; used when package_type is Image."
  type        = string
  default     = null
}

variable "zip_path" {
  description = "Path of the deployment zip; used when package_type is Zip."
  type        = string
  default     = null
}

variable "runtime" {
  description = "Lambda runtime for Zip packages."
  type        = string
  default     = "python3.12"
}

variable "architecture" {
  description = "Instruction set; must match the image."
  type        = string
  default     = "x86_64"
}

variable "timeout_seconds" {
  type    = number
  default = 10
}

variable "memory_mb" {
  type    = number
  default = 256
}

variable "environment" {
  description = "Environment variables of the function (the telemetry variables are added)."
  type        = map(string)
  default     = {}

  validation {
    condition = length(setintersection(keys(var.environment), [
      "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "POWERTOOLS_SERVICE_NAME",
    ])) == 0
    error_message = "The telemetry variables are set by the module; do not pass them in environment."
  }
}

variable "otlp_endpoint" {
  description = "OTLP/HTTP endpoint the function exports traces to."
  type        = string
}

variable "policy_statements" {
  description = "Allow statements of the function's inline policy: exact actions on exact resource ARNs."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  # The patterns allowed, each of one resource's children named at run time:
  # - every schedule of one schedule group (arn:...:schedule/<group>/*);
  # - every stream of one table (.../table/<t>/stream/*: a stream's ARN ends in its creation time);
  # - every durable execution of one function (...:function:<f>:*/durable-execution/*: an
  #   execution's ARN names its version and an id);
  # - the objects of one bucket, or of one key prefix in it (arn:aws:s3:::<bucket>/<prefix>*: claim
  #   checks are keyed by event ids);
  # - every connection of one WebSocket API stage, for POST only
  #   (arn:...:execute-api:<region>:<account>:<api id>/<stage>/POST/@connections/*): API Gateway
  #   makes a connection's id when a client connects, so no policy can name it beforehand; the
  #   pattern names one API and one stage, and admits neither their routes nor another method.
  validation {
    condition = alltrue([
      for s in var.policy_statements :
      length(s.resources) > 0 && alltrue([
        for r in s.resources : !strcontains(r, "*") || anytrue([
          can(regex("^arn:[^*]+:scheduler:[^*]+:schedule/[^*/]+/\\*$", r)),
          can(regex("^arn:[^*]+:dynamodb:[^*]+:table/[^*/]+/stream/\\*$", r)),
          can(regex("^arn:[^*]+:lambda:[^*]+:function:[^*:/]+:\\*/durable-execution/\\*$", r)),
          can(regex("^arn:[^*]+:s3:::[^*/]+/([^*]+/)?\\*$", r)),
          can(regex("^arn:[^*]+:execute-api:[^*:]+:[^*:]+:[^*:/]+/[^*/]+/POST/@connections/\\*$", r)),
        ])
      ])
    ])
    error_message = "Every statement names its resources exactly: no wildcards but the schedules of one group, the streams of one table, the durable executions of one function, the objects of one bucket (under one prefix) or the connections of one WebSocket API stage."
  }
}

variable "log_retention_days" {
  type    = number
  default = 14
}

variable "durable" {
  description = <<-EOT
    Makes the function a Lambda durable function (null: an ordinary one): its executions checkpoint
    their steps and may last up to execution_timeout_seconds; their history is kept retention_days.
    A durable function publishes a version on every change and its executions start on the alias
    (never $LATEST). Needs the AWS provider >= 6.25 (durable_config): see durable.tf.
  EOT
  type = object({
    execution_timeout_seconds = number
    retention_days            = number
    alias                     = string
    # A metric the function emits (embedded metric format, namespace "pizza", dimension service)
    # when an execution needs a person: alarmed above 0.
    alarm_metric = optional(string)
  })
  default = null
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when the function's alarm changes state."
  type        = list(string)
  default     = []
}
