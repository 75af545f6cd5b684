# A custom EventBridge bus and its rules, each sending what it matches to one SQS queue.
#
# A rule matches one source and every detail-type starting with a prefix (all versions of an event
# type), so a version the subscriber does not support still reaches it and is dead-lettered there
# with a reason. Each queue's policy must allow its rule to send (see ../queue_policy).

resource "aws_cloudwatch_event_bus" "this" {
  name = "${var.name_prefix}-${var.name}"
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.rules

  name           = "${var.name_prefix}-${each.key}"
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern = jsonencode({
    source        = [each.value.source]
    "detail-type" = [{ prefix = each.value.detail_type_prefix }]
  })
}

resource "aws_cloudwatch_event_target" "queue" {
  for_each = var.rules

  rule           = aws_cloudwatch_event_rule.this[each.key].name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "queue"
  arn            = each.value.queue_arn
}
