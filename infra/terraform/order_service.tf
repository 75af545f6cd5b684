# order_service: the HTTP API that takes orders, the orchestrated saga (a durable function), the
# processor of the kitchen's acknowledgements, and the transactional outbox's relay. The first two store the events their changes produce on
# the order item itself; the orders table's stream brings those writes to the outbox publisher,
# which sends each event (to the kitchen, the order-events topic and bus, or as a scheduled
# kitchen alert, and each status change of an order with a callbackUrl to the webhook queue of
# order_updates.tf) and then marks it published. The same stream feeds the status broadcaster
# (order_updates.tf).

module "order_api_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-api"
  service_name    = "order-receiver"
  handler         = "order_service.http_api.handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    ORDERS_TABLE_NAME = module.orders_table.name
    # statusUrl's base: the API's public URL (on an emulator its /_aws/execute-api/<id> address,
    # which the request's own Host does not give), as the embedded deployer sets it.
    PUBLIC_API_URL = module.orders_http_api.url
    # Where the kitchen replies; written into order.placed, which the outbox publisher sends.
    ACKNOWLEDGEMENT_QUEUE_URL = module.order_acknowledgements_queue.url
    IDEMPOTENCY_TABLE_NAME    = module.order_api_idempotency_table.name
    # How long a POST /orders response is replayed for the same Idempotency-Key.
    IDEMPOTENCY_TTL_SECONDS = "86400"
    # How a placed order goes through: "saga" (the orchestrated saga) or "choreography".
    ORDER_WORKFLOW          = var.order_workflow
    ORDER_SAGA_FUNCTION_ARN = module.order_saga_function.alias_arn
    # GET /menu reads the inventory's stock levels.
    INVENTORY_STOCK_TABLE_NAME        = module.inventory_stock_table.name
    INVENTORY_RESERVATIONS_TABLE_NAME = module.inventory_reservations_table.name
    INITIAL_STOCK                     = "1000"
    # The claim check for the events it stores (claim_checks.tf).
    CLAIM_CHECK_BUCKET               = module.claim_checks_bucket.name
    CLAIM_CHECK_MODE                 = var.claim_check_mode
    CLAIM_CHECK_URL_LIFETIME_SECONDS = "7200"
    # The outbox rides on the order's item (DynamoDB: 400 KB at most, an order up to 320 KB).
    CLAIM_CHECK_THRESHOLD_BYTES = "16384"
    # The WebSocket API a customer watches their orders on (order_updates.tf): POST /orders answers
    # with a watchUrl on it, carrying a token signed with the watch-tokens key (valid
    # WATCH_TOKEN_LIFETIME_SECONDS). An order with a callbackUrl is answered with its webhook
    # secret, derived with the webhook-secrets key (kms.tf: one key per use).
    ORDER_UPDATES_URL            = module.order_updates_websocket_api.url
    WATCH_TOKEN_KEY_ID           = module.watch_tokens_key.arn
    WEBHOOK_SECRET_KEY_ID        = module.webhook_secrets_key.arn
    WATCH_TOKEN_LIFETIME_SECONDS = "86400"
    # callbackUrl: https only, to public addresses only; these origins (scheme://host:port,
    # comma-separated) are exempt, for a receiver on a developer's own machine.
    CALLBACK_URL_ALLOWED_ORIGINS = ""
  }

  policy_statements = [
    {
      sid       = "OrdersTableGet"
      actions   = local.dynamodb_get_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "OrdersTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.orders_table.arn]
    },
    # The only function that may make watch tokens.
    {
      sid       = "WatchTokensSign"
      actions   = local.kms_mac_sign_actions
      resources = [module.watch_tokens_key.arn]
    },
    {
      sid       = "WebhookSecretsDerive"
      actions   = local.kms_mac_derive_actions
      resources = [module.webhook_secrets_key.arn]
    },
    {
      sid       = "OrderApiIdempotencyTablePut"
      actions   = local.dynamodb_put_actions
      resources = [module.order_api_idempotency_table.arn]
    },
    {
      sid       = "OrderApiIdempotencyTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.order_api_idempotency_table.arn]
    },
    {
      sid       = "OrderApiIdempotencyTableDelete"
      actions   = local.dynamodb_delete_actions
      resources = [module.order_api_idempotency_table.arn]
    },
    {
      sid       = "OrderSagaStart"
      actions   = local.lambda_invoke_actions
      resources = [module.order_saga_function.alias_arn]
    },
    {
      sid       = "InventoryStockGet"
      actions   = local.dynamodb_get_actions
      resources = [module.inventory_stock_table.arn]
    },
    {
      sid       = "ClaimChecksSharedWrite"
      actions   = local.s3_object_write_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
  ]
}

