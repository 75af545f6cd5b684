output "name" {
  value = aws_cloudwatch_event_bus.this.name
}

output "arn" {
  value = aws_cloudwatch_event_bus.this.arn
}
