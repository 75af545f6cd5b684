output "id" {
  value = aws_apigatewayv2_api.this.id
}

output "url" {
  description = "Where clients connect: wss://<id>.execute-api.<region>.amazonaws.com/live (on an emulator ws://<endpoint>/_aws/execute-api/<id>/live)."
  value       = var.emulator_endpoint_url == "" ? aws_apigatewayv2_stage.live.invoke_url : "ws${trimprefix(local.emulator_base, "http")}"
}

output "management_url" {
  description = "Where functions post to connections: https://<id>.execute-api.<region>.amazonaws.com/live (on an emulator, the stage under its endpoint)."
  value       = var.emulator_endpoint_url == "" ? replace(aws_apigatewayv2_stage.live.invoke_url, "wss://", "https://") : local.emulator_base
}

output "connections_arn" {
  description = "Every connection of the live stage, <stage execution ARN>/POST/@connections/*: what posting to connections (execute-api:ManageConnections) is granted on."
  value       = "${local.execution_arn}/POST/@connections/*"
}
