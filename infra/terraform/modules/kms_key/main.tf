# One customer managed key, found by its alias (alias/<name_prefix>-<name>): a symmetric key
# (usage "encrypt"), rotated yearly, or an HMAC-SHA-256 key (usage "hmac") that makes and checks
# MACs without ever leaving KMS. KMS rotates no HMAC key: replacing one is declaring a new key.
#
# The key policy is the default one: it delegates to IAM, so what a function may do with the key
# is exactly what its own role's policy grants (kms:Encrypt for one, kms:Decrypt for another;
# kms:GenerateMac or kms:VerifyMac for an HMAC key).

locals {
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
