# One SQS queue, encrypted, and the alarms that tell an operator to look. The one place a queue is
# built: a queue declared without a DLQ (the outbox relay's failed stream batches, which nothing
# reads automatically, so nothing retries) is this module alone, and queue_with_dlq builds its
# queue and its DLQ as two instances of it.
#
# FIFO is one switch, and deduplication ids are always explicit (content_based_deduplication =
# false): the sender uses the order id, so two different messages with equal bodies are never
# merged.

locals {
  suffix     = var.fifo ? ".fifo" : ""
  queue_name = "${var.name_prefix}-${var.name}${local.suffix}"
  # A DLQ is named like its source queue, with the same FIFO suffix (AWS requires a FIFO queue's
  # DLQ to be FIFO too).
  source_queue_name = var.dead_letter_for == null ? null : "${var.name_prefix}-${var.dead_letter_for}${local.suffix}"
  # A queue that redrives has consumers that may be failing; one that does not is where failures
  # end up.
  age_hint = var.redrive == null ? "look at what failed" : "consumers are failing or throttled"
}

resource "aws_sqs_queue" "this" {
  name                        = local.queue_name
  fifo_queue                  = var.fifo
  content_based_deduplication = var.fifo ? false : null
  sqs_managed_sse_enabled     = true
  visibility_timeout_seconds  = var.visibility_timeout_seconds
  message_retention_seconds   = var.message_retention_seconds

  redrive_policy = var.redrive == null ? null : jsonencode({
    deadLetterTargetArn = var.redrive.dead_letter_queue_arn
    maxReceiveCount     = var.redrive.max_receive_count
  })
}

module "not_empty" {
  count = var.dead_letter_for == null ? 0 : 1

  source            = "../metric_alarm"
  alarm_name        = "${local.queue_name}-not-empty"
  alarm_description = "Messages in ${local.queue_name}: find the cause, then redrive them to ${local.source_queue_name}."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions        = { QueueName = aws_sqs_queue.this.name }
  threshold         = 0
  alarm_actions     = var.alarm_actions
}

module "oldest_message_age" {
  count = var.alarm_oldest_message_age_seconds == null ? 0 : 1

  source            = "../metric_alarm"
  alarm_name        = "${local.queue_name}-oldest-message-age"
  alarm_description = "The oldest message in ${local.queue_name} waited over ${var.alarm_oldest_message_age_seconds}s: ${local.age_hint}."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateAgeOfOldestMessage"
  dimensions        = { QueueName = aws_sqs_queue.this.name }
  threshold         = var.alarm_oldest_message_age_seconds
  alarm_actions     = var.alarm_actions
}

# The alarm was a resource of this module before metric_alarm served every alarm.
moved {
  from = aws_cloudwatch_metric_alarm.oldest_message_age[0]
  to   = module.oldest_message_age[0].aws_cloudwatch_metric_alarm.this
}
