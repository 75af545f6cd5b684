# One DynamoDB table keyed by a single string attribute.
#
# Streams are on (NEW_AND_OLD_IMAGES) because the outbox and change-data-capture patterns read
# them; point-in-time recovery is on because these tables are the system of record.

resource "aws_dynamodb_table" "this" {
  name         = "${var.name_prefix}-${var.name}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = var.hash_key

  attribute {
    name = var.hash_key
    type = "S"
  }

  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  point_in_time_recovery {
    enabled = true
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  deletion_protection_enabled = var.deletion_protection
}
