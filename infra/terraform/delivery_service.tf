# delivery_service: schedules one delivery per confirmed delivery order, to the address in the
# event, which it alone may decrypt.

module "delivery_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "delivery-processor"
  service_name    = "delivery"
  handler         = "delivery_service.wiring.handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "delivery_service", null)
  zip_path        = "${var.lambda_zip_dir}/delivery_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    INBOX_TABLE_NAME      = module.delivery_inbox_table.name
    INBOX_TTL_SECONDS     = "604800"
    DELIVERIES_TABLE_NAME = module.deliveries_table.name
    ORDER_PII_KEY_ID      = module.order_pii_key.arn
    DEAD_LETTER_QUEUE_URL = module.delivery_order_events_queue.dlq_url
    CLAIM_CHECK_BUCKET    = module.claim_checks_bucket.name
    # The restricted sections it may read: the delivery details of order.confirmed.
    CLAIM_CHECK_AUDIENCE = "delivery"
  }

  policy_statements = [
    {
      sid       = "DeliveryInboxTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.delivery_inbox_table.arn]
    },
    {
      sid       = "DeliveryInboxTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.delivery_inbox_table.arn]
    },
    {
      sid       = "DeliveryInboxTableDelete"
      actions   = local.dynamodb_delete_actions
      resources = [module.delivery_inbox_table.arn]
    },
    {
      sid       = "DeliveriesTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.deliveries_table.arn]
    },
    {
      sid       = "OrderPiiKeyDecrypt"
      actions   = local.kms_decrypt_actions
      resources = [module.order_pii_key.arn]
    },
    {
      sid       = "DeliveryOrderEventsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.delivery_order_events_queue.dlq_arn]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
    {
      sid       = "ClaimChecksDeliveryRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["restricted/delivery/"]]
    },
  ]
}

module "delivery_processor_from_delivery_order_events" {
  source                          = "./modules/sqs_trigger"
  function_name                   = module.delivery_processor_function.function_name
  function_role_name              = module.delivery_processor_function.role_name
  queue_arn                       = module.delivery_order_events_queue.arn
  queue_fifo                      = module.delivery_order_events_queue.fifo
  batch_size                      = 10
  maximum_batching_window_seconds = 1
  maximum_concurrency             = 2
}

# Its inbox: the CloudEvent ids it has seen, kept until their `expiration` (DynamoDB TTL deletes
# them after that).
module "delivery_inbox_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "delivery-inbox"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "deliveries_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "deliveries"
  hash_key    = "orderId"
}

# Its own queue, fed by the order-events topic and bus (pubsub.tf), read only by this function.
module "delivery_order_events_queue" {
  source                           = "./modules/queue_with_dlq"
  name_prefix                      = var.name_prefix
  name                             = "delivery-order-events"
  dlq_name                         = "delivery-order-events-dlq"
  visibility_timeout_seconds       = 30
  max_receive_count                = 3
  alarm_oldest_message_age_seconds = 300
  alarm_actions                    = var.alarm_actions
}

# The queue accepts deliveries from the topic and from its own rule, and from nothing else.
module "delivery_order_events_queue_policy" {
  source          = "./modules/queue_policy"
  queue_url       = module.delivery_order_events_queue.url
  queue_arn       = module.delivery_order_events_queue.arn
  sns_topic_arns  = [module.order_events_topic.arn]
  event_rule_arns = [module.order_confirmed_to_delivery_rule.arn]
}

# Its queue subscribed to the order-events topic.
module "delivery_order_events_subscription" {
  source    = "./modules/topic_subscription"
  topic_arn = module.order_events_topic.arn
  queue_arn = module.delivery_order_events_queue.arn
}

# Its rule on the order-events bus. Every version of order.confirmed matches, so an unsupported one
# reaches the anti-corruption layer and is dead-lettered with its reason instead of vanishing.
module "order_confirmed_to_delivery_rule" {
  source             = "./modules/event_rule"
  name_prefix        = var.name_prefix
  name               = "order-confirmed-to-delivery"
  event_bus_name     = module.order_events_event_bus.name
  source_name        = "pizza.order-service"
  detail_type_prefix = "com.pizza.order.confirmed."
  queue_arn          = module.delivery_order_events_queue.arn
}

output "delivery_order_events_queue_urls" {
  description = "The delivery subscriber's queue and its DLQ."
  value       = { url = module.delivery_order_events_queue.url, dlq_url = module.delivery_order_events_queue.dlq_url }
}