# The orchestrated saga: a durable function that takes an order through stock, payment and the
# kitchen (waiting for its callback), and undoes what it did when a step refuses or fails. It calls
# the inventory's and the payment service's use cases in-process (their packages are in
# order_service's zip and image, see infra/system.yaml's with_packages).
module "order_saga_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-saga"
  service_name    = "order-saga"
  handler         = "order_service.saga_wiring.handler"
  timeout_seconds = 30
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  durable = {
    execution_timeout_seconds = 3600
    retention_days            = 1
    alias                     = "live"
    # An undo that kept failing leaves the order COMPENSATION_FAILED: the saga emits this metric.
    alarm_metric = "CompensationsFailed"
  }
  alarm_actions = var.alarm_actions

  environment = {
    ORDERS_TABLE_NAME = module.orders_table.name
    KITCHEN_QUEUE_URL = module.kitchen_orders_queue.url
    # No answer from the kitchen within this time is a business failure: the saga compensates.
    KITCHEN_ANSWER_TIMEOUT_SECONDS    = "300"
    ORDER_CONFIRMED_VERSION           = "2"
    ORDER_PII_KEY_ID                  = module.order_pii_key.arn
    KITCHEN_ALERT_LEAD_SECONDS        = "1800"
    INVENTORY_STOCK_TABLE_NAME        = module.inventory_stock_table.name
    INVENTORY_RESERVATIONS_TABLE_NAME = module.inventory_reservations_table.name
    INITIAL_STOCK                     = "1000"
    PAYMENTS_TABLE_NAME               = module.payments_table.name
    # Documented demo rules: these customers are always declined, and so is any order over the limit.
    DECLINED_CUSTOMERS        = "c-declined"
    PAYMENT_LIMIT_MINOR_UNITS = "1000000"
    PAYMENT_CURRENCY          = "EUR"
    # The claim check for the events it stores (claim_checks.tf).
    CLAIM_CHECK_BUCKET               = module.claim_checks_bucket.name
    CLAIM_CHECK_MODE                 = var.claim_check_mode
    CLAIM_CHECK_URL_LIFETIME_SECONDS = "7200"
    # The outbox rides on the order's item (DynamoDB: 400 KB at most, an order up to 320 KB).
    CLAIM_CHECK_THRESHOLD_BYTES = "16384"
  }

  policy_statements = [
    {
      sid       = "OrdersTableGet"
      actions   = local.dynamodb_get_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "OrdersTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "KitchenOrdersSend"
      actions   = local.sqs_send_actions
      resources = [module.kitchen_orders_queue.arn]
    },
    {
      sid       = "OrderPiiEncrypt"
      actions   = local.kms_encrypt_actions
      resources = [module.order_pii_key.arn]
    },
    {
      sid       = "InventoryStockUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.inventory_stock_table.arn]
    },
    {
      sid       = "InventoryReservationsGet"
      actions   = local.dynamodb_get_actions
      resources = [module.inventory_reservations_table.arn]
    },
    {
      sid       = "InventoryReservationsPut"
      actions   = local.dynamodb_put_actions
      resources = [module.inventory_reservations_table.arn]
    },
    {
      sid       = "InventoryReservationsUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.inventory_reservations_table.arn]
    },
    {
      sid       = "PaymentsGet"
      actions   = local.dynamodb_get_actions
      resources = [module.payments_table.arn]
    },
    {
      sid       = "PaymentsPut"
      actions   = local.dynamodb_put_actions
      resources = [module.payments_table.arn]
    },
    {
      sid       = "PaymentsUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.payments_table.arn]
    },
    {
      sid       = "OwnExecutionsCheckpoint"
      actions   = local.lambda_durable_run_actions
      resources = [module.order_saga_function.durable_executions_arn]
    },
    {
      sid       = "ClaimChecksSharedWrite"
      actions   = local.s3_object_write_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
    {
      sid       = "ClaimChecksDeliveryWrite"
      actions   = local.s3_object_write_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["restricted/delivery/"]]
    },
  ]
}

