# An SNS topic and one SQS subscription per subscriber queue.
#
# Raw message delivery: a queue receives the published message itself (a CloudEvent), not an SNS
# envelope around it, so a consumer reads the same body whichever channel delivered it. Each
# queue's policy must allow this topic to send (see ../queue_policy).

resource "aws_sns_topic" "this" {
  name = "${var.name_prefix}-${var.name}"
}

resource "aws_sns_topic_subscription" "queue" {
  for_each = var.subscriber_queue_arns

  topic_arn            = aws_sns_topic.this.arn
  protocol             = "sqs"
  endpoint             = each.value
  raw_message_delivery = true
}
