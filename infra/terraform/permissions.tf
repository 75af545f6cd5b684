# The access levels a function's `permissions` may name in infra/system.yaml, as IAM actions.
# Each is granted on one table or queue ARN at a time; nothing here is a wildcard.
#
# There is no dynamodb:TransactWriteItems action: a transaction is authorised by the Put/Update/
# Delete/ConditionCheckItem actions of its parts.

locals {
  dynamodb_read_actions = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
  ]

  dynamodb_read_write_actions = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
  ]

  sqs_send_actions = [
    "sqs:SendMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
  ]
}
