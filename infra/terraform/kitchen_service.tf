# kitchen_service: cooks the orders that arrive on the kitchen channel and acknowledges them, and
# prepares delivery orders when their scheduled alert arrives.

module "kitchen_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "kitchen-processor"
  service_name    = "kitchen-processor"
  handler         = "kitchen_service.wiring.order_handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "kitchen_service", null)
  zip_path        = "${var.lambda_zip_dir}/kitchen_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    KITCHEN_ORDERS_TABLE_NAME = module.kitchen_orders_table.name
    DEAD_LETTER_QUEUE_URL     = module.kitchen_orders_queue.dlq_url
    # Replies go only to queues listed here; anything else in `replyto` is refused.
    ALLOWED_REPLY_QUEUE_URLS = module.order_acknowledgements_queue.url
    # Demo fault: the oven fails for this pizza (retried, then dead-lettered).
    UNCOOKABLE_PIZZA   = "Doomed Calzone"
    CLAIM_CHECK_BUCKET = module.claim_checks_bucket.name
  }

  policy_statements = [
    {
      sid       = "KitchenOrdersTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.kitchen_orders_table.arn]
    },
    {
      sid       = "OrderAcknowledgementsSend"
      actions   = local.sqs_send_actions
      resources = [module.order_acknowledgements_queue.arn]
    },
    {
      sid       = "KitchenOrdersDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.kitchen_orders_queue.dlq_arn]
    },
    {
      # Answer the saga's callbacks (and nothing else of its executions).
      sid       = "OrderSagaCallbacksAnswer"
      actions   = local.lambda_durable_answer_actions
      resources = [module.order_saga_function.durable_executions_arn]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
  ]
}

module "kitchen_processor_from_kitchen_orders" {
  source                          = "./modules/sqs_trigger"
  function_name                   = module.kitchen_processor_function.function_name
  function_role_name              = module.kitchen_processor_function.role_name
  queue_arn                       = module.kitchen_orders_queue.arn
  queue_fifo                      = module.kitchen_orders_queue.fifo
  batch_size                      = 10
  maximum_batching_window_seconds = 1
  # Protects the kitchen's downstream systems during backlogs and redrives.
  maximum_concurrency = 5
}

module "kitchen_alert_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "kitchen-alert-processor"
  service_name    = "kitchen-alerts"
  handler         = "kitchen_service.wiring.alert_handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "kitchen_service", null)
  zip_path        = "${var.lambda_zip_dir}/kitchen_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    KITCHEN_ORDERS_TABLE_NAME = module.kitchen_orders_table.name
    DEAD_LETTER_QUEUE_URL     = module.kitchen_alerts_queue.dlq_url
    CLAIM_CHECK_BUCKET        = module.claim_checks_bucket.name
  }

  policy_statements = [
    {
      sid       = "KitchenOrdersTableGet"
      actions   = local.dynamodb_get_actions
      resources = [module.kitchen_orders_table.arn]
    },
    {
      sid       = "KitchenOrdersTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.kitchen_orders_table.arn]
    },
    {
      sid       = "KitchenAlertsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.kitchen_alerts_queue.dlq_arn]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
  ]
}

module "kitchen_alert_processor_from_kitchen_alerts" {
  source                          = "./modules/sqs_trigger"
  function_name                   = module.kitchen_alert_processor_function.function_name
  function_role_name              = module.kitchen_alert_processor_function.role_name
  queue_arn                       = module.kitchen_alerts_queue.arn
  queue_fifo                      = module.kitchen_alerts_queue.fifo
  batch_size                      = 10
  maximum_batching_window_seconds = 1
  maximum_concurrency             = 2
}

module "kitchen_orders_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "kitchen-orders"
  hash_key    = "orderId"
}

# The kitchen channel is the one queue that can be switched to FIFO (var.kitchen_queue_fifo):
# ordered per customer, deduplicated by order id.
module "kitchen_orders_queue" {
  source                           = "./modules/queue_with_dlq"
  name_prefix                      = var.name_prefix
  name                             = "kitchen-orders"
  dlq_name                         = "kitchen-orders-dlq"
  fifo                             = var.kitchen_queue_fifo
  visibility_timeout_seconds       = 30
  max_receive_count                = 3
  alarm_oldest_message_age_seconds = 300
  alarm_actions                    = var.alarm_actions
}

# Passage-of-time events: one-time schedules deliver "prepare this delivery now" alerts here.
module "kitchen_alerts_queue" {
  source                           = "./modules/queue_with_dlq"
  name_prefix                      = var.name_prefix
  name                             = "kitchen-alerts"
  dlq_name                         = "kitchen-alerts-dlq"
  visibility_timeout_seconds       = 30
  max_receive_count                = 3
  alarm_oldest_message_age_seconds = 300
  alarm_actions                    = var.alarm_actions
}
