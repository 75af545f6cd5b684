# One EventBridge rule on a bus, sending what it matches to one SQS queue.
#
# The rule matches one source and every detail-type starting with a prefix (all versions of an event
# type), so a version the subscriber does not support still reaches it and is dead-lettered there
# with a reason. The queue's policy must allow the rule to send (see ../queue_policy).

resource "aws_cloudwatch_event_rule" "this" {
  name           = "${var.name_prefix}-${var.name}"
  event_bus_name = var.event_bus_name
  event_pattern = jsonencode({
    source        = [var.source_name]
    "detail-type" = [{ prefix = var.detail_type_prefix }]
  })
}

resource "aws_cloudwatch_event_target" "queue" {
  rule           = aws_cloudwatch_event_rule.this.name
  event_bus_name = var.event_bus_name
  target_id      = "queue"
  arn            = var.queue_arn
}
