# The subscriptions and rules were once made by the topic and bus modules, one per map entry; each
# now has its own module call in its subscriber's file. These keep an applied state's resources.

moved {
  from = module.order_events_topic.aws_sns_topic_subscription.queue["loyalty-order-events"]
  to   = module.loyalty_order_events_subscription.aws_sns_topic_subscription.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_rule.this["order-confirmed-to-loyalty"]
  to   = module.order_confirmed_to_loyalty_rule.aws_cloudwatch_event_rule.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_target.queue["order-confirmed-to-loyalty"]
  to   = module.order_confirmed_to_loyalty_rule.aws_cloudwatch_event_target.queue
}

moved {
  from = module.order_events_topic.aws_sns_topic_subscription.queue["notifications-order-events"]
  to   = module.notifications_order_events_subscription.aws_sns_topic_subscription.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_rule.this["order-confirmed-to-notifications"]
  to   = module.order_confirmed_to_notifications_rule.aws_cloudwatch_event_rule.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_target.queue["order-confirmed-to-notifications"]
  to   = module.order_confirmed_to_notifications_rule.aws_cloudwatch_event_target.queue
}

moved {
  from = module.order_events_topic.aws_sns_topic_subscription.queue["delivery-order-events"]
  to   = module.delivery_order_events_subscription.aws_sns_topic_subscription.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_rule.this["order-confirmed-to-delivery"]
  to   = module.order_confirmed_to_delivery_rule.aws_cloudwatch_event_rule.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_target.queue["order-confirmed-to-delivery"]
  to   = module.order_confirmed_to_delivery_rule.aws_cloudwatch_event_target.queue
}

moved {
  from = module.order_events_topic.aws_sns_topic_subscription.queue["analytics-order-events"]
  to   = module.analytics_order_events_subscription.aws_sns_topic_subscription.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_rule.this["order-confirmed-to-analytics"]
  to   = module.order_confirmed_to_analytics_rule.aws_cloudwatch_event_rule.this
}

moved {
  from = module.order_events_event_bus.aws_cloudwatch_event_target.queue["order-confirmed-to-analytics"]
  to   = module.order_confirmed_to_analytics_rule.aws_cloudwatch_event_target.queue
}
