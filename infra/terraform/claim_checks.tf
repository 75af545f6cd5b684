# Claim checks (integration_patterns/claim_check.py): event data too large for a message
# (shared/<event id>.json, readable by every consumer of order events), and delivery details only
# the delivery service may read (restricted/delivery/<event id>.json). Objects are written once,
# keyed by event id, and deleted after expire_after_days: longer than any event waits in an outbox,
# a queue or a DLQ (14 days' retention at most).

module "claim_checks_bucket" {
  source            = "./modules/s3_bucket"
  name_prefix       = var.name_prefix
  name              = "claim-checks"
  expire_after_days = 15
  object_prefixes   = ["shared/", "restricted/delivery/"]
  force_destroy     = local.emulated

  # The bucket denies each action under each prefix to every principal but the functions declared
  # to do it (tests/static checks them against the declaration). Presigned URLs are authorised as
  # their signer, a declared reader of shared/.
  object_access = [
    {
      sid = "SharedPutObject", prefix = "shared/", action = "s3:PutObject",
      role_arns = [
        module.order_api_function.role_arn,
        module.order_acknowledgement_processor_function.role_arn,
        module.order_saga_function.role_arn,
      ]
    },
    {
      sid = "SharedGetObject", prefix = "shared/", action = "s3:GetObject",
      role_arns = [
        module.order_api_function.role_arn,
        module.order_acknowledgement_processor_function.role_arn,
        module.order_saga_function.role_arn,
        module.kitchen_processor_function.role_arn,
        module.kitchen_alert_processor_function.role_arn,
        module.loyalty_processor_function.role_arn,
        module.notifications_processor_function.role_arn,
        module.delivery_processor_function.role_arn,
        module.analytics_processor_function.role_arn,
      ]
    },
    {
      sid = "RestrictedDeliveryPutObject", prefix = "restricted/delivery/", action = "s3:PutObject",
      role_arns = [
        module.order_acknowledgement_processor_function.role_arn,
        module.order_saga_function.role_arn,
      ]
    },
    {
      sid       = "RestrictedDeliveryGetObject", prefix = "restricted/delivery/", action = "s3:GetObject",
      role_arns = [module.delivery_processor_function.role_arn]
    },
  ]
}

