# One private S3 bucket: every public access blocked, encrypted at rest (SSE-S3), and each object
# deleted expire_after_days after it was written. Who may read or write what is IAM's job, per key
# prefix, and the bucket's own too: its policy denies each action in `object_access` under its
# prefix to every principal but the roles named there, whatever their IAM policies allow.
#
# Bucket names are global across AWS accounts, so the account and region are part of the name:
# <name_prefix>-<name>-<account id>-<region> (as the embedded deployer names it too).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_s3_bucket" "this" {
  bucket = "${var.name_prefix}-${var.name}-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
  # Only where asked (an emulator's throwaway stack): on AWS a bucket that still holds claims is
  # never emptied by a destroy.
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-objects"
    status = "Enabled"

    filter {
      prefix = ""
    }

    expiration {
      days = var.expire_after_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count  = length(var.object_access) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [for access in var.object_access : {
      Sid       = access.sid
      Effect    = "Deny"
      Principal = "*"
      Action    = access.action
      Resource  = "${aws_s3_bucket.this.arn}/${access.prefix}*"
      Condition = { ArnNotEquals = { "aws:PrincipalArn" = access.role_arns } }
    }]
  })
  # A policy is refused while the access block is being set up.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
