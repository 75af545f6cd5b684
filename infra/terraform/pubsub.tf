# Publish/subscribe. The order service publishes every order event to both channels, the topic
# and the bus, so the two can be compared; each subscriber's queue is fed by both, and its inbox
# drops the second copy. Each subscriber subscribes its queue to the topic and adds its rule to the
# bus in its own file (<service>_service.tf), beside its queue and the policy letting exactly that
# subscription and that rule deliver there.

module "order_events_topic" {
  source      = "./modules/sns_topic"
  name_prefix = var.name_prefix
  name        = "order-events"
}

module "order_events_event_bus" {
  source      = "./modules/event_bus"
  name_prefix = var.name_prefix
  name        = "order-events"
}
