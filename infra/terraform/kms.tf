# Each key's users are the functions declared with a permission on it, each with exactly the
# operations of its access level (the same locals as their policy statements, permissions.tf): the
# key refuses every other role, whatever IAM allows it (tests/static checks them against the
# declaration).

# Customers' delivery addresses travel in events only encrypted under this key. The order service
# may encrypt with it; only the delivery service may decrypt (see their policy statements).
module "order_pii_key" {
  source      = "./modules/kms_key"
  name_prefix = var.name_prefix
  name        = "order-pii"
  description = "Delivery addresses inside order events"

  users = [
    { sid = "OrderAcknowledgementProcessorEncrypt", role_arn = module.order_acknowledgement_processor_function.role_arn, actions = local.kms_encrypt_actions },
    { sid = "OrderSagaEncrypt", role_arn = module.order_saga_function.role_arn, actions = local.kms_encrypt_actions },
    { sid = "DeliveryProcessorDecrypt", role_arn = module.delivery_processor_function.role_arn, actions = local.kms_decrypt_actions },
  ]
}

# HMAC keys that never leave KMS, one per use, as IAM cannot limit what a MAC is made of: whoever
# may make MACs with a key could make anything it signs. Nothing secret is stored anywhere.

# Signs the tokens that let a caller watch a customer's orders over the WebSocket API: only the
# order API makes them; the WebSocket connection handler may only verify them (order_updates.tf).
module "watch_tokens_key" {
  source      = "./modules/kms_key"
  name_prefix = var.name_prefix
  name        = "watch-tokens"
  description = "Tokens to watch a customer's orders over the WebSocket API"
  usage       = "hmac"

  users = [
    { sid = "OrderApiSign", role_arn = module.order_api_function.role_arn, actions = local.kms_mac_sign_actions },
    { sid = "OrderUpdatesConnectionsVerify", role_arn = module.order_updates_connections_function.role_arn, actions = local.kms_mac_verify_actions },
  ]
}

# Derives each order's webhook signing secret from its id: the order API hands it out with the
# order, the webhook dispatcher derives it again to sign each webhook (order_updates.tf). The
# dispatcher has nothing on watch-tokens: it can make secrets, never a watch token.
module "webhook_secrets_key" {
  source      = "./modules/kms_key"
  name_prefix = var.name_prefix
  name        = "webhook-secrets"
  description = "Webhook signing secrets of orders, derived from their ids"
  usage       = "hmac"

  users = [
    { sid = "OrderApiDerive", role_arn = module.order_api_function.role_arn, actions = local.kms_mac_derive_actions },
    { sid = "OrderWebhookDispatcherDerive", role_arn = module.order_webhook_dispatcher_function.role_arn, actions = local.kms_mac_derive_actions },
  ]
}
