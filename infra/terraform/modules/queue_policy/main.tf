# Who may deliver to one queue: SNS from the listed topics, EventBridge from the listed rules.
#
# A queue has one policy, so every service that feeds it is listed here together. Each statement
# names its source by aws:SourceArn: no other topic or rule, in this account or another, can send.

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.sns_topic_arns
    content {
      sid       = "FromTopic${statement.key}"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [var.queue_arn]
      principals {
        type        = "Service"
        identifiers = ["sns.amazonaws.com"]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = [statement.value]
      }
    }
  }

  dynamic "statement" {
    for_each = var.event_rule_arns
    content {
      sid       = "FromRule${statement.key}"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [var.queue_arn]
      principals {
        type        = "Service"
        identifiers = ["events.amazonaws.com"]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = [statement.value]
      }
    }
  }
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = var.queue_url
  policy    = data.aws_iam_policy_document.this.json
}
