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
