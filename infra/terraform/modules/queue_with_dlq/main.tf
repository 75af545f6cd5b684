# A queue and its dead-letter queue, each an sqs_queue, with the redrive between them: messages
# move to the DLQ after max_receive_count receives, and only from this queue. The DLQ alarms on any
# message in it; the queue, when set, on the age of its oldest message.
#
# Two sqs_queue instances rather than sqs_queue folded in here with an optional DLQ: the root
# module's calls stay as they are, and a call's source still says whether the declaration gives
# the queue a DLQ, so the drift check keeps telling the two kinds of queue apart by building block
# (it only has to refuse a root sqs_queue call given `redrive`), not by which arguments are unset.

module "dead_letter" {
  source          = "../sqs_queue"
  name_prefix     = var.name_prefix
  name            = var.dlq_name
  fifo            = var.fifo
  dead_letter_for = var.name
  # Longer than the source queue's retention: a message keeps its original enqueue time when it
  # is dead-lettered, so a shorter DLQ retention could drop it before anyone looks.
  message_retention_seconds = var.dlq_message_retention_seconds
  alarm_actions             = var.alarm_actions
}

module "queue" {
  source                           = "../sqs_queue"
  name_prefix                      = var.name_prefix
  name                             = var.name
  fifo                             = var.fifo
  visibility_timeout_seconds       = var.visibility_timeout_seconds
  message_retention_seconds        = var.message_retention_seconds
  redrive                          = { dead_letter_queue_arn = module.dead_letter.arn, max_receive_count = var.max_receive_count }
  alarm_oldest_message_age_seconds = var.alarm_oldest_message_age_seconds
  alarm_actions                    = var.alarm_actions
}

# A separate resource, not an argument of the DLQ: the allow policy names the source queue,
# whose redrive policy names the DLQ, and inline both ways would be a cycle.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = module.dead_letter.url

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [module.queue.arn]
  })
}

# The queues and alarms were this module's own before sqs_queue built every queue, and the alarms
# its resources before metric_alarm served every alarm. Terraform applies a move into a module
# after the moves of what that module contains, so the older moves chain into the newer ones.
moved {
  from = aws_sqs_queue.this
  to   = module.queue.aws_sqs_queue.this
}

moved {
  from = aws_sqs_queue.dead_letter
  to   = module.dead_letter.aws_sqs_queue.this
}

moved {
  from = module.dead_letter_not_empty
  to   = module.dead_letter.module.not_empty[0]
}

moved {
  from = module.oldest_message_age
  to   = module.queue.module.oldest_message_age
}

moved {
  from = aws_cloudwatch_metric_alarm.dead_letter_not_empty
  to   = module.dead_letter_not_empty.aws_cloudwatch_metric_alarm.this
}

moved {
  from = aws_cloudwatch_metric_alarm.oldest_message_age[0]
  to   = module.oldest_message_age[0].aws_cloudwatch_metric_alarm.this
}
