# One DynamoDB table keyed by a single string attribute, with optional global secondary indexes
# (each keyed by one string attribute, projecting whole items).
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

  # Each index's key, defined once (DynamoDB refuses an attribute defined twice or never used).
  dynamic "attribute" {
    for_each = setsubtract(toset([for index in values(var.indexes) : index.hash_key]), [var.hash_key])
    content {
      name = attribute.value
      type = "S"
    }
  }

  # hash_key rather than key_schema: key_schema exists only in newer 6.x providers, and hash_key
  # works (deprecated) in all of them and in 5.x, which validates this configuration here.
  dynamic "global_secondary_index" {
    for_each = var.indexes
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash_key
      projection_type = "ALL"
    }
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
