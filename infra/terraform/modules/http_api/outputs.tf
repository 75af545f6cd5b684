output "id" {
  value = aws_apigatewayv2_api.this.id
}

output "invoke_url" {
  value = aws_apigatewayv2_stage.default.invoke_url
}

output "execution_arn" {
  value = aws_apigatewayv2_api.this.execution_arn
}

output "url" {
  description = "The API's public base URL, no trailing slash: the stage's on AWS, the emulator's /_aws/execute-api/<id> on an emulator (host-style names would need DNS). Built from the API alone, so a function's settings may name it without a cycle through its integration."
  value = (
    var.emulator_endpoint_url == ""
    ? trimsuffix(aws_apigatewayv2_api.this.api_endpoint, "/")
    : "${trimsuffix(var.emulator_endpoint_url, "/")}/_aws/execute-api/${aws_apigatewayv2_api.this.id}"
  )
}
