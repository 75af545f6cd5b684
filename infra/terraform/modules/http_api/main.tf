# An HTTP API (API Gateway v2) whose routes invoke Lambda functions with payload format 2.0.

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.name_prefix}-${var.name}"
  protocol_type = "HTTP"

  # Which browser origins may call the API, and how (API Gateway answers the preflights itself).
  dynamic "cors_configuration" {
    for_each = var.cors == null ? [] : [var.cors]
    content {
      allow_origins  = cors_configuration.value.allow_origins
      allow_methods  = cors_configuration.value.allow_methods
      allow_headers  = cors_configuration.value.allow_headers
      expose_headers = cors_configuration.value.expose_headers
      max_age        = cors_configuration.value.max_age_seconds
    }
  }
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true
}

# One integration per function; several routes may share it.
resource "aws_apigatewayv2_integration" "lambda" {
  for_each = var.functions

  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = each.value.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "this" {
  for_each = var.routes

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.lambda[each.value].id}"
}

resource "aws_lambda_permission" "invoke" {
  for_each = var.functions

  statement_id  = "AllowInvokeFromHttpApi-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  principal     = "apigateway.amazonaws.com"
  # Any stage, method and route of this API only.
  source_arn = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
