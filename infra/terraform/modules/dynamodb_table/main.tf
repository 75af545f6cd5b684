# One DynamoDB table keyed by a single string attribute.
#
# A stream is on only where a table declares a view type (infra/system.yaml: stream_view_type),
# because something reads it (the order service's outbox relay); point-in-time recovery is on
# because these tables are the system of record.

resource "aws_dynamodb_table" "this" {
  name         = "${var.name_prefix}-${var.name}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = var.hash_key

  attribute {
    name = var.hash_key
    type = "S"
  }

  stream_enabled   = var.stream_view_type != null
  stream_view_type = var.stream_view_type

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
