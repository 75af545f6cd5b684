output "name" {
  value = aws_dynamodb_table.this.name
}

output "arn" {
  value = aws_dynamodb_table.this.arn
}

output "stream_arn" {
  description = "The current stream's ARN (what a stream trigger reads); empty when the table has no stream."
  value       = aws_dynamodb_table.this.stream_arn
}

output "streams_arn" {
  description = "Every stream of this table, <table ARN>/stream/*: what read_stream is granted on (a stream's ARN changes when it is re-enabled)."
  value       = "${aws_dynamodb_table.this.arn}/stream/*"
}

output "index_arns" {
  description = "Each index's ARN, <table ARN>/index/<name>: what Query on an index is granted on (with query_indexes on the table)."
  value       = { for name in keys(var.indexes) : name => "${aws_dynamodb_table.this.arn}/index/${name}" }
}
