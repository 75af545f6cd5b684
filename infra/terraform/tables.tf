module "orders_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "orders"
  hash_key    = "orderId"
}

module "kitchen_orders_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "kitchen-orders"
  hash_key    = "orderId"
}
