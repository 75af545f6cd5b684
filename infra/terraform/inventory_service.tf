# inventory_service: stock per pizza, and one reservation per order. The saga reserves and
# releases through the inventory's use cases (in-process); the orders API reads the stock levels.

module "inventory_stock_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "inventory-stock"
  hash_key    = "pizza"
}

module "inventory_reservations_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "inventory-reservations"
  hash_key    = "orderId"
}
