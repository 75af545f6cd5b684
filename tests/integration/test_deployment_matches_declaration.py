"""What the embedded deployer created on the emulator is exactly what infra/system.yaml declares."""

from __future__ import annotations

import json

from integration_support import AwsClients, OrdersApi, collection_order

from pizza_ops.stack import EmbeddedStack, emulator_credentials_session


def test_every_declared_queue_has_its_dlq_policy_and_alarms(stack: EmbeddedStack, aws: AwsClients) -> None:
    # Given the declaration the stack was deployed from
    system = stack.config.system
    cloudwatch = emulator_credentials_session("us-east-1").client("cloudwatch", endpoint_url=stack.emulator.endpoint)
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}

    for name, queue in system.queues.items():
        # When we read each deployed queue's redrive policy
        attributes = aws.sqs.get_queue_attributes(QueueUrl=aws.queue_url(name), AttributeNames=["All"])["Attributes"]
        policy = json.loads(attributes["RedrivePolicy"])
        # Then it dead-letters to the declared DLQ after the declared number of receives
        assert queue.dead_letter is not None
        assert int(policy["maxReceiveCount"]) == queue.dead_letter.max_receive_count == 3
        assert policy["deadLetterTargetArn"].endswith(f":pizza-{queue.dead_letter.name}")
        # And there are alarms on DLQ depth > 0 and on the age of the oldest message
        dlq_alarm = alarms[f"pizza-{queue.dead_letter.name}-ApproximateNumberOfMessagesVisible"]
        assert (dlq_alarm["Threshold"], dlq_alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        age_alarm = alarms[f"pizza-{name}-ApproximateAgeOfOldestMessage"]
        assert age_alarm["Threshold"] == queue.alarm_oldest_message_age_seconds == 300


def test_every_declared_trigger_reports_partial_failures_with_bounded_concurrency(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    for trigger in stack.config.system.triggers:
        # When we read the event source mapping behind each declared trigger
        mappings = aws.lambda_.list_event_source_mappings(FunctionName=aws.outputs.function_names[trigger.function])[
            "EventSourceMappings"
        ]
        [mapping] = [m for m in mappings if m["EventSourceArn"].endswith(f":pizza-{trigger.queue}")]
        # Then batches of more than one record may fail record by record, at bounded concurrency
        assert mapping["BatchSize"] == trigger.batch_size > 1
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["ScalingConfig"]["MaximumConcurrency"] == trigger.maximum_concurrency


def test_every_declared_function_table_and_route_exists(stack: EmbeddedStack, aws: AwsClients) -> None:
    system = stack.config.system
    # Then each function runs its declared handler, with its declared environment variables
    for name, function in system.functions.items():
        configuration = aws.lambda_.get_function_configuration(FunctionName=aws.outputs.function_names[name])
        assert configuration["Handler"] == function.handler
        assert set(function.environment) <= set(configuration["Environment"]["Variables"])
    # And each table exists with its declared key and a stream for later change-driven patterns
    for name, table in system.tables.items():
        description = aws.dynamodb.describe_table(TableName=aws.table(name))["Table"]
        assert description["KeySchema"] == [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
    # And the HTTP API serves exactly the declared routes
    apigw = emulator_credentials_session("us-east-1").client("apigatewayv2", endpoint_url=stack.emulator.endpoint)
    api_id = aws.outputs.api_urls["orders"].rsplit("/", 1)[-1]
    routes = {r["RouteKey"] for r in apigw.get_routes(ApiId=api_id)["Items"]}
    assert routes == set(system.http_apis["orders"].routes)


def test_deploying_again_converges_without_duplicates_and_orders_still_flow(
    stack: EmbeddedStack, aws: AwsClients, orders_api: OrdersApi
) -> None:
    # Given the deployed system
    before = stack.outputs
    assert before is not None

    # When the same declaration is deployed again onto it (as `pizza deploy` does on a running stack)
    again = stack.deploy(stack.config.system, save=False)

    # Then the same API and queues are reused, and no trigger is duplicated
    assert again.api_urls == before.api_urls
    assert again.queue_urls == before.queue_urls
    for trigger in stack.config.system.triggers:
        mappings = aws.lambda_.list_event_source_mappings(FunctionName=aws.outputs.function_names[trigger.function])
        assert len(mappings["EventSourceMappings"]) == 1
    # And orders still go all the way through
    order_id = orders_api.place(collection_order()).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
