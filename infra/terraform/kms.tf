# Customers' delivery addresses travel in events only encrypted under this key. The order service
# may encrypt with it; only the delivery service may decrypt (see their policy statements).
module "order_pii_key" {
  source      = "./modules/kms_key"
  name_prefix = var.name_prefix
  name        = "order-pii"
  description = "Delivery addresses inside order events"
}

# An HMAC key that never leaves KMS: it signs the tokens that let a caller watch a customer's orders
# over the WebSocket API, and derives each order's webhook signing secret (nothing secret is stored
# anywhere). Only the order API may make tokens and secrets; the WebSocket connection handler may
# only verify tokens; the webhook dispatcher may only derive secrets (order_updates.tf).
module "order_updates_key" {
  source      = "./modules/kms_key"
  name_prefix = var.name_prefix
  name        = "order-updates"
  description = "Watch tokens and webhook signing secrets of orders"
  usage       = "hmac"
}
