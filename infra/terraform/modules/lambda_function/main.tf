# One Lambda function with its own role.
#
# The role gets the basic-execution log permissions (scoped to this function's log group) and one
# inline policy built only from the statements the caller passes in, so every grant is visible
# where the function is declared. Queue event source mappings add their own receive permissions
# (see ../sqs_trigger); a stream's are passed in like any other grant (see ../dynamodb_stream_trigger).
#
# The same configuration deploys a container image (AWS) or a zip (an emulator): package_type
# picks which of image_uri and zip_path is used.

locals {
  function_name = "${var.name_prefix}-${var.name}"
  is_image      = var.package_type == "Image"

  # Set on every function; the caller's environment may not override them.
  telemetry_environment = {
    OTEL_SERVICE_NAME           = var.service_name
    OTEL_EXPORTER_OTLP_ENDPOINT = var.otlp_endpoint
    POWERTOOLS_SERVICE_NAME     = var.service_name
  }
}

resource "aws_iam_role" "this" {
  name = "${local.function_name}-role"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
}

# AWSLambdaBasicExecutionRole, narrowed to this function's own log group (created above, so the
# role needs no logs:CreateLogGroup).
data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

resource "aws_iam_role_policy" "logs" {
  name   = "basic-execution-logs"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.logs.json
}

data "aws_iam_policy_document" "access" {
  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      effect    = "Allow"
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "access" {
  count = length(var.policy_statements) > 0 ? 1 : 0

  name   = "least-privilege-access"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.access.json
}

resource "aws_lambda_function" "this" {
  function_name = local.function_name
  role          = aws_iam_role.this.arn
  package_type  = var.package_type
  architectures = [var.architecture]
  timeout       = var.timeout_seconds
  memory_size   = var.memory_mb

  # Image: the handler is the container's CMD, the Lambda runtime interface client runs it.
  image_uri = local.is_image ? var.image_uri : null
  dynamic "image_config" {
    for_each = local.is_image ? [var.handler] : []
    content {
      command = [image_config.value]
    }
  }

  # Zip: the emulator path. Only the selected branch of each conditional is evaluated for errors,
  # so an Image deployment never reads zip_path.
  filename         = local.is_image ? null : var.zip_path
  source_code_hash = local.is_image ? null : filebase64sha256(var.zip_path)
  handler          = local.is_image ? null : var.handler
  runtime          = local.is_image ? null : var.runtime

  environment {
    variables = merge(var.environment, local.telemetry_environment)
  }

  # A durable function's executions run a published version (durable.tf).
  publish = var.durable != null

  # durable_config, the one setting that needs the AWS provider >= 6.25, is in
  # durable_config_override.tf: without that file the rest applies with older providers (5.100).

  # Traces go out through OpenTelemetry (OTLP), not X-Ray; PassThrough keeps an incoming
  # X-Ray header without sampling on its own.
  tracing_config {
    mode = "PassThrough"
  }

  lifecycle {
    precondition {
      condition     = local.is_image ? var.image_uri != null : var.zip_path != null
      error_message = "${local.function_name}: package_type ${var.package_type} needs ${local.is_image ? "image_uri" : "zip_path"}."
    }
  }

  # The access policy first: a stream mapping, which names this function, is refused unless the
  # role can already read the stream.
  depends_on = [aws_iam_role_policy.logs, aws_iam_role_policy.access, aws_cloudwatch_log_group.this]
}
