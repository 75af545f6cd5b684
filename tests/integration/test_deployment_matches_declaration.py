"""What the embedded deployer created on the emulator is exactly what infra/system.yaml declares."""

from __future__ import annotations

import json
from typing import Any

from integration_support import AwsClients, OrdersApi, collection_order

from pizza_ops.deploy.iam import TABLE_STREAM_READ
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session


def test_every_declared_queue_has_its_dlq_policy_and_alarms(stack: EmbeddedStack, aws: AwsClients) -> None:
    # Given the declaration the stack was deployed from
    system = stack.config.system
    alarms = _alarms(stack)

    for name, queue in system.queues.items():
        # When we read each deployed queue's redrive policy
        attributes = aws.sqs.get_queue_attributes(QueueUrl=aws.queue_url(name), AttributeNames=["All"])["Attributes"]
        age_alarm = alarms[f"pizza-{name}-ApproximateAgeOfOldestMessage"]
        # (the webhook queue's messages wait out retries of up to 15 minutes each, so it alarms later)
        assert (
            age_alarm["Threshold"]
            == queue.alarm_oldest_message_age_seconds
            == (3600 if name == "order-webhooks" else 300)
        )
        if queue.dead_letter is None:
            # Then a queue declared without a DLQ has none (the outbox's failure records, say)
            assert "RedrivePolicy" not in attributes
            continue
        policy = json.loads(attributes["RedrivePolicy"])
        # Then it dead-letters to the declared DLQ after the declared number of receives
        # (the webhook dispatcher dead-letters by itself after its attempts; the queue's count is a net)
        expected_receives = 12 if name == "order-webhooks" else 3
        assert int(policy["maxReceiveCount"]) == queue.dead_letter.max_receive_count == expected_receives
        assert policy["deadLetterTargetArn"].endswith(f":pizza-{queue.dead_letter.name}")
        # And there are alarms on DLQ depth > 0 and on the age of the oldest message
        dlq_alarm = alarms[f"pizza-{queue.dead_letter.name}-ApproximateNumberOfMessagesVisible"]
        assert (dlq_alarm["Threshold"], dlq_alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def _alarms(stack: EmbeddedStack) -> dict[str, dict[str, Any]]:
    cloudwatch = emulator_credentials_session("us-east-1").client("cloudwatch", endpoint_url=stack.emulator.endpoint)
    return {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}


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
    # And each table exists with its declared key
    for name, table in system.tables.items():
        description = aws.dynamodb.describe_table(TableName=aws.table(name))["Table"]
        assert description["KeySchema"] == [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
    # And the HTTP API serves exactly the declared routes
    apigw = emulator_credentials_session("us-east-1").client("apigatewayv2", endpoint_url=stack.emulator.endpoint)
    api_id = aws.outputs.api_urls["orders"].rsplit("/", 1)[-1]
    routes = {r["RouteKey"] for r in apigw.get_routes(ApiId=api_id)["Items"]}
    assert routes == set(system.http_apis["orders"].routes)


def test_each_table_streams_exactly_as_declared(stack: EmbeddedStack, aws: AwsClients) -> None:
    for name, table in stack.config.system.tables.items():
        # When we read each deployed table's stream specification
        description = aws.dynamodb.describe_table(TableName=aws.table(name))["Table"]
        spec = description.get("StreamSpecification") or {}
        streamed = spec.get("StreamViewType") if spec.get("StreamEnabled") else None

        # Then exactly the tables declared with a stream have one, with the declared view type
        assert streamed == table.stream_view_type, name
        if streamed:
            assert aws.outputs.table_stream_arns[name] == description["LatestStreamArn"]
    streamed_tables = {n for n, t in stack.config.system.tables.items() if t.stream_view_type}
    assert set(aws.outputs.table_stream_arns) == streamed_tables
    assert "orders" in streamed_tables


def test_every_stream_trigger_maps_the_current_stream_with_the_declared_settings(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    system = stack.config.system
    iam = emulator_credentials_session("us-east-1").client("iam", endpoint_url=stack.emulator.endpoint)
    assert system.stream_triggers
    for trigger in system.stream_triggers:
        # When we read the event source mapping behind each declared stream trigger
        function = aws.outputs.function_names[trigger.function]
        mappings = aws.lambda_.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
        [mapping] = [m for m in mappings if ":dynamodb:" in m["EventSourceArn"]]

        # Then it reads the table's current stream, from the declared position, in the declared batches
        assert mapping["EventSourceArn"] == aws.outputs.table_stream_arns[trigger.table]
        assert mapping["StartingPosition"] == trigger.starting_position
        assert mapping["BatchSize"] == trigger.batch_size
        assert mapping["MaximumBatchingWindowInSeconds"] == trigger.maximum_batching_window_seconds
        # And a failing batch is bisected and retried under the declared policy, then recorded on the
        # declared queue (the outbox relay's) or skipped (the broadcaster's: pushing is best effort)
        assert mapping["BisectBatchOnFunctionError"] is trigger.bisect_batch_on_function_error
        assert mapping["MaximumRetryAttempts"] == trigger.maximum_retry_attempts
        assert mapping["MaximumRecordAgeInSeconds"] == trigger.maximum_record_age_seconds
        on_failure = (mapping.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        expected = aws.outputs.queue_arns[trigger.on_failure_queue] if trigger.on_failure_queue else None
        assert on_failure == expected
        # And only records matching the declared filters reach the function
        patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
        assert patterns == trigger.filter_patterns
        # And the function's role may read the table's streams and send to the failure queue
        policy = iam.get_role_policy(RoleName=function, PolicyName="least-privilege")["PolicyDocument"]
        statements = json.loads(policy) if isinstance(policy, str) else policy
        granted = {
            (resource, action)
            for s in statements["Statement"]
            for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
            for action in s["Action"]
        }
        table_arn = mapping["EventSourceArn"].split("/stream/")[0]
        assert {(f"{table_arn}/stream/*", a) for a in TABLE_STREAM_READ} <= granted
        if on_failure is not None:
            assert (on_failure, "sqs:SendMessage") in granted


def test_a_stream_triggered_function_alarms_when_it_reads_its_stream_too_far_behind(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given the functions whose stream trigger declares an iterator-age threshold (the outbox relay,
    # the status broadcaster)
    declared = {f: s for f, s in stack.config.system.iterator_age_alarms().items() if s is not None}
    assert declared == {"order-outbox-publisher": 300, "order-updates-broadcaster": 300}

    # When we read the deployed alarms
    alarms = _alarms(stack)

    # Then exactly those functions have one, named like the queue alarms
    functions = {f: aws.outputs.function_names[f] for f in declared}
    assert {n for n in alarms if n.endswith("-IteratorAge")} == {f"{p}-IteratorAge" for p in functions.values()}
    for function, seconds in declared.items():
        alarm = alarms[f"{functions[function]}-IteratorAge"]
        # And each watches the function's IteratorAge (milliseconds): a minute's maximum above the threshold
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "IteratorAge")
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": functions[function]}]
        assert alarm["Threshold"] == seconds * 1000
        assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Maximum", 60, 1)
        assert (alarm["ComparisonOperator"], alarm["TreatMissingData"]) == ("GreaterThanThreshold", "notBreaching")


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
    assert again.table_stream_arns == before.table_stream_arns
    triggered = {t.function for t in stack.config.system.triggers} | {
        t.function for t in stack.config.system.stream_triggers
    }
    for function in triggered:
        mappings = aws.lambda_.list_event_source_mappings(FunctionName=aws.outputs.function_names[function])
        assert len(mappings["EventSourceMappings"]) == 1, function
    # And orders still go all the way through
    order_id = orders_api.place(collection_order()).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
