# order_service: the HTTP API that takes orders, and the processor of the kitchen's
# acknowledgements, which publishes order events and schedules the kitchen's delivery alerts.

module "order_api_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-api"
  service_name    = "order-receiver"
  handler         = "order_service.handlers.http_api.handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    ORDERS_TABLE_NAME         = module.orders_table.name
    KITCHEN_QUEUE_URL         = module.kitchen_orders_queue.url
    ACKNOWLEDGEMENT_QUEUE_URL = module.order_acknowledgements_queue.url
  }

  policy_statements = [
    {
      sid       = "OrdersTableReadWrite"
      actions   = local.dynamodb_read_write_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "KitchenOrdersSend"
      actions   = local.sqs_send_actions
      resources = [module.kitchen_orders_queue.arn]
    },
  ]
}

module "order_acknowledgement_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-acknowledgement-processor"
  service_name    = "acknowledgement-processor"
  handler         = "order_service.handlers.acknowledgement_processor.handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    ORDERS_TABLE_NAME      = module.orders_table.name
    DEAD_LETTER_QUEUE_URL  = module.order_acknowledgements_queue.dlq_url
    ORDER_EVENTS_TOPIC_ARN = module.order_events_topic.arn
    ORDER_EVENTS_BUS_NAME  = module.order_events_event_bus.name
    # Which channels carry order events: "sns", "eventbridge", or both (comma-separated).
    ORDER_EVENT_CHANNELS = "sns,eventbridge"
    # The version of order.confirmed published; consumers accept v1 and v2.
    ORDER_CONFIRMED_VERSION          = "2"
    ORDER_PII_KEY_ID                 = module.order_pii_key.arn
    KITCHEN_ALERT_SCHEDULE_GROUP     = module.kitchen_alerts_schedule_group.name
    KITCHEN_ALERT_QUEUE_ARN          = module.kitchen_alerts_queue.arn
    KITCHEN_ALERT_SCHEDULER_ROLE_ARN = module.kitchen_alerts_schedule_group.role_arn
    # The kitchen is alerted this long before a delivery order is due.
    KITCHEN_ALERT_LEAD_SECONDS = "1800"
  }

  policy_statements = [
    {
      sid       = "OrdersTableReadWrite"
      actions   = local.dynamodb_read_write_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "OrderAcknowledgementsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.order_acknowledgements_queue.dlq_arn]
    },
    {
      sid       = "OrderEventsTopicPublish"
      actions   = local.sns_publish_actions
      resources = [module.order_events_topic.arn]
    },
    {
      sid       = "OrderEventsBusPutEvents"
      actions   = local.events_put_actions
      resources = [module.order_events_event_bus.arn]
    },
    {
      sid       = "OrderPiiKeyEncrypt"
      actions   = local.kms_encrypt_actions
      resources = [module.order_pii_key.arn]
    },
    {
      sid       = "KitchenAlertSchedulesManage"
      actions   = local.scheduler_schedule_actions
      resources = [module.kitchen_alerts_schedule_group.schedules_arn]
    },
    {
      sid       = "KitchenAlertSchedulerRolePass"
      actions   = local.iam_pass_role_actions
      resources = [module.kitchen_alerts_schedule_group.role_arn]
    },
  ]
}

module "order_acknowledgement_processor_from_order_acknowledgements" {
  source                          = "./modules/sqs_trigger"
  function_name                   = module.order_acknowledgement_processor_function.function_name
  function_role_name              = module.order_acknowledgement_processor_function.role_name
  queue_arn                       = module.order_acknowledgements_queue.arn
  queue_fifo                      = module.order_acknowledgements_queue.fifo
  batch_size                      = 10
  maximum_batching_window_seconds = 1
  maximum_concurrency             = 2
}

module "orders_http_api" {
  source      = "./modules/http_api"
  name_prefix = var.name_prefix
  name        = "orders"

  functions = {
    "order-api" = {
      function_name = module.order_api_function.function_name
      invoke_arn    = module.order_api_function.invoke_arn
    }
  }

  routes = {
    "POST /orders"          = "order-api"
    "GET /orders/{orderId}" = "order-api"
  }
}
