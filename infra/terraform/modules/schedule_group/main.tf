# An EventBridge Scheduler group, and the one role its schedules run as.
#
# The role may send to the group's target queue and do nothing else. A function that creates
# schedules here is granted the group's schedules (schedule/<group>/*) and iam:PassRole on this
# role only, so it cannot schedule anything elsewhere or with more rights.

resource "aws_scheduler_schedule_group" "this" {
  name = "${var.name_prefix}-${var.name}"
}

resource "aws_iam_role" "scheduler" {
  name = "${var.name_prefix}-${var.name}-scheduler"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "scheduler.amazonaws.com" }
    }]
  })
}

data "aws_iam_policy_document" "send" {
  statement {
    sid       = "SendToTargetQueue"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [var.target_queue_arn]
  }
}

resource "aws_iam_role_policy" "send" {
  name   = "send-to-target-queue"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.send.json
}
