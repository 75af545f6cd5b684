output "function_name" {
  value = aws_lambda_function.this.function_name
}

output "arn" {
  value = aws_lambda_function.this.arn
}

output "invoke_arn" {
  value = aws_lambda_function.this.invoke_arn
}

output "role_name" {
  value = aws_iam_role.this.name
}

output "role_arn" {
  value = aws_iam_role.this.arn
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.this.name
}

output "alias_arn" {
  description = "A durable function's alias: where its executions start (null for an ordinary function)."
  value       = var.durable == null ? null : aws_lambda_alias.durable[0].arn
}

output "durable_executions_arn" {
  description = "Every durable execution of the function, of every version (what IAM authorises the durable APIs on)."
  # Built from names, not from the function resource: the function's own policy names it, and the
  # function depends on its policy.
  value = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${local.function_name}:*/durable-execution/*"
}
