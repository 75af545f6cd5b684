# One symmetric customer managed key, found by its alias (alias/<name_prefix>-<name>).
#
# The key policy is the default one: it delegates to IAM, so what a function may do with the key
# is exactly what its own role's policy grants (kms:Encrypt for one, kms:Decrypt for another).

resource "aws_kms_key" "this" {
  description             = var.description
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}-${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