module "order_acknowledgement_processor_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-acknowledgement-processor"
  service_name    = "acknowledgement-processor"
  handler         = "order_service.wiring.acknowledgement_handler"
  timeout_seconds = 10
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    ORDERS_TABLE_NAME     = module.orders_table.name
    DEAD_LETTER_QUEUE_URL = module.order_acknowledgements_queue.dlq_url
    # The version of order.confirmed written to the outbox; consumers accept v1 and v2.
    ORDER_CONFIRMED_VERSION = "2"
    ORDER_PII_KEY_ID        = module.order_pii_key.arn
    # The kitchen is alerted this long before a delivery order is due.
    KITCHEN_ALERT_LEAD_SECONDS = "1800"
    # The claim check for the events it stores (claim_checks.tf).
    CLAIM_CHECK_BUCKET               = module.claim_checks_bucket.name
    CLAIM_CHECK_MODE                 = var.claim_check_mode
    CLAIM_CHECK_URL_LIFETIME_SECONDS = "7200"
    # The outbox rides on the order's item (DynamoDB: 400 KB at most, an order up to 320 KB).
    CLAIM_CHECK_THRESHOLD_BYTES = "16384"
  }

  policy_statements = [
    {
      sid       = "OrdersTableGet"
      actions   = local.dynamodb_get_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "OrdersTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "OrderAcknowledgementsDlqSend"
      actions   = local.sqs_send_actions
      resources = [module.order_acknowledgements_queue.dlq_arn]
    },
    {
      sid       = "OrderPiiKeyEncrypt"
      actions   = local.kms_encrypt_actions
      resources = [module.order_pii_key.arn]
    },
    {
      sid       = "ClaimChecksSharedWrite"
      actions   = local.s3_object_write_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
    {
      sid       = "ClaimChecksSharedRead"
      actions   = local.s3_object_read_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["shared/"]]
    },
    {
      sid       = "ClaimChecksDeliveryWrite"
      actions   = local.s3_object_write_actions
      resources = [module.claim_checks_bucket.prefix_objects_arns["restricted/delivery/"]]
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

# The transactional outbox's relay: the orders table's stream brings every change that stored a
# pending event; this function sends each one where it goes, then marks it published.
module "order_outbox_publisher_function" {
  source          = "./modules/lambda_function"
  name_prefix     = var.name_prefix
  name            = "order-outbox-publisher"
  service_name    = "order-outbox"
  handler         = "order_service.wiring.outbox_handler"
  timeout_seconds = 30
  memory_mb       = 256
  package_type    = var.lambda_package_type
  image_uri       = lookup(var.service_images, "order_service", null)
  zip_path        = "${var.lambda_zip_dir}/order_service.zip"
  runtime         = var.lambda_runtime
  otlp_endpoint   = var.otlp_endpoint

  environment = {
    ORDERS_TABLE_NAME      = module.orders_table.name
    KITCHEN_QUEUE_URL      = module.kitchen_orders_queue.url
    ORDER_EVENTS_TOPIC_ARN = module.order_events_topic.arn
    ORDER_EVENTS_BUS_NAME  = module.order_events_event_bus.name
    # Which channels carry order events: "sns", "eventbridge", or both (comma-separated).
    ORDER_EVENT_CHANNELS             = "sns"
    KITCHEN_ALERT_SCHEDULE_GROUP     = module.kitchen_alerts_schedule_group.name
    KITCHEN_ALERT_QUEUE_ARN          = module.kitchen_alerts_queue.arn
    KITCHEN_ALERT_SCHEDULER_ROLE_ARN = module.kitchen_alerts_schedule_group.role_arn
    # Each status change of an order with a callbackUrl, for the webhook dispatcher (order_updates.tf).
    WEBHOOK_QUEUE_URL = module.order_webhooks_queue.url
  }

  policy_statements = [
    {
      sid       = "OrdersTableUpdate"
      actions   = local.dynamodb_update_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "OrdersTablePartiQLUpdate"
      actions   = local.dynamodb_partiql_update_actions
      resources = [module.orders_table.arn]
    },
    {
      sid       = "KitchenOrdersSend"
      actions   = local.sqs_send_actions
      resources = [module.kitchen_orders_queue.arn]
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
      sid       = "KitchenAlertSchedulesManage"
      actions   = local.scheduler_schedule_actions
      resources = [module.kitchen_alerts_schedule_group.schedules_arn]
    },
    {
      sid       = "KitchenAlertSchedulerRolePass"
      actions   = local.iam_pass_role_actions
      resources = [module.kitchen_alerts_schedule_group.role_arn]
    },
    {
      sid       = "OrdersStreamRead"
      actions   = local.dynamodb_stream_read_actions
      resources = [module.orders_table.streams_arn]
    },
    {
      sid       = "OrderOutboxFailuresSend"
      actions   = local.sqs_send_actions
      resources = [module.order_outbox_failures_queue.arn]
    },
    {
      sid       = "OrderWebhooksSend"
      actions   = local.sqs_send_actions
      resources = [module.order_webhooks_queue.arn]
    },
  ]
}

# The outbox relay. Only writes that stored a pending event pass the filter: the publisher's own
# "mark published" updates remove the flag, so they never trigger it again. Up to 100 records an
# invocation: the relay sends them in batch calls (10 events a call) and marks them 25 items a
# call, so a backlog drains in few invocations.
module "order_outbox_publisher_from_orders_stream" {
  source                          = "./modules/dynamodb_stream_trigger"
  function_name                   = module.order_outbox_publisher_function.function_name
  stream_arn                      = module.orders_table.stream_arn
  starting_position               = "TRIM_HORIZON"
  batch_size                      = 100
  maximum_batching_window_seconds = 0
  bisect_batch_on_function_error  = true
  maximum_retry_attempts          = -1
  maximum_record_age_seconds      = -1
  on_failure_destination_arn      = module.order_outbox_failures_queue.arn

  filter_patterns = [
    {
      eventName = ["INSERT", "MODIFY"]
      dynamodb  = { NewImage = { outboxPending = { S = [{ exists = true }] } } }
    },
  ]

  # The relay is stuck (its stream batch keeps failing, so pending events wait); the events are
  # still on the items: `pizza outbox` lists them.
  alarm_iterator_age_seconds = 300
  alarm_actions              = var.alarm_actions
}

module "orders_http_api" {
  source                = "./modules/http_api"
  name_prefix           = var.name_prefix
  name                  = "orders"
  emulator_endpoint_url = var.aws_endpoint_url

  functions = {
    "order-api" = {
      function_name = module.order_api_function.function_name
      invoke_arn    = module.order_api_function.invoke_arn
    }
  }

  routes = {
    "POST /orders"          = "order-api"
    "GET /orders/{orderId}" = "order-api"
    "GET /menu"             = "order-api"
    "GET /openapi.json"     = "order-api"
  }

  # A browser page on another origin (the live order page) may call it; the API uses no cookies.
  cors = {
    allow_origins   = ["*"]
    allow_methods   = ["GET", "POST", "OPTIONS"]
    allow_headers   = ["content-type", "idempotency-key"]
    expose_headers  = ["location", "retry-after"]
    max_age_seconds = 300
  }
}

# The transactional outbox: pending events ride on the order item, and reach the outbox publisher
# through this table's stream. Old images too: the status broadcaster (order_updates.tf) tells a
# status change from any other write by comparing the two.
module "orders_table" {
  source           = "./modules/dynamodb_table"
  name_prefix      = var.name_prefix
  name             = "orders"
  hash_key         = "orderId"
  stream_view_type = "NEW_AND_OLD_IMAGES"
}

# POST /orders responses by Idempotency-Key (Powertools idempotency records), kept for a day.
module "order_api_idempotency_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "order-api-idempotency"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "order_acknowledgements_queue" {
  source                           = "./modules/queue_with_dlq"
  name_prefix                      = var.name_prefix
  name                             = "order-acknowledgements"
  dlq_name                         = "order-acknowledgements-dlq"
  visibility_timeout_seconds       = 30
  max_receive_count                = 3
  alarm_oldest_message_age_seconds = 300
  alarm_actions                    = var.alarm_actions
}

# Stream batches the outbox publisher could not publish within its retry policy land here, as
# pointers to the stream records (not the records); their events stay pending on the order item.
# No DLQ: nothing consumes this queue automatically.
module "order_outbox_failures_queue" {
  source                           = "./modules/sqs_queue"
  name_prefix                      = var.name_prefix
  name                             = "order-outbox-failures"
  visibility_timeout_seconds       = 30
  alarm_oldest_message_age_seconds = 300
  alarm_actions                    = var.alarm_actions
}
