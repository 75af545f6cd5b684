# A WebSocket API (API Gateway v2) whose routes ($connect, $disconnect, or an action picked by the
# message's "action" field) invoke Lambda functions through proxy integrations, on one stage, live
# (deployed on every change). As the embedded deployer builds it (pizza_ops.deploy.websocket_apis).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  stage = "live"
  # The stage's execution ARN, built from the caller's account: the provider's own
  # execution_arn has an empty account where it may not look the account up (an emulator).
  execution_arn = join(":", [
    "arn", data.aws_partition.current.partition, "execute-api", data.aws_region.current.name,
    data.aws_caller_identity.current.account_id, "${aws_apigatewayv2_api.this.id}/${local.stage}",
  ])
  # An emulator serves the API under its own address (host-style names would need DNS).
  emulator_base = "${trimsuffix(var.emulator_endpoint_url, "/")}/_aws/execute-api/${aws_apigatewayv2_api.this.id}/${local.stage}"
}

resource "aws_apigatewayv2_api" "this" {
  name                       = "${var.name_prefix}-${var.name}"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_apigatewayv2_stage" "live" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = local.stage
  auto_deploy = true
}

# One integration per function; several routes may share it. A WebSocket API takes the function's
# invocation URI (its invoke_arn), never its plain ARN, and invokes Lambda with POST.
resource "aws_apigatewayv2_integration" "lambda" {
  for_each = var.functions

  api_id             = aws_apigatewayv2_api.this.id
  integration_type   = "AWS_PROXY"
  integration_method = "POST"
  integration_uri    = each.value.invoke_arn
}

resource "aws_apigatewayv2_route" "this" {
  for_each = var.routes

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.lambda[each.value].id}"
}

resource "aws_lambda_permission" "invoke" {
  for_each = var.functions

  statement_id  = "AllowInvokeFromWebSocketApi-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  principal     = "apigateway.amazonaws.com"
  # Any stage and route of this API only.
  source_arn = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
