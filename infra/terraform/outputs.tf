output "api_url" {
  description = "Base URL of the orders HTTP API."
  value       = module.orders_http_api.url
}

output "kitchen_orders_queue_url" {
  value = module.kitchen_orders_queue.url
}

output "kitchen_orders_dlq_url" {
  value = module.kitchen_orders_queue.dlq_url
}

output "order_acknowledgements_queue_url" {
  value = module.order_acknowledgements_queue.url
}

output "order_acknowledgements_dlq_url" {
  value = module.order_acknowledgements_queue.dlq_url
}

output "orders_table_name" {
  value = module.orders_table.name
}

output "orders_table_stream_arn" {
  description = "The orders table's current stream, which the outbox publisher reads."
  value       = module.orders_table.stream_arn
}

output "order_outbox_failures_queue_url" {
  description = "Where the outbox publisher's failed stream batches are recorded."
  value       = module.order_outbox_failures_queue.url
}

output "kitchen_orders_table_name" {
  value = module.kitchen_orders_table.name
}

output "order_events_topic_arn" {
  value = module.order_events_topic.arn
}

output "order_events_bus_name" {
  value = module.order_events_event_bus.name
}


output "order_pii_key_alias" {
  value = module.order_pii_key.alias_name
}

output "kitchen_alerts_schedule_group_name" {
  value = module.kitchen_alerts_schedule_group.name
}

output "kitchen_alerts_queue_url" {
  value = module.kitchen_alerts_queue.url
}

output "kitchen_alerts_dlq_url" {
  value = module.kitchen_alerts_queue.dlq_url
}

output "claim_checks_bucket_name" {
  description = "Where claim checks keep event data too large for a message, and delivery details."
  value       = module.claim_checks_bucket.name
}

output "order_updates_websocket_url" {
  description = "Where a customer's browser connects to watch their orders (?customerId=&token=)."
  value       = module.order_updates_websocket_api.url
}

output "order_webhooks_queue_url" {
  value = module.order_webhooks_queue.url
}

output "order_webhooks_dlq_url" {
  value = module.order_webhooks_queue.dlq_url
}

output "order_update_connections_table_name" {
  value = module.order_update_connections_table.name
}

output "watch_tokens_key_alias" {
  value = module.watch_tokens_key.alias_name
}

output "webhook_secrets_key_alias" {
  value = module.webhook_secrets_key.alias_name
}
