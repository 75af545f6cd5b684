# notifications_service: confirms each order to its customer once, by e-mail or SMS, through its
# own copy of the customer's contact details (events never carry them).

module "notifications_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "notifications-processor"
  service_name    = "notifications"
  handler         = "notifications_service.wiring.handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "notifications_service", null)
  zip_path        = "${var.lambda_zip_dir}/notifications_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    INBOX_TABLE_NAME             = module.notifications_inbox_table.name
    INBOX_TTL_SECONDS            = "604800"
    NOTIFICATIONS_TABLE_NAME     = module.notifications_table.name
    CUSTOMER_CONTACTS_TABLE_NAME = module.customer_contacts_table.name
    DEAD_LETTER_QUEUE_URL        = module.notifications_order_events_queue.dlq_url
    CLAIM_CHECK_BUCKET           = module.claim_checks_bucket.name
  }

  policy_statements = [
    {
      sid       = "NotificationsInboxTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.notifications_inbox_table.arn]
    },
    {
      sid       = "NotificationsInboxTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.notifications_inbox_table.arn]
    },
    {
      sid       = "NotificationsInboxTableDelete"
      actions   = local.dynamodb_delete_actions
      resources = [module.notifications_inbox_table.arn]
    },
    {
      sid       = "NotificationsTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.notifications_table.arn]
    },
    {
      sid       = "CustomerContactsTableGet"
      actions   = local.dynamodb_get_actions
      resources = [module.customer_contacts_table.arn]
    },
    {
      sid       = "NotificationsOrderEventsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.notifications_order_events_queue.dlq_arn]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
  ]
}

module "notifications_processor_from_notifications_order_events" {
  source                          = "./modules/sqs_trigger"
  function_name                   = module.notifications_processor_function.function_name
  function_role_name              = module.notifications_processor_function.role_name
  queue_arn                       = module.notifications_order_events_queue.arn
  queue_fifo                      = module.notifications_order_events_queue.fifo
  batch_size                      = 10
  maximum_batching_window_seconds = 1
  maximum_concurrency             = 2
}

# Its inbox: the CloudEvent ids it has seen, kept until their `expiration` (DynamoDB TTL deletes
# them after that).
module "notifications_inbox_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "notifications-inbox"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "notifications_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "notifications"
  hash_key    = "orderId"
}

module "customer_contacts_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "customer-contacts"
  hash_key    = "customerId"
}

# Its own queue, fed by the order-events topic and bus (pubsub.tf), read only by this function.
module "notifications_order_events_queue" {
  source                           = "./modules/queue_with_dlq"
  name_prefix                      = var.name_prefix
  name                             = "notifications-order-events"
  dlq_name                         = "notifications-order-events-dlq"
  visibility_timeout_seconds       = 30
  max_receive_count                = 3
  alarm_oldest_message_age_seconds = 300
  alarm_actions                    = var.alarm_actions
}

# The queue accepts deliveries from the topic and from its own rule, and from nothing else.
module "notifications_order_events_queue_policy" {
  source          = "./modules/queue_policy"
  queue_url       = module.notifications_order_events_queue.url
  queue_arn       = module.notifications_order_events_queue.arn
  sns_topic_arns  = [module.order_events_topic.arn]
  event_rule_arns = [module.order_confirmed_to_notifications_rule.arn]
}

# Its queue subscribed to the order-events topic.
module "notifications_order_events_subscription" {
  source    = "./modules/topic_subscription"
  topic_arn = module.order_events_topic.arn
  queue_arn = module.notifications_order_events_queue.arn
}

# Its rule on the order-events bus. Every version of order.confirmed matches, so an unsupported one
# reaches the anti-corruption layer and is dead-lettered with its reason instead of vanishing.
module "order_confirmed_to_notifications_rule" {
  source             = "./modules/event_rule"
  name_prefix        = var.name_prefix
  name               = "order-confirmed-to-notifications"
  event_bus_name     = module.order_events_event_bus.name
  source_name        = "pizza.order-service"
  detail_type_prefix = "com.pizza.order.confirmed."
  queue_arn          = module.notifications_order_events_queue.arn
}

output "notifications_order_events_queue_urls" {
  description = "The notifications subscriber's queue and its DLQ."
  value       = { url = module.notifications_order_events_queue.url, dlq_url = module.notifications_order_events_queue.dlq_url }
}
