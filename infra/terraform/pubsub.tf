# Publish/subscribe. The order service publishes every order event to both channels, the topic
# and the bus, so the two can be compared; each subscriber's queue is fed by both, and its inbox
# drops the second copy.

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

# Each subscriber queue accepts deliveries from the topic and from its rule, and from nothing else.

module "loyalty_order_events_queue_policy" {
  source          = "./modules/queue_policy"
  queue_url       = module.loyalty_order_events_queue.url
  queue_arn       = module.loyalty_order_events_queue.arn
  sns_topic_arns  = [module.order_events_topic.arn]
  event_rule_arns = [module.order_events_event_bus.rule_arns["order-confirmed-to-loyalty"]]
}

module "notifications_order_events_queue_policy" {
  source          = "./modules/queue_policy"
  queue_url       = module.notifications_order_events_queue.url
  queue_arn       = module.notifications_order_events_queue.arn
  sns_topic_arns  = [module.order_events_topic.arn]
  event_rule_arns = [module.order_events_event_bus.rule_arns["order-confirmed-to-notifications"]]
}

module "delivery_order_events_queue_policy" {
  source          = "./modules/queue_policy"
  queue_url       = module.delivery_order_events_queue.url
  queue_arn       = module.delivery_order_events_queue.arn
  sns_topic_arns  = [module.order_events_topic.arn]
  event_rule_arns = [module.order_events_event_bus.rule_arns["order-confirmed-to-delivery"]]
}

module "analytics_order_events_queue_policy" {
  source          = "./modules/queue_policy"
  queue_url       = module.analytics_order_events_queue.url
  queue_arn       = module.analytics_order_events_queue.arn
  sns_topic_arns  = [module.order_events_topic.arn]
  event_rule_arns = [module.order_events_event_bus.rule_arns["order-confirmed-to-analytics"]]
}
