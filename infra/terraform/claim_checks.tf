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
}

