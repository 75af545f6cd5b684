# One SQS queue's subscription to an SNS topic.
#
# Raw message delivery: the queue receives the published message itself (a CloudEvent), not an SNS
# envelope around it, so a consumer reads the same body whichever channel delivered it. The
# queue's policy must allow the topic to send (see ../queue_policy).

resource "aws_sns_topic_subscription" "this" {
  topic_arn            = var.topic_arn
  protocol             = "sqs"
  endpoint             = var.queue_arn
  raw_message_delivery = true
}
