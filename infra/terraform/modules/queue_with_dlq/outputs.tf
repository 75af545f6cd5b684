output "url" {
  value = aws_sqs_queue.this.url
}

output "arn" {
  value = aws_sqs_queue.this.arn
}

output "name" {
  value = aws_sqs_queue.this.name
}

output "fifo" {
  value = var.fifo
}

output "dlq_url" {
  value = aws_sqs_queue.dead_letter.url
}

output "dlq_arn" {
  value = aws_sqs_queue.dead_letter.arn
}

output "dlq_name" {
  value = aws_sqs_queue.dead_letter.name
}
