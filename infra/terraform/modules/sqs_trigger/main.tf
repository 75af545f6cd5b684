# An SQS queue feeding a Lambda function, with partial batch responses.
#
# The receive permissions live here, next to the mapping that needs them, and name this one
# queue: a function can only consume the queues it is wired to. They are what Lambda's poller
# needs (AWS's AWSLambdaSQSQueueExecutionRole); a function that postpones messages itself declares
# {queue: X, access: postpone}.

locals {
  # arn:aws:sqs:<region>:<account>:<queue name>
  queue_name = element(split(":", var.queue_arn), 5)
}

data "aws_iam_policy_document" "receive" {
  statement {
    sid    = "ConsumeTriggerQueue"
    effect = "Allow"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
    ]
    resources = [var.queue_arn]
  }
}

resource "aws_iam_role_policy" "receive" {
  name   = "sqs-trigger-${local.queue_name}"
  role   = var.function_role_name
  policy = data.aws_iam_policy_document.receive.json
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn = var.queue_arn
  function_name    = var.function_name
  batch_size       = var.batch_size
  # AWS rejects a batching window on FIFO queues.
  maximum_batching_window_in_seconds = var.queue_fifo ? null : var.maximum_batching_window_seconds
  # Failed records are retried (and eventually dead-lettered) one by one, not the whole batch.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }

  # Lambda checks the role's permissions on the queue when the mapping is created.
  depends_on = [aws_iam_role_policy.receive]
}
