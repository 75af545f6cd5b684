"""The emulator adapter adopts a table a provider retry found already made (see TerraformOnEmulator._apply)."""

from __future__ import annotations

from pizza_ops.deploy.terraform_emulator import tables_made_outside_the_state

# As terraform 1.11 with the AWS provider 5.100 printed it in CI, on MiniStack 1.5.33.
APPLY_FAILURE = (
    "module.loyalty_order_events_queue_policy.aws_sqs_queue_policy.this: Creation complete after 26s\n\n"
    "Error: creating AWS DynamoDB Table (pizza-kitchen-orders): operation error DynamoDB: CreateTable, "
    "https response error StatusCode: 400, RequestID: 5ffe8c05-d725-4073-a069-53d58ef955cb, "
    "ResourceInUseException: Table already exists: pizza-kitchen-orders\n"
    """
  with module.kitchen_orders_table.aws_dynamodb_table.this,
  on modules/dynamodb_table/main.tf line 8, in resource "aws_dynamodb_table" "this":
   8: resource "aws_dynamodb_table" "this" {
"""
)


def test_a_table_refused_as_already_existing_is_named_with_its_resource_address() -> None:
    # Given an apply that failed because CreateTable found the table made
    # When the adapter reads the failure
    orphans = tables_made_outside_the_state(APPLY_FAILURE)
    # Then it knows which resource to import, and as which table
    assert orphans == [("module.kitchen_orders_table.aws_dynamodb_table.this", "pizza-kitchen-orders")]


def test_any_other_failure_is_not_taken_for_one() -> None:
    # Given an apply that failed for another reason
    failure = "Error: creating SQS Queue (pizza-x): AccessDenied\n\n  with module.x.aws_sqs_queue.this,\n"
    # Then nothing is to be imported, so the failure is raised as it is
    assert tables_made_outside_the_state(failure) == []
