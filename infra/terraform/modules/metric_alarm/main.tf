# One alarm that tells an operator to look: the metric's one-minute maximum is above the threshold.
# No data (an idle queue, a function nothing invokes) is not breaching. The queue modules and the
# stream trigger module compose it for their alarms, as the embedded deployer serves all of them
# with one function (pizza_ops.deploy.alarms.converge_alarm).

resource "aws_cloudwatch_metric_alarm" "this" {
  alarm_name          = var.alarm_name
  alarm_description   = var.alarm_description
  namespace           = var.namespace
  metric_name         = var.metric_name
  dimensions          = var.dimensions
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
