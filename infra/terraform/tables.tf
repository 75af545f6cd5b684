# The transactional outbox: pending events ride on the order item, and reach the outbox publisher
# through this table's stream (see order_service.tf).
module "orders_table" {
  source           = "./modules/dynamodb_table"
  name_prefix      = var.name_prefix
  name             = "orders"
  hash_key         = "orderId"
  stream_view_type = "NEW_IMAGE"
}

# POST /orders responses by Idempotency-Key (Powertools idempotency records), kept for a day.
module "order_api_idempotency_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "order-api-idempotency"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "kitchen_orders_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "kitchen-orders"
  hash_key    = "orderId"
}

# Each subscriber owns its data, and its inbox: the CloudEvent ids it has seen, kept until their
# `expiration` (DynamoDB TTL deletes them after that).

module "loyalty_inbox_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "loyalty-inbox"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "loyalty_accounts_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "loyalty-accounts"
  hash_key    = "pk"
}

module "notifications_inbox_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "notifications-inbox"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "notifications_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "notifications"
  hash_key    = "orderId"
}

module "customer_contacts_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "customer-contacts"
  hash_key    = "customerId"
}

module "delivery_inbox_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "delivery-inbox"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "deliveries_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "deliveries"
  hash_key    = "orderId"
}

module "analytics_inbox_table" {
  source        = "./modules/dynamodb_table"
  name_prefix   = var.name_prefix
  name          = "analytics-inbox"
  hash_key      = "id"
  ttl_attribute = "expiration"
}

module "analytics_pizza_counts_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "analytics-pizza-counts"
  hash_key    = "pizza"
}

# One marker per counted order, written in the same transaction as the counters, so that two
# different events about one order count it once.
module "analytics_counted_orders_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "analytics-counted-orders"
  hash_key    = "orderId"
}
