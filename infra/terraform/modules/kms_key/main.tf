# One customer managed key, found by its alias (alias/<name_prefix>-<name>): a symmetric key
# (usage "encrypt"), rotated yearly, or an HMAC-SHA-256 key (usage "hmac") that makes and checks
# MACs without ever leaving KMS. KMS rotates no HMAC key: replacing one is declaring a new key.
#
# The key policy lets the account administer the key (so it never becomes unmanageable) but use it
# not at all: only the roles in `users` may, each for exactly its operations (kms:Encrypt for one,
# kms:Decrypt for another; kms:GenerateMac or kms:VerifyMac for an HMAC key). A role IAM allows
# more is still refused by the key. The embedded deployer writes the same policy
# (pizza_ops.deploy.resource_policies), and tests/static checks `users` against infra/system.yaml.

data "aws_caller_identity" "current" {}

locals {
  # What the account's administrators (through IAM) may do with the key: manage it, never use it.
  administration_actions = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
  ]

  # KeyUsage and KeySpec of each usage, as the embedded deployer creates them (pizza_ops.deploy.kms).
  key_usage = { encrypt = "ENCRYPT_DECRYPT", hmac = "GENERATE_VERIFY_MAC" }
  key_spec  = { encrypt = "SYMMETRIC_DEFAULT", hmac = "HMAC_256" }
}

resource "aws_kms_key" "this" {
  description              = var.description
  key_usage                = local.key_usage[var.usage]
  customer_master_key_spec = local.key_spec[var.usage]
  enable_key_rotation      = var.usage == "encrypt"
  deletion_window_in_days  = var.deletion_window_in_days
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}-${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_kms_key_policy" "this" {
  key_id = aws_kms_key.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "AccountAdministersKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = local.administration_actions
        Resource  = "*"
      }],
      [for user in var.users : {
        Sid       = user.sid
        Effect    = "Allow"
        Principal = { AWS = user.role_arn }
        Action    = user.actions
        Resource  = "*"
      }],
    )
  })
}
