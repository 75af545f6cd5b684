# One configuration for AWS and for a local emulator (MiniStack, LocalStack): set
# aws_endpoint_url and every service the system uses is sent there instead of AWS.

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }
}

variable "aws_region" {
  type    = string
  default = "us-east-1"
}

variable "aws_endpoint_url" {
  description = "Emulator endpoint, e.g. http://localhost:4566; empty for real AWS."
  type        = string
  default     = ""
}

variable "name_prefix" {
  description = "Prefix of every physical resource name (infra/system.yaml: name_prefix)."
  type        = string
  default     = "pizza"
}

variable "kitchen_queue_fifo" {
  description = "Make the kitchen-orders channel (queue and DLQ) FIFO."
  type        = bool
  default     = false
}

variable "otlp_endpoint" {
  description = "OTLP/HTTP endpoint the functions export traces to (a collector extension layer listens on localhost:4318; in docker compose use http://otel-collector:4318)."
  type        = string
  default     = "http://localhost:4318"
}

variable "lambda_package_type" {
  description = "\"Image\" deploys service_images (AWS); \"Zip\" deploys <lambda_zip_dir>/<package>.zip (emulators)."
  type        = string
  default     = "Image"

  validation {
    condition     = contains(["Image", "Zip"], var.lambda_package_type)
    error_message = "lambda_package_type must be \"Image\" or \"Zip\"."
  }
}

variable "service_images" {
  description = "Container image URI per service package, e.g. { order_service = \"<ecr>/order_service:<tag>\" }."
  type        = map(string)
  default     = {}
}

variable "lambda_zip_dir" {
  description = "Directory holding <package>.zip, as built by `pizza build-zips`."
  type        = string
  default     = "../../build/lambda"
}

variable "lambda_runtime" {
  description = "Runtime of Zip packages."
  type        = string
  default     = "python3.12"
}

variable "order_workflow" {
  description = "How a placed order goes through: saga (the orchestrated saga) or choreography."
  type        = string
  default     = "saga"

  validation {
    condition     = contains(["saga", "choreography"], var.order_workflow)
    error_message = "order_workflow is saga or choreography."
  }
}

variable "claim_check_mode" {
  description = "How claim checks point at their data: presigned_url (any holder may read, until it expires) or bucket_key (read with the subscriber's own role)."
  type        = string
  default     = "presigned_url"

  validation {
    condition     = contains(["presigned_url", "bucket_key"], var.claim_check_mode)
    error_message = "claim_check_mode is presigned_url or bucket_key."
  }
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified by the queue alarms."
  type        = list(string)
  default     = []
}

locals {
  emulated = var.aws_endpoint_url != ""
}

provider "aws" {
  region = var.aws_region

  # An emulator accepts any credentials and has no account or instance metadata to look up.
  access_key                  = local.emulated ? "test" : null
  secret_key                  = local.emulated ? "test" : null
  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated
  s3_use_path_style           = local.emulated

  dynamic "endpoints" {
    for_each = local.emulated ? [var.aws_endpoint_url] : []
    content {
      apigatewayv2 = endpoints.value
      cloudwatch   = endpoints.value
      dynamodb     = endpoints.value
      events       = endpoints.value
      iam          = endpoints.value
      kms          = endpoints.value
      lambda       = endpoints.value
      logs         = endpoints.value
      s3           = endpoints.value
      scheduler    = endpoints.value
      sns          = endpoints.value
      sqs          = endpoints.value
      sts          = endpoints.value
    }
  }

  default_tags {
    tags = {
      Project   = "pizza-integration-patterns"
      ManagedBy = "terraform"
    }
  }
}
