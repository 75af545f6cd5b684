output "uuid" {
  value = aws_lambda_event_source_mapping.this.uuid
}
