# A queue with no dead-letter queue of its own, and the alarm that tells an operator to look when
# its messages are not being handled. For queues that are themselves where failures end up (the
# outbox relay's failed stream batches): nothing reads them automatically, so nothing retries.

locals {
  suffix     = var.fifo ? ".fifo" : ""
  queue_name = "${var.name_prefix}-${var.name}${local.suffix}"
}

resource "aws_sqs_queue" "this" {
  name                        = local.queue_name
  fifo_queue                  = var.fifo
  content_based_deduplication = var.fifo ? false : null
  sqs_managed_sse_enabled     = true
  visibility_timeout_seconds  = var.visibility_timeout_seconds
  message_retention_seconds   = var.message_retention_seconds
}

module "oldest_message_age" {
  count = var.alarm_oldest_message_age_seconds == null ? 0 : 1

  source            = "../metric_alarm"
  alarm_name        = "${local.queue_name}-oldest-message-age"
  alarm_description = "The oldest message in ${local.queue_name} waited over ${var.alarm_oldest_message_age_seconds}s: look at what failed."
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
