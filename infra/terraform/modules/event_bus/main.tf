# A custom EventBridge bus. Each subscriber adds its own rule to it (../event_rule), in its own file.

resource "aws_cloudwatch_event_bus" "this" {
  name = "${var.name_prefix}-${var.name}"
}
