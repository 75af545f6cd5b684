# order_updates_service: how a customer hears of their orders' status changes without polling.
# Webhooks: the outbox relay puts each status change of an order with a callbackUrl on the
# order-webhooks queue; the dispatcher POSTs it there, signed with the order's secret (derived with
# the webhook-secrets HMAC key, kms.tf). WebSockets: a browser connects to the order-updates API
# with a watch token (signed by the order API with the watch-tokens HMAC key: a key of its own, so
# the dispatcher cannot make one); the connection handler checks it and records the connection;
# the broadcaster reads the orders table's stream and pushes each status change to the
# connections watching that customer.

# Webhooks: one message per status change of an order that has a callbackUrl. The dispatcher
# retries a failed delivery with growing delays (it changes the message's visibility) and, after
# WEBHOOK_MAX_ATTEMPTS, dead-letters it itself with the reason; the queue's own redrive (more
# receives than that) is the safety net for a crashing dispatcher.
module "order_webhooks_queue" {
  source      = "./modules/queue_with_dlq"
  name_prefix = var.name_prefix
  name        = "order-webhooks"
  dlq_name    = "order-webhooks-dlq"
  # Six times the dispatcher's timeout (AWS's advice): a batch still being worked on is not handed
  # out again. A failed delivery comes back after its own backoff delay, not this.
  visibility_timeout_seconds = 180
  max_receive_count          = 12
  # Beyond the whole retry schedule (8 attempts, 10 s doubling between them: 21 minutes at most).
  alarm_oldest_message_age_seconds = 3600
  alarm_actions                    = var.alarm_actions
}

# Open WebSocket connections watching a customer's orders: one item per connection, found by
# customer through the index. An item expires after expiresAt (API Gateway closes a connection
# after two hours), so a connection whose $disconnect never ran does not linger.
module "order_update_connections_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "order-update-connections"
  hash_key      = "connectionId"
  ttl_attribute = "expiresAt"

  indexes = {
    "by-customer" = { hash_key = "customerId" }
  }
}

# POSTs each status change to the order's callbackUrl, signed the Standard Webhooks way with the
# order's secret, after checking the URL again (DNS may have changed since).
module "order_webhook_dispatcher_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-webhook-dispatcher"
  service_name    = "order-webhooks"
  handler         = "order_updates_service.wiring.webhook_handler"
  timeout_seconds = 30
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_updates_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_updates_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    DEAD_LETTER_QUEUE_URL = module.order_webhooks_queue.dlq_url
    # Its own queue: a failed delivery's message is postponed there (its visibility changed).
    WEBHOOK_QUEUE_URL            = module.order_webhooks_queue.url
    WEBHOOK_SECRET_KEY_ID        = module.webhook_secrets_key.arn
    CALLBACK_URL_ALLOWED_ORIGINS = ""
    # A receiver gets this long to answer; a failed delivery is tried again after a delay that
    # doubles each time (from the base, with jitter, at most the cap), WEBHOOK_MAX_ATTEMPTS in all.
    WEBHOOK_TIMEOUT_SECONDS    = "5"
    WEBHOOK_RETRY_BASE_SECONDS = "10"
    WEBHOOK_RETRY_CAP_SECONDS  = "900"
    WEBHOOK_MAX_ATTEMPTS       = "8"
  }

  policy_statements = [
    {
      sid       = "WebhookSecretsDerive"
      actions   = local.kms_mac_derive_actions
      resources = [module.webhook_secrets_key.arn]
    },
    {
      sid       = "OrderWebhooksDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.order_webhooks_queue.dlq_arn]
    },
    {
      sid       = "OrderWebhooksQueuePostpone"
      actions   = local.sqs_postpone_actions
      resources = [module.order_webhooks_queue.arn]
    },
  ]
}

module "order_webhook_dispatcher_from_order_webhooks" {
  source             = "./modules/sqs_trigger"
  function_name      = module.order_webhook_dispatcher_function.function_name
  function_role_name = module.order_webhook_dispatcher_function.role_name
  queue_arn          = module.order_webhooks_queue.arn
  queue_fifo         = module.order_webhooks_queue.fifo
  # Deliveries run one after another: 5 receivers taking the whole 5 s timeout end within 30 s.
  batch_size                      = 5
  maximum_batching_window_seconds = 1
  maximum_concurrency             = 5
}

