# Durable functions: what makes this module need the AWS provider >= 6.25.
#
# The durable_config block on aws_lambda_function (main.tf) exists from provider 6.25.0; every
# other resource of the configuration works with older providers. Executions of a durable function
# are tied to the version that started them (a replay must run the same code), so the function
# publishes a version on every change (main.tf: publish) and callers start executions through this
# alias, which follows the latest version.

resource "aws_lambda_alias" "durable" {
  count = var.durable == null ? 0 : 1

  name             = var.durable.alias
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

# Alarmed when the function reports an execution that needs a person (durable.alarm_metric).
module "needs_a_person" {
  source = "../metric_alarm"
  count  = try(var.durable.alarm_metric, null) == null ? 0 : 1

  alarm_name        = "${local.function_name}-${var.durable.alarm_metric}"
  alarm_description = "${local.function_name}: ${var.durable.alarm_metric} above 0 executions that need a person"
  namespace         = "pizza"
  metric_name       = var.durable.alarm_metric
  dimensions        = { service = var.service_name }
  threshold         = 0
  alarm_actions     = var.alarm_actions
}

# Where the function lives, for the ARN of its executions (outputs.tf).
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
