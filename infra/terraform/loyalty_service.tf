# loyalty_service: awards points once per confirmed order (its inbox drops the second copy).

module "loyalty_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "loyalty-processor"
  service_name    = "loyalty"
  handler         = "loyalty_service.handlers.order_events.handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "loyalty_service", null)
  zip_path        = "${var.lambda_zip_dir}/loyalty_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    INBOX_TABLE_NAME            = module.loyalty_inbox_table.name
    INBOX_TTL_SECONDS           = "604800"
    LOYALTY_ACCOUNTS_TABLE_NAME = module.loyalty_accounts_table.name
    DEAD_LETTER_QUEUE_URL       = module.loyalty_order_events_queue.dlq_url
  }

  policy_statements = [
    {
      sid       = "LoyaltyInboxTableReadWrite"
      actions   = local.dynamodb_read_write_actions
      resources = [module.loyalty_inbox_table.arn]
    },
    {
      sid       = "LoyaltyAccountsTableReadWrite"
      actions   = local.dynamodb_read_write_actions
      resources = [module.loyalty_accounts_table.arn]
    },
    {
      sid       = "LoyaltyOrderEventsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.loyalty_order_events_queue.dlq_arn]
    },
  ]
}

module "loyalty_processor_from_loyalty_order_events" {
  source                          = "./modules/sqs_trigger"
  function_name                   = module.loyalty_processor_function.function_name
  function_role_name              = module.loyalty_processor_function.role_name
  queue_arn                       = module.loyalty_order_events_queue.arn
  queue_fifo                      = module.loyalty_order_events_queue.fifo
  batch_size                      = 10
  maximum_batching_window_seconds = 1
  maximum_concurrency             = 2
}
