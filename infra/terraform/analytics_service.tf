# analytics_service: counts, per pizza, the confirmed orders it appears in and the pizzas ordered.

module "analytics_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "analytics-processor"
  service_name    = "analytics"
  handler         = "analytics_service.handlers.order_events.handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "analytics_service", null)
  zip_path        = "${var.lambda_zip_dir}/analytics_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    INBOX_TABLE_NAME          = module.analytics_inbox_table.name
    INBOX_TTL_SECONDS         = "604800"
    PIZZA_COUNTS_TABLE_NAME   = module.analytics_pizza_counts_table.name
    COUNTED_ORDERS_TABLE_NAME = module.analytics_counted_orders_table.name
    DEAD_LETTER_QUEUE_URL     = module.analytics_order_events_queue.dlq_url
  }

  policy_statements = [
    {
      sid       = "AnalyticsInboxTableReadWrite"
      actions   = local.dynamodb_read_write_actions
      resources = [module.analytics_inbox_table.arn]
    },
    {
      sid       = "AnalyticsPizzaCountsTableReadWrite"
      actions   = local.dynamodb_read_write_actions
      resources = [module.analytics_pizza_counts_table.arn]
    },
    {
      sid       = "AnalyticsCountedOrdersTableReadWrite"
      actions   = local.dynamodb_read_write_actions
      resources = [module.analytics_counted_orders_table.arn]
    },
    {
      sid       = "AnalyticsOrderEventsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.analytics_order_events_queue.dlq_arn]
    },
  ]
}

module "analytics_processor_from_analytics_order_events" {
  source                          = "./modules/sqs_trigger"
  function_name                   = module.analytics_processor_function.function_name
  function_role_name              = module.analytics_processor_function.role_name
  queue_arn                       = module.analytics_order_events_queue.arn
  queue_fifo                      = module.analytics_order_events_queue.fifo
  batch_size                      = 10
  maximum_batching_window_seconds = 1
  maximum_concurrency             = 2
}