# WebSockets: $connect (with a customer id and a watch token) and $disconnect.
module "order_updates_connections_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-updates-connections"
  service_name    = "order-updates-connections"
  handler         = "order_updates_service.wiring.connections_handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_updates_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_updates_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    CONNECTIONS_TABLE_NAME = module.order_update_connections_table.name
    WATCH_TOKEN_KEY_ID     = module.watch_tokens_key.arn
    # API Gateway closes a connection after two hours; its item expires a little later.
    CONNECTION_TTL_SECONDS = "7500"
  }

  policy_statements = [
    {
      sid       = "OrderUpdateConnectionsPut"
      actions   = local.dynamodb_put_actions
      resources = [module.order_update_connections_table.arn]
    },
    {
      sid       = "OrderUpdateConnectionsDelete"
      actions   = local.dynamodb_delete_actions
      resources = [module.order_update_connections_table.arn]
    },
    # Checks watch tokens, never makes one; nothing on the webhook-secrets key.
    {
      sid       = "WatchTokensVerify"
      actions   = local.kms_mac_verify_actions
      resources = [module.watch_tokens_key.arn]
    },
  ]
}

# Each status change, pushed to the connections watching that customer's orders.
module "order_updates_broadcaster_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-updates-broadcaster"
  service_name    = "order-updates-broadcaster"
  handler         = "order_updates_service.wiring.broadcast_handler"
  timeout_seconds = 30
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_updates_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_updates_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    CONNECTIONS_TABLE_NAME       = module.order_update_connections_table.name
    ORDER_UPDATES_MANAGEMENT_URL = module.order_updates_websocket_api.management_url
  }

  policy_statements = [
    {
      sid       = "OrderUpdateConnectionsDelete"
      actions   = local.dynamodb_delete_actions
      resources = [module.order_update_connections_table.arn]
    },
    {
      sid       = "OrderUpdateConnectionsByCustomerQuery"
      actions   = local.dynamodb_index_query_actions
      resources = [module.order_update_connections_table.index_arns["by-customer"]]
    },
    {
      sid       = "OrdersStreamRead"
      actions   = local.dynamodb_stream_read_actions
      resources = [module.orders_table.streams_arn]
    },
    {
      sid       = "OrderUpdatesConnectionsPost"
      actions   = local.execute_api_manage_connections_actions
      resources = [module.order_updates_websocket_api.connections_arn]
    },
  ]
}

# Every insert and change of an order; the broadcaster finds the status changes itself (a filter
# cannot compare old and new images). Pushing is best effort (a page that misses one polls), so a
# batch is retried a few times, then skipped: no on-failure queue.
module "order_updates_broadcaster_from_orders_stream" {
  source                          = "./modules/dynamodb_stream_trigger"
  function_name                   = module.order_updates_broadcaster_function.function_name
  stream_arn                      = module.orders_table.stream_arn
  starting_position               = "LATEST"
  batch_size                      = 10
  maximum_batching_window_seconds = 0
  bisect_batch_on_function_error  = true
  maximum_retry_attempts          = 3
  maximum_record_age_seconds      = 300

  filter_patterns = [
    { eventName = ["INSERT", "MODIFY"] },
  ]

  alarm_iterator_age_seconds = 300
  alarm_actions              = var.alarm_actions
}

# A customer's browser connects with ?customerId=&token=.
module "order_updates_websocket_api" {
  source                = "./modules/websocket_api"
  name_prefix           = var.name_prefix
  name                  = "order-updates"
  emulator_endpoint_url = var.aws_endpoint_url

  functions = {
    "order-updates-connections" = {
      function_name = module.order_updates_connections_function.function_name
      invoke_arn    = module.order_updates_connections_function.invoke_arn
    }
  }

  routes = {
    "$connect"    = "order-updates-connections"
    "$disconnect" = "order-updates-connections"
  }
}
