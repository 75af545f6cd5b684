# What only the AWS provider >= 6.25 can express: a durable function's durable_config (Lambda
# durable functions). Kept in this override file, merged into main.tf's function by Terraform, so
# that everything else applies with older providers: to apply to an emulator with a provider
# before 6.25 (5.100 is what CI has), leave this file out (`pizza terraform-emulator` does), and the
# emulator adapter marks the durable functions durable itself after the apply.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.25"
    }
  }
}

resource "aws_lambda_function" "this" {
  dynamic "durable_config" {
    for_each = var.durable == null ? [] : [var.durable]
    content {
      execution_timeout = durable_config.value.execution_timeout_seconds
      retention_period  = durable_config.value.retention_days
    }
  }
}
