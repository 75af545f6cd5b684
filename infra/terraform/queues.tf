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

# One queue per subscriber, at its own boundary: fed by the order-events topic and bus (see
# pubsub.tf), read only by that subscriber's function.

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

module "analytics_order_events_queue" {
  source                           = "./modules/queue_with_dlq"
  name_prefix                      = var.name_prefix
  name                             = "analytics-order-events"
  dlq_name                         = "analytics-order-events-dlq"
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
