output "api_url" {
  description = "Base URL of the orders HTTP API."
  value       = module.orders_http_api.invoke_url
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

output "kitchen_orders_table_name" {
  value = module.kitchen_orders_table.name
}
