# An SNS topic. Each subscriber subscribes its own queue (../topic_subscription), in its own file.

resource "aws_sns_topic" "this" {
  name = "${var.name_prefix}-${var.name}"
}
