# Publish/subscribe. The order service publishes every order event to both channels, the topic
# and the bus, so the two can be compared; each subscriber's queue is fed by both, and its inbox
# drops the second copy. A subscriber's queue, and the policy letting exactly its topic subscription
# and its rule deliver there, live in the subscriber's own file (<service>_service.tf).

module "order_events_topic" {
  source      = "./modules/sns_topic"
  name_prefix = var.name_prefix
  name        = "order-events"

  subscriber_queue_arns = {
    "loyalty-order-events"       = module.loyalty_order_events_queue.arn
    "notifications-order-events" = module.notifications_order_events_queue.arn
    "delivery-order-events"      = module.delivery_order_events_queue.arn
    "analytics-order-events"     = module.analytics_order_events_queue.arn
  }
}

module "order_events_event_bus" {
  source      = "./modules/event_bus"
  name_prefix = var.name_prefix
  name        = "order-events"

  # Every version of order.confirmed matches, so an unsupported one reaches the subscriber's
  # anti-corruption layer and is dead-lettered with its reason instead of vanishing.
  rules = {
    "order-confirmed-to-loyalty" = {
      source             = "pizza.order-service"
      detail_type_prefix = "com.pizza.order.confirmed."
      queue_arn          = module.loyalty_order_events_queue.arn
    }
    "order-confirmed-to-notifications" = {
      source             = "pizza.order-service"
      detail_type_prefix = "com.pizza.order.confirmed."
      queue_arn          = module.notifications_order_events_queue.arn
    }
    "order-confirmed-to-delivery" = {
      source             = "pizza.order-service"
      detail_type_prefix = "com.pizza.order.confirmed."
      queue_arn          = module.delivery_order_events_queue.arn
    }
    "order-confirmed-to-analytics" = {
      source             = "pizza.order-service"
      detail_type_prefix = "com.pizza.order.confirmed."
      queue_arn          = module.analytics_order_events_queue.arn
    }
  }
}
