output "name" {
  value = aws_cloudwatch_event_bus.this.name
}

output "arn" {
  value = aws_cloudwatch_event_bus.this.arn
}

output "rule_arns" {
  description = "ARN of each rule, by its logical name."
  value       = { for name, rule in aws_cloudwatch_event_rule.this : name => rule.arn }
}
