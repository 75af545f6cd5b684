# Customers' delivery addresses travel in events only encrypted under this key. The order service
# may encrypt with it; only the delivery service may decrypt (see their policy statements).
module "order_pii_key" {
  source      = "./modules/kms_key"
  name_prefix = var.name_prefix
  name        = "order-pii"
  description = "Delivery addresses inside order events"
}
