# A queue and its dead-letter queue, with the two alarms that tell an operator to look:
# something is in the DLQ, or the queue is not being drained.
#
# FIFO is one switch: both queues get the ".fifo" suffix (AWS requires a FIFO queue's DLQ to be
# FIFO too). Deduplication ids are always explicit (content_based_deduplication = false): the
# sender uses the order id, so two different messages with equal bodies are never merged.

locals {
  suffix     = var.fifo ? ".fifo" : ""
  queue_name = "${var.name_prefix}-${var.name}${local.suffix}"
  dlq_name   = "${var.name_prefix}-${var.dlq_name}${local.suffix}"
}

resource "aws_sqs_queue" "dead_letter" {
  name                        = local.dlq_name
  fifo_queue                  = var.fifo
  content_based_deduplication = var.fifo ? false : null
  sqs_managed_sse_enabled     = true
  # Longer than the source queue's retention: a message keeps its original enqueue time when it
  # is dead-lettered, so a shorter DLQ retention could drop it before anyone looks.
  message_retention_seconds = var.dlq_message_retention_seconds
}

resource "aws_sqs_queue" "this" {
  name                        = local.queue_name
  fifo_queue                  = var.fifo
  content_based_deduplication = var.fifo ? false : null
  sqs_managed_sse_enabled     = true
  visibility_timeout_seconds  = var.visibility_timeout_seconds
  message_retention_seconds   = var.message_retention_seconds

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
}

# A separate resource, not an argument of the DLQ: the allow policy names the source queue,
# whose redrive policy names the DLQ, and inline both ways would be a cycle.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

module "dead_letter_not_empty" {
  source            = "../metric_alarm"
  alarm_name        = "${local.dlq_name}-not-empty"
  alarm_description = "Messages in ${local.dlq_name}: find the cause, then redrive them to ${local.queue_name}."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions        = { QueueName = aws_sqs_queue.dead_letter.name }
  threshold         = 0
  alarm_actions     = var.alarm_actions
}

module "oldest_message_age" {
  count = var.alarm_oldest_message_age_seconds == null ? 0 : 1

  source            = "../metric_alarm"
  alarm_name        = "${local.queue_name}-oldest-message-age"
  alarm_description = "The oldest message in ${local.queue_name} waited over ${var.alarm_oldest_message_age_seconds}s: consumers are failing or throttled."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateAgeOfOldestMessage"
  dimensions        = { QueueName = aws_sqs_queue.this.name }
  threshold         = var.alarm_oldest_message_age_seconds
  alarm_actions     = var.alarm_actions
}

# The alarms were resources of this module before metric_alarm served every alarm.
moved {
  from = aws_cloudwatch_metric_alarm.dead_letter_not_empty
  to   = module.dead_letter_not_empty.aws_cloudwatch_metric_alarm.this
}

moved {
  from = aws_cloudwatch_metric_alarm.oldest_message_age[0]
  to   = module.oldest_message_age[0].aws_cloudwatch_metric_alarm.this
}
