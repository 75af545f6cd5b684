output "arn" {
  value = aws_sns_topic_subscription.this.arn
}
