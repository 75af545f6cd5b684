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
