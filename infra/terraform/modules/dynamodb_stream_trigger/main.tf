# A DynamoDB table's stream invoking a Lambda function with batches of changed items, in order
# per item.
#
# The function reads the stream with its own role: grant it read_stream on the table (the
# dynamodb_stream_read_actions on the table module's streams_arn) and, with an on-failure
# destination, send on that queue. Those grants are passed to the function module, where every
# grant is visible; the function module creates its policy before the function, and the mapping
# names the function, so the role can read the stream when Lambda checks it at creation.
#
# A failing batch blocks its shard until it succeeds or the retry policy gives up on it (split in
# two first, when bisect is on); a batch given up on is recorded at the on-failure destination as
# a pointer to the stream records, not the records themselves. Meanwhile the function falls
# behind its stream, which the iterator-age alarm reports.

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = var.stream_arn
  function_name                      = var.function_name
  starting_position                  = var.starting_position
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_seconds
  bisect_batch_on_function_error     = var.bisect_batch_on_function_error
  maximum_retry_attempts             = var.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_seconds

  # Each pattern is one filter; a record reaches the function when it matches any of them.
  dynamic "filter_criteria" {
    for_each = length(var.filter_patterns) > 0 ? [var.filter_patterns] : []
    content {
      dynamic "filter" {
        for_each = filter_criteria.value
        content {
          pattern = jsonencode(filter.value)
        }
      }
    }
  }

  dynamic "destination_config" {
    for_each = var.on_failure_destination_arn == null ? [] : [var.on_failure_destination_arn]
    content {
      on_failure {
        destination_arn = destination_config.value
      }
    }
  }
}

# IteratorAge is the age of the last record of a batch the function read, in milliseconds. Lambda
# reports it per function, not per mapping: a function triggered by two streams has one alarm.
module "iterator_age" {
  count = var.alarm_iterator_age_seconds == null ? 0 : 1

  source            = "../metric_alarm"
  alarm_name        = "${var.function_name}-iterator-age"
  alarm_description = "${var.function_name} reads its stream over ${var.alarm_iterator_age_seconds}s behind: a batch keeps failing."
  namespace         = "AWS/Lambda"
  metric_name       = "IteratorAge"
  dimensions        = { FunctionName = var.function_name }
  threshold         = var.alarm_iterator_age_seconds * 1000
  alarm_actions     = var.alarm_actions
}
