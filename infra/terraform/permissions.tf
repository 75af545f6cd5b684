# The access levels a function's `permissions` may name in infra/system.yaml, as IAM actions.
# Each is granted on one resource's ARN at a time: a table (or one of its indexes), queue, key,
# topic or bus, the streams of one table (table/<table>/stream/*), the schedules of one schedule
# group (schedule/<group>/*) together with that group's role, or the connections of one WebSocket
# API stage (<api id>/<stage>/POST/@connections/*).
#
# There is no dynamodb:TransactWriteItems action: a transaction is authorised by the Put/Update/
# Delete/ConditionCheckItem actions of its parts.

locals {
  # {table: X, access: [get, put, ...]}: a table's item operations, one action each, so that a role
  # is granted exactly the calls its function makes on X (tests/iam_review judges the grants against
  # a whole suite's calls). A transaction or batch is authorised by its parts' actions.
  dynamodb_get_actions             = ["dynamodb:GetItem"]
  dynamodb_put_actions             = ["dynamodb:PutItem"]
  dynamodb_update_actions          = ["dynamodb:UpdateItem"]
  dynamodb_delete_actions          = ["dynamodb:DeleteItem"]
  dynamodb_condition_check_actions = ["dynamodb:ConditionCheckItem"]
  # The same updates as PartiQL statements, in batches (the outbox relay's marks).
  dynamodb_partiql_update_actions = ["dynamodb:PartiQLUpdate"]

  # {table: X, access: read_stream}: what Lambda needs of a function's role to read X's stream for
  # a stream trigger, on X's streams_arn.
  dynamodb_stream_read_actions = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
  ]

  # Send only: a function is given its queues' URLs, so it never looks one up or reads its attributes.
  sqs_send_actions = [
    "sqs:SendMessage",
  ]

  # {queue: X, access: postpone}: change the visibility of a message received from X, to retry it
  # later (the webhook dispatcher's backoff on its own queue); the trigger itself does not need it.
  sqs_postpone_actions = ["sqs:ChangeMessageVisibility"]

  # {table: X, access: query_indexes}: querying each of X's indexes, on its ARN (the table module's
  # index_arns["<index>"]); an index is a resource of its own, and Query is all it serves.
  dynamodb_index_query_actions = ["dynamodb:Query"]

  # A key's users are split: some may only encrypt, others only decrypt.
  kms_encrypt_actions = ["kms:Encrypt"]
  kms_decrypt_actions = ["kms:Decrypt"]

  # An HMAC key's users are split too: sign (make watch tokens) and derive (make a webhook secret)
  # both make MACs, verify only checks one. IAM cannot limit what a MAC is made of, so each use has
  # a key of its own (kms.tf). sign and derive are two locals with the same action so that each
  # statement says which declared access it is.
  kms_mac_sign_actions   = ["kms:GenerateMac"]
  kms_mac_derive_actions = ["kms:GenerateMac"]
  kms_mac_verify_actions = ["kms:VerifyMac"]

  # {websocket_api: X, access: post_to_connections}: post to the connections of X's stage, on its
  # connections_arn (<stage execution ARN>/POST/@connections/*).
  execute_api_manage_connections_actions = ["execute-api:ManageConnections"]

  sns_publish_actions = ["sns:Publish"]
  events_put_actions  = ["events:PutEvents"]

  # {schedule_group: X, access: create}: create X's schedules, and hand them X's role (PassRole
  # on that one role), which may only send to X's target queue.
  # Create only: a one-time schedule deletes itself once it has fired (ActionAfterCompletion=DELETE).
  scheduler_schedule_actions = [
    "scheduler:CreateSchedule",
  ]
  iam_pass_role_actions = ["iam:PassRole"]

  # {bucket: X, access: read|write, prefix: P}: get, or put, X's objects under P. (Presigning a URL
  # hands out the signer's right to get the object: a writer that presigns also reads.)
  s3_object_read_actions  = ["s3:GetObject"]
  s3_object_write_actions = ["s3:PutObject"]

  # Start a (durable) function through its alias.
  lambda_invoke_actions = ["lambda:InvokeFunction"]
  # What the durable execution SDK calls on the function's own executions.
  lambda_durable_run_actions = ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"]
  # Answer the callbacks a durable function's executions wait on.
  lambda_durable_answer_actions = [
    "lambda:SendDurableExecutionCallbackSuccess",
    "lambda:SendDurableExecutionCallbackFailure",
  ]
}
