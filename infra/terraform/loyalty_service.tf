# loyalty_service: awards points once per confirmed order (its inbox drops the second copy).

module "loyalty_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "loyalty-processor"
  service_name    = "loyalty"
  handler         = "loyalty_service.wiring.handler"
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
    CLAIM_CHECK_BUCKET          = module.claim_checks_bucket.name
  }

  policy_statements = [
    {
      sid       = "LoyaltyInboxTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.loyalty_inbox_table.arn]
    },
    {
      sid       = "LoyaltyInboxTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.loyalty_inbox_table.arn]
    },
    {
      sid       = "LoyaltyInboxTableDelete"
      actions   = local.dynamodb_delete_actions
      resources = [module.loyalty_inbox_table.arn]
    },
    {
      sid       = "LoyaltyAccountsTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.loyalty_accounts_table.arn]
    },
    {
      sid       = "LoyaltyAccountsTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.loyalty_accounts_table.arn]
    },
    {
      sid       = "LoyaltyOrderEventsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.loyalty_order_events_queue.dlq_arn]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
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

# Its inbox: the CloudEvent ids it has seen, kept until their `expiration` (DynamoDB TTL deletes
# them after that).
module "loyalty_inbox_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "loyalty-inbox"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "loyalty_accounts_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "loyalty-accounts"
  hash_key    = "pk"
}

# Its own queue, fed by the order-events topic and bus (pubsub.tf), read only by this function.
module "loyalty_order_events_queue" {
  source                           = "./modules/queue_with_dlq"
  name_prefix                      = var.name_prefix
  name                             = "loyalty-order-events"
  dlq_name                         = "loyalty-order-events-dlq"
  visibility_timeout_seconds       = 30
  max_receive_count                = 3
  alarm_oldest_message_age_seconds = 300
  alarm_actions                    = var.alarm_actions
}

# The queue accepts deliveries from the topic and from its own rule, and from nothing else.
module "loyalty_order_events_queue_policy" {
  source          = "./modules/queue_policy"
  queue_url       = module.loyalty_order_events_queue.url
  queue_arn       = module.loyalty_order_events_queue.arn
  sns_topic_arns  = [module.order_events_topic.arn]
  event_rule_arns = [module.order_confirmed_to_loyalty_rule.arn]
}

# Its queue subscribed to the order-events topic.
module "loyalty_order_events_subscription" {
  source    = "./modules/topic_subscription"
  topic_arn = module.order_events_topic.arn
  queue_arn = module.loyalty_order_events_queue.arn
}

# Its rule on the order-events bus. Every version of order.confirmed matches, so an unsupported one
# reaches the anti-corruption layer and is dead-lettered with its reason instead of vanishing.
module "order_confirmed_to_loyalty_rule" {
  source             = "./modules/event_rule"
  name_prefix        = var.name_prefix
  name               = "order-confirmed-to-loyalty"
  event_bus_name     = module.order_events_event_bus.name
  source_name        = "pizza.order-service"
  detail_type_prefix = "com.pizza.order.confirmed."
  queue_arn          = module.loyalty_order_events_queue.arn
}

output "loyalty_order_events_queue_urls" {
  description = "The loyalty subscriber's queue and its DLQ."
  value       = { url = module.loyalty_order_events_queue.url, dlq_url = module.loyalty_order_events_queue.dlq_url }
}
