# payment_service: one payment per order (charged, refunded or declined), written by the saga
# through the payment service's use cases (in-process).

module "payments_table" {
  source      = "./modules/dynamodb_table"
  name_prefix = var.name_prefix
  name        = "payments"
  hash_key    = "orderId"
}
