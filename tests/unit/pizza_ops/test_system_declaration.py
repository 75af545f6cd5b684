"""The system declaration (infra/system.yaml): it loads, references resolve, FIFO can be switched,
stream triggers are wired only to streams their function may read, and a key is used only as its
kind of key allows."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pizza_ops.repository import Repository
from pizza_ops.system import (
    Cors,
    Function,
    KeyRef,
    KmsKey,
    LiteralValue,
    Permission,
    StreamTrigger,
    SystemDeclaration,
    Table,
    TableIndex,
    TableRef,
    load_system,
)
from pizza_ops.system.resources import Queue


@pytest.fixture(scope="module")
def raw_declaration() -> dict[str, Any]:
    with Repository.find().declaration.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


# The point-to-point functions and the saga; every other function is a subscriber, or is invoked by
# a stream or a WebSocket API only (both found from the declaration).
POINT_TO_POINT = {
    "order-api",
    "order-acknowledgement-processor",
    "order-outbox-publisher",
    "order-saga",
    "kitchen-processor",
    "kitchen-alert-processor",
    "order-webhook-dispatcher",
}
OUTBOX_RELAY = "order-outbox-publisher"
BROADCASTER = "order-updates-broadcaster"


def _subscriber_queues(system: SystemDeclaration) -> set[str]:
    return {queue for topic in system.topics.values() for queue in topic.subscribers}


def _invoked_by_a_stream_or_a_websocket_api(system: SystemDeclaration) -> set[str]:
    routed = {function for api in system.websocket_apis.values() for function in api.routes.values()}
    return {t.function for t in system.stream_triggers} | routed


def _stream_trigger_of(system: SystemDeclaration, function: str) -> StreamTrigger:
    [trigger] = [t for t in system.stream_triggers if t.function == function]
    return trigger


def test_the_real_declaration_loads() -> None:
    # Given infra/system.yaml / When it is loaded
    system = load_system()

    # Then the point-to-point functions are there, each queue-fed one on its own queue
    assert set(system.functions) >= POINT_TO_POINT
    consumed = {t.function: t.queue for t in system.triggers}
    assert consumed["kitchen-processor"] == "kitchen-orders"
    assert consumed["order-acknowledgement-processor"] == "order-acknowledgements"
    assert consumed["kitchen-alert-processor"] == "kitchen-alerts"
    assert consumed["order-webhook-dispatcher"] == "order-webhooks"
    # And every other function is a subscriber (it alone consumes one queue the topic feeds), or is
    # invoked by a stream or a WebSocket API and consumes no queue
    others = _invoked_by_a_stream_or_a_websocket_api(system) - POINT_TO_POINT
    assert others == {BROADCASTER, "order-updates-connections"}
    assert not others & set(consumed)
    subscribers = set(system.functions) - POINT_TO_POINT - others
    assert subscribers, "the declaration has no subscriber to order events"
    assert {consumed[f] for f in subscribers} == _subscriber_queues(system)
    assert len(system.triggers) == len({t.queue for t in system.triggers})
    # And the outbox publisher and the status broadcaster read the orders table's stream
    assert {(t.function, t.table) for t in system.stream_triggers} == {
        (OUTBOX_RELAY, "orders"),
        (BROADCASTER, "orders"),
    }
    # And the WebSocket API's connections and disconnections reach the connection handler
    assert system.websocket_apis["order-updates"].routes == {
        "$connect": "order-updates-connections",
        "$disconnect": "order-updates-connections",
    }
    assert system.physical_name("kitchen-orders") == "pizza-kitchen-orders"


def test_every_subscriber_queue_is_fed_by_the_topic_and_by_one_rule_of_the_bus() -> None:
    # Given the real declaration / When the senders of each queue are listed
    system = load_system()
    senders = system.queue_senders()

    # Then each subscriber's queue receives from the topic and from one rule, and no other queue does
    assert set(senders) == _subscriber_queues(system)
    for queue, sent_by in senders.items():
        assert sent_by.topics == ("order-events",)
        [rule] = sent_by.rules
        assert rule == "order-confirmed-to-" + queue.removesuffix("-order-events")


def test_rules_match_every_version_of_order_confirmed_from_the_order_service() -> None:
    # Given the rules of the order-events bus
    rules = load_system().rules()

    # Then each matches the order service's events by detail-type prefix, on the order-events bus
    assert {bus for bus, _ in rules.values()} == {"order-events"}
    for _, rule in rules.values():
        assert rule.event_pattern() == {
            "source": ["pizza.order-service"],
            "detail-type": [{"prefix": "com.pizza.order.confirmed."}],
        }


def _tables_given_as(system: SystemDeclaration, variable: str) -> set[str]:
    return {
        ref.table
        for function in system.functions.values()
        for name, ref in function.environment.items()
        if name == variable and isinstance(ref, TableRef)
    }


def test_inboxes_idempotency_records_and_connections_expire_through_ttl_and_other_tables_keep_their_items() -> None:
    # Given the real declaration's tables, and the inboxes and connection tables its functions are given
    system = load_system()
    tables = system.tables
    inboxes = _tables_given_as(system, "INBOX_TABLE_NAME")
    connections = _tables_given_as(system, "CONNECTIONS_TABLE_NAME")
    assert inboxes, "no function is given an inbox"
    assert connections == {"order-update-connections"}

    # Then exactly the inbox tables and the API's idempotency records have a TTL attribute,
    # "expiration", and the WebSocket connections theirs, "expiresAt"
    assert {name: t.ttl_attribute for name, t in tables.items() if t.ttl_attribute} == {
        **dict.fromkeys(inboxes | {"order-api-idempotency"}, "expiration"),
        **dict.fromkeys(connections, "expiresAt"),
    }


def test_only_the_connections_table_has_an_index_by_customer() -> None:
    # Given the real declaration's tables / Then one index: connections found by customer
    indexed = {name: table.indexes for name, table in load_system().tables.items() if table.indexes}
    assert indexed == {"order-update-connections": {"by-customer": TableIndex(hash_key="customerId")}}


def test_keys_schedule_groups_and_their_physical_names() -> None:
    # Given the real declaration
    system = load_system()

    # Then the PII key is found by its alias, and alerts are scheduled onto the kitchen-alerts queue
    assert system.key_alias("order-pii") == "alias/pizza-order-pii"
    assert system.schedule_groups["kitchen-alerts"].target_queue == "kitchen-alerts"
    assert system.scheduler_role_name("kitchen-alerts") == "pizza-kitchen-alerts-scheduler"


def test_all_queue_names_include_the_dead_letter_queues() -> None:
    # Given the real declaration / When every queue is listed / Then the DLQs are there too
    system = load_system()
    queues = {
        "kitchen-orders",
        "order-acknowledgements",
        "kitchen-alerts",
        "order-webhooks",
        *_subscriber_queues(system),
    }
    # (the outbox's failure queue holds pointers to stream records, and has no DLQ of its own)
    assert set(system.all_queue_names()) == queues | {f"{q}-dlq" for q in queues} | {"order-outbox-failures"}


def test_each_environment_reference_names_its_resource_kind() -> None:
    # Given the function that publishes order events and schedules kitchen alerts
    environment = load_system().functions["order-outbox-publisher"].environment

    # Then each reference says which kind of resource, and which one, it resolves to
    targets = {k: v.target for k, v in environment.items() if not isinstance(v, LiteralValue)}
    assert targets == {
        "ORDERS_TABLE_NAME": ("table", "orders"),
        "KITCHEN_QUEUE_URL": ("queue", "kitchen-orders"),
        "ORDER_EVENTS_TOPIC_ARN": ("topic", "order-events"),
        "ORDER_EVENTS_BUS_NAME": ("bus", "order-events"),
        "KITCHEN_ALERT_SCHEDULE_GROUP": ("schedule_group", "kitchen-alerts"),
        "KITCHEN_ALERT_QUEUE_ARN": ("queue_arn", "kitchen-alerts"),
        "KITCHEN_ALERT_SCHEDULER_ROLE_ARN": ("schedule_role", "kitchen-alerts"),
        "WEBHOOK_QUEUE_URL": ("queue", "order-webhooks"),
    }


def test_functions_find_the_websocket_api_by_its_client_url_or_its_management_endpoint() -> None:
    # Given the real declaration's functions
    functions = load_system().functions

    # Then the order API hands out the URL clients connect to, and the broadcaster posts at the
    # management endpoint, both of the order-updates API
    assert functions["order-api"].environment["ORDER_UPDATES_URL"].target == ("websocket_api", "order-updates")
    assert functions[BROADCASTER].environment["ORDER_UPDATES_MANAGEMENT_URL"].target == (
        "websocket_api_management",
        "order-updates",
    )


def test_each_function_finds_only_the_hmac_key_of_its_own_use() -> None:
    # Given the real declaration's functions
    functions = load_system().functions

    def keys_of(name: str) -> dict[str, tuple[str, str]]:
        return {k: v.target for k, v in functions[name].environment.items() if isinstance(v, KeyRef)}

    # Then watch tokens are signed and verified with one key, webhook secrets derived with another
    # (a MAC key's users could make anything it signs), and each function is told only of its own
    assert keys_of("order-api") == {
        "WATCH_TOKEN_KEY_ID": ("key", "watch-tokens"),
        "WEBHOOK_SECRET_KEY_ID": ("key", "webhook-secrets"),
    }
    assert keys_of("order-updates-connections") == {"WATCH_TOKEN_KEY_ID": ("key", "watch-tokens")}
    assert keys_of("order-webhook-dispatcher") == {"WEBHOOK_SECRET_KEY_ID": ("key", "webhook-secrets")}


def test_an_environment_reference_to_an_unknown_queue_is_rejected_naming_it(raw_declaration: dict[str, Any]) -> None:
    # Given a function whose environment points at a queue nobody declared
    broken = copy.deepcopy(raw_declaration)
    broken["functions"]["kitchen-processor"]["environment"]["EXTRA_QUEUE_URL"] = {"queue": "pizza-boxes"}

    # When the declaration is validated
    with pytest.raises(ValidationError) as rejected:
        SystemDeclaration.model_validate(broken)

    # Then the error names the function, the variable and the unknown queue
    assert "kitchen-processor.EXTRA_QUEUE_URL: unknown queue 'pizza-boxes'" in str(rejected.value)


def test_a_permission_on_an_unknown_table_is_rejected_naming_it(raw_declaration: dict[str, Any]) -> None:
    # Given a function granted access to a table nobody declared
    broken = copy.deepcopy(raw_declaration)
    broken["functions"]["order-api"]["permissions"].append({"table": "invoices", "access": "get"})

    # When validated / Then it is refused, naming the table
    with pytest.raises(ValidationError, match="unknown table 'invoices'"):
        SystemDeclaration.model_validate(broken)


def test_with_fifo_flips_only_that_queue_and_its_dead_letter_queue() -> None:
    # Given the real declaration, where every queue is standard
    system = load_system()
    assert not any(queue.fifo for queue in system.all_queue_names().values())

    # When the kitchen channel is switched to FIFO
    fifo_system = system.with_fifo("kitchen-orders", True)

    # Then that queue and its DLQ are FIFO, and nothing else changed
    queues = fifo_system.all_queue_names()
    assert {name for name, queue in queues.items() if queue.fifo} == {"kitchen-orders", "kitchen-orders-dlq"}
    assert fifo_system.queues["kitchen-orders"].dead_letter == system.queues["kitchen-orders"].dead_letter
    assert fifo_system.queues["kitchen-orders"].visibility_timeout_seconds == 30
    assert fifo_system.functions == system.functions
    # And the original declaration is untouched
    assert system.queues["kitchen-orders"].fifo is False


@pytest.mark.parametrize(
    ("break_it", "reported"),
    [
        (
            lambda d: d["topics"]["order-events"]["subscribers"].append("payments-events"),
            "topics.order-events: unknown queue 'payments-events'",
        ),
        (
            lambda d: d["topics"]["order-events"]["subscribers"].append("loyalty-order-events"),
            "topics.order-events: a queue is subscribed twice",
        ),
        (
            lambda d: d["event_buses"]["order-events"]["rules"]["order-confirmed-to-loyalty"].update(queue="nowhere"),
            "event_buses.order-events.order-confirmed-to-loyalty: unknown queue 'nowhere'",
        ),
        (
            lambda d: d["schedule_groups"]["kitchen-alerts"].update(target_queue="oven"),
            "schedule_groups.kitchen-alerts: unknown target queue 'oven'",
        ),
        (
            lambda d: d["queues"]["loyalty-order-events"].update(fifo=True),
            "queue 'loyalty-order-events' is FIFO; only standard queues receive these deliveries",
        ),
        (
            lambda d: d["functions"]["delivery-processor"]["environment"].update(KEY={"key": "card-numbers"}),
            "delivery-processor.KEY: unknown KMS key 'card-numbers'",
        ),
        (
            lambda d: d["functions"]["order-api"]["environment"].update(ROLE={"schedule_role": "oven-timers"}),
            "order-api.ROLE: unknown schedule group 'oven-timers'",
        ),
        (
            lambda d: d["functions"]["order-api"]["permissions"].append({"bus": "default", "access": "publish"}),
            "order-api: permission on unknown event bus 'default'",
        ),
        (
            lambda d: d["websocket_apis"]["order-updates"]["routes"].update({"$default": "oven-watcher"}),
            "websocket_apis.order-updates: route '$default' targets unknown function 'oven-watcher'",
        ),
        (
            lambda d: d["functions"]["order-api"]["environment"].update(URL={"websocket_api": "kitchen-live"}),
            "order-api.URL: unknown WebSocket API 'kitchen-live'",
        ),
        (
            lambda d: d["functions"][BROADCASTER]["environment"].update(URL={"websocket_api_management": "chat"}),
            f"{BROADCASTER}.URL: unknown WebSocket API 'chat'",
        ),
        (
            lambda d: d["functions"][BROADCASTER]["permissions"].append(
                {"websocket_api": "chat", "access": "post_to_connections"}
            ),
            f"{BROADCASTER}: permission on unknown WebSocket API 'chat'",
        ),
    ],
)
def test_a_reference_to_an_undeclared_resource_is_rejected_naming_it(
    raw_declaration: dict[str, Any], break_it: Any, reported: str
) -> None:
    # Given the declaration with one reference broken / When it is validated / Then it is refused, naming what is wrong
    _assert_refused(raw_declaration, break_it, reported)


@pytest.mark.parametrize(
    ("permission", "reported"),
    [
        ({"topic": "order-events", "access": "read"}, "access 'read' does not apply to a topic; use one of publish"),
        ({"key": "order-pii", "access": "publish"}, "does not apply to a key; use one of encrypt, decrypt"),
        ({"table": "orders", "access": "post_to_connections"}, "does not apply to a table"),
        # A table is granted the operations its function calls, never a level that bundles them.
        ({"table": "orders", "access": "read_write"}, "Input should be 'get', 'put'"),
        ({"websocket_api": "order-updates", "access": "send"}, "use one of post_to_connections"),
        ({"schedule_group": "kitchen-alerts", "access": "send"}, "use one of create"),
        ({"topic": "order-events", "bus": "order-events", "access": "publish"}, "names exactly one of"),
        ({"access": "read"}, "names exactly one of"),
    ],
)
def test_a_permission_names_one_resource_with_an_access_level_of_its_kind(
    permission: dict[str, str], reported: str
) -> None:
    # Given a permission / When it is validated / Then a wrong combination is refused
    with pytest.raises(ValidationError, match=reported):
        Permission.model_validate(permission)


def test_a_permission_naming_several_operations_of_a_table_is_one_permission_each() -> None:
    # Given a function declared with {table: orders, access: [get, update]}
    function = Function.model_validate(
        {
            "service_name": "order-receiver",
            "package": "order_service",
            "handler": "order_service.http_api.handler",
            "permissions": [
                {"table": "orders", "access": ["get", "update"]},
                {"queue": "kitchen-orders", "access": "send"},
            ],
        }
    )

    # Then it holds one permission per operation, in the declared order
    assert [(p.kind, p.name, p.access) for p in function.permissions] == [
        ("table", "orders", "get"),
        ("table", "orders", "update"),
        ("queue", "kitchen-orders", "send"),
    ]


def test_querying_the_indexes_of_a_table_without_indexes_is_refused(raw_declaration: dict[str, Any]) -> None:
    # Given the order API declared to query the orders table's indexes, which it has none of / Then it is refused
    _assert_refused(
        raw_declaration,
        lambda d: d["functions"]["order-api"]["permissions"].append({"table": "orders", "access": "query_indexes"}),
        "order-api: query_indexes on 'orders', a table without indexes",
    )


def test_a_permission_knows_its_kind_and_resource() -> None:
    # Given a valid permission on a schedule group / Then it names its kind and resource
    permission = Permission.model_validate({"schedule_group": "kitchen-alerts", "access": "create"})
    assert (permission.kind, permission.name, permission.access) == ("schedule_group", "kitchen-alerts", "create")


def test_the_outbox_trigger_passes_only_writes_that_stored_a_pending_event() -> None:
    # Given the real declaration's outbox trigger
    trigger = _stream_trigger_of(load_system(), OUTBOX_RELAY)

    # When its filter patterns are turned into Lambda's FilterCriteria
    criteria = trigger.filter_criteria()

    # Then each pattern is one filter, as JSON text, requiring the pending flag on the new image
    assert [json.loads(f["Pattern"]) for f in criteria["Filters"]] == [
        {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"outboxPending": {"S": [{"exists": True}]}}}}
    ]
    # And a failing batch is bisected and retried until its records expire, then recorded
    assert (trigger.bisect_batch_on_function_error, trigger.maximum_retry_attempts) == (True, -1)
    assert (trigger.maximum_record_age_seconds, trigger.on_failure_queue) == (-1, "order-outbox-failures")
    # And the stream carries new images for this filter, and old ones for the broadcaster's comparison
    assert load_system().tables["orders"].stream_view_type == "NEW_AND_OLD_IMAGES"


def test_the_broadcaster_reads_new_changes_of_orders_and_skips_a_batch_after_a_few_retries() -> None:
    # Given the real declaration's broadcaster trigger, on the same stream as the outbox relay
    trigger = _stream_trigger_of(load_system(), BROADCASTER)

    # Then it passes every insert and change, from the latest record on
    assert trigger.table == "orders"
    assert [json.loads(f["Pattern"]) for f in trigger.filter_criteria()["Filters"]] == [
        {"eventName": ["INSERT", "MODIFY"]}
    ]
    assert trigger.starting_position == "LATEST"
    # And a failing batch is bisected, retried three times for five minutes at most, then skipped
    assert (trigger.bisect_batch_on_function_error, trigger.maximum_retry_attempts) == (True, 3)
    assert (trigger.maximum_record_age_seconds, trigger.on_failure_queue) == (300, None)


def test_each_stream_triggered_function_alarms_when_it_reads_its_stream_five_minutes_behind() -> None:
    # Given the real declaration / Then the relay and the broadcaster, the functions streams trigger, alarm at 300 s
    assert load_system().iterator_age_alarms() == {OUTBOX_RELAY: 300, BROADCASTER: 300}


def test_a_function_triggered_by_two_streams_has_the_one_declared_iterator_age_alarm() -> None:
    # Given the relay triggered by a second stream, whose trigger declares no alarm, listed first
    system = load_system()
    outbox = _stream_trigger_of(system, OUTBOX_RELAY)
    second = StreamTrigger(function="order-outbox-publisher", table="kitchen-orders")
    both = system.model_copy(update={"stream_triggers": [second, outbox]})

    # Then the function keeps the outbox trigger's threshold, and a function without one has None
    assert both.iterator_age_alarms() == {"order-outbox-publisher": 300}
    assert system.model_copy(update={"stream_triggers": [second]}).iterator_age_alarms() == {
        "order-outbox-publisher": None
    }


def test_a_stream_trigger_takes_the_aws_defaults_when_only_function_and_table_are_given() -> None:
    # Given a stream trigger naming only its function and table
    trigger = StreamTrigger(function="order-outbox-publisher", table="orders")

    # Then it starts at the oldest record, retries until records expire, and bisects failing batches
    assert (trigger.starting_position, trigger.batch_size, trigger.maximum_batching_window_seconds) == (
        "TRIM_HORIZON",
        10,
        0,
    )
    assert (trigger.maximum_retry_attempts, trigger.maximum_record_age_seconds) == (-1, -1)
    assert trigger.bisect_batch_on_function_error is True
    # And without patterns every record passes (no filters), and failures are recorded nowhere
    assert (trigger.filter_criteria(), trigger.on_failure_queue) == ({"Filters": []}, None)
    # And no iterator-age alarm watches it
    assert trigger.alarm_iterator_age_seconds is None


def _outbox_permissions(declaration: dict[str, Any]) -> list[dict[str, str]]:
    permissions: list[dict[str, str]] = declaration["functions"]["order-outbox-publisher"]["permissions"]
    return permissions


@pytest.mark.parametrize(
    ("break_it", "reported"),
    [
        (
            lambda d: d["stream_triggers"][0].update(function="oven-watcher"),
            "stream_triggers: oven-watcher <- orders: unknown function 'oven-watcher'",
        ),
        (
            lambda d: d["stream_triggers"][0].update(table="invoices"),
            "stream_triggers: order-outbox-publisher <- invoices: unknown table 'invoices'",
        ),
        (
            lambda d: d["tables"]["orders"].pop("stream_view_type"),
            "order-outbox-publisher <- orders: table 'orders' has no stream (set its stream_view_type)",
        ),
        (
            lambda d: _outbox_permissions(d).remove({"table": "orders", "access": "read_stream"}),
            "order-outbox-publisher lacks {table: orders, access: read_stream}",
        ),
        (
            lambda d: d["stream_triggers"][0].update(on_failure_queue="outbox-graveyard"),
            "order-outbox-publisher <- orders: unknown on-failure queue 'outbox-graveyard'",
        ),
        (
            lambda d: _outbox_permissions(d).remove({"queue": "order-outbox-failures", "access": "send"}),
            "order-outbox-publisher lacks {queue: order-outbox-failures, access: send}",
        ),
        (
            lambda d: d["queues"]["order-outbox-failures"].update(fifo=True),
            "on-failure queue 'order-outbox-failures' is FIFO; only a standard queue receives failure records",
        ),
        (
            lambda d: d["stream_triggers"].append(dict(d["stream_triggers"][0])),
            "order-outbox-publisher is triggered by the stream of 'orders' more than once",
        ),
        (
            lambda d: d["stream_triggers"].append({**d["stream_triggers"][0], "table": "kitchen-orders"}),
            "order-outbox-publisher has more than one iterator-age alarm; IteratorAge is per function",
        ),
    ],
)
def test_a_stream_trigger_the_stream_or_its_failure_queue_cannot_serve_is_rejected_naming_why(
    raw_declaration: dict[str, Any], break_it: Any, reported: str
) -> None:
    # Given the declaration with the outbox's stream trigger broken in one way
    # When it is validated / Then it is refused, naming the trigger and what is wrong
    _assert_refused(raw_declaration, break_it, reported)


def test_a_stream_trigger_on_a_dead_letter_queue_as_its_failure_queue_is_accepted(
    raw_declaration: dict[str, Any],
) -> None:
    # Given the outbox trigger recording failures on a DLQ its function may send to
    changed = copy.deepcopy(raw_declaration)
    changed["stream_triggers"][0]["on_failure_queue"] = "kitchen-orders-dlq"
    _outbox_permissions(changed).append({"queue": "kitchen-orders-dlq", "access": "send"})

    # When it is validated / Then it loads: a DLQ is a declared queue too
    assert SystemDeclaration.model_validate(changed).stream_triggers[0].on_failure_queue == "kitchen-orders-dlq"


@pytest.mark.parametrize(
    ("setting", "reported"),
    [
        ({"maximum_record_age_seconds": 59}, "maximum_record_age_seconds is -1 (unlimited) or between 60 and 604800"),
        ({"maximum_record_age_seconds": 604801}, "between 60 and 604800"),
        ({"maximum_retry_attempts": -2}, "greater than or equal to -1"),
        ({"maximum_retry_attempts": 10001}, "less than or equal to 10000"),
        ({"batch_size": 0}, "greater than or equal to 1"),
        ({"batch_size": 10001}, "less than or equal to 10000"),
        ({"maximum_batching_window_seconds": 301}, "less than or equal to 300"),
        ({"starting_position": "AT_TIMESTAMP"}, "'TRIM_HORIZON' or 'LATEST'"),
        ({"filter_patterns": ["eventName"]}, "Input should be a valid dictionary"),
        ({"alarm_iterator_age_seconds": 0}, "greater than or equal to 1"),
    ],
)
def test_a_stream_trigger_setting_outside_what_lambda_accepts_is_rejected(
    setting: dict[str, Any], reported: str
) -> None:
    # Given a stream trigger with one setting Lambda would refuse / When validated / Then it is refused
    with pytest.raises(ValidationError, match=re.escape(reported)):
        StreamTrigger.model_validate({"function": "order-outbox-publisher", "table": "orders", **setting})


def test_a_stream_view_type_must_be_one_dynamodb_knows() -> None:
    # Given a table with a made-up stream view type / When validated / Then it is refused
    with pytest.raises(ValidationError, match="NEW_IMAGE"):
        Table.model_validate({"hash_key": "orderId", "stream_view_type": "EVERYTHING"})


def test_read_stream_is_an_access_level_of_tables_only() -> None:
    # Given read_stream on a table, and on a queue
    on_table = Permission.model_validate({"table": "orders", "access": "read_stream"})

    # Then the first is a table permission, the second is refused
    assert (on_table.kind, on_table.name, on_table.access) == ("table", "orders", "read_stream")
    with pytest.raises(ValidationError, match="access 'read_stream' does not apply to a queue"):
        Permission.model_validate({"queue": "kitchen-orders", "access": "read_stream"})


@pytest.mark.parametrize(
    ("function", "permission", "reported"),
    [
        (
            "order-api",
            {"key": "order-pii", "access": "sign"},
            "order-api: access 'sign' does not apply to 'order-pii', a key for encrypt",
        ),
        (
            "order-updates-connections",
            {"key": "order-pii", "access": "verify"},
            "order-updates-connections: access 'verify' does not apply to 'order-pii', a key for encrypt",
        ),
        (
            "order-webhook-dispatcher",
            {"key": "order-pii", "access": "derive"},
            "order-webhook-dispatcher: access 'derive' does not apply to 'order-pii', a key for encrypt",
        ),
        (
            "order-saga",
            {"key": "watch-tokens", "access": "encrypt"},
            "order-saga: access 'encrypt' does not apply to 'watch-tokens', a key for hmac",
        ),
        (
            "delivery-processor",
            {"key": "webhook-secrets", "access": "decrypt"},
            "delivery-processor: access 'decrypt' does not apply to 'webhook-secrets', a key for hmac",
        ),
    ],
)
def test_a_key_is_used_only_as_its_kind_of_key_allows(
    raw_declaration: dict[str, Any], function: str, permission: dict[str, str], reported: str
) -> None:
    # Given a function granted an HMAC access on the encryption key, or an encryption access on an HMAC key
    # When the declaration is validated / Then it is refused, naming the function, the access and the key
    _assert_refused(raw_declaration, lambda d: d["functions"][function]["permissions"].append(permission), reported)


def test_the_watch_token_and_webhook_secret_keys_are_hmac_keys_and_the_pii_key_a_symmetric_one() -> None:
    # Given the real declaration's keys / Then each is declared for its use; a key is symmetric by default
    keys = load_system().kms_keys
    assert {name: key.usage for name, key in keys.items()} == {
        "order-pii": "encrypt",
        "watch-tokens": "hmac",
        "webhook-secrets": "hmac",
    }
    assert KmsKey(description="x").usage == "encrypt"
    with pytest.raises(ValidationError, match="'encrypt' or 'hmac'"):
        KmsKey.model_validate({"description": "x", "usage": "sign"})


def test_the_orders_api_lets_any_origin_read_its_headers_and_a_cors_setting_is_checked() -> None:
    # Given the real declaration's HTTP API
    cors = load_system().http_apis["orders"].cors

    # Then a browser page on any origin may call it, send its headers and read Location and Retry-After
    assert cors == Cors(
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["content-type", "idempotency-key"],
        expose_headers=["location", "retry-after"],
        max_age_seconds=300,
    )
    # And a CORS configuration naming no origin, or caching preflights over a day, is refused
    with pytest.raises(ValidationError, match="at least 1 item"):
        Cors.model_validate({"allow_origins": []})
    with pytest.raises(ValidationError, match="less than or equal to 86400"):
        Cors.model_validate({"allow_origins": ["*"], "max_age_seconds": 86401})


def _assert_refused(raw_declaration: dict[str, Any], break_it: Any, reported: str) -> None:
    broken = copy.deepcopy(raw_declaration)
    break_it(broken)
    with pytest.raises(ValidationError) as rejected:
        SystemDeclaration.model_validate(broken)
    assert reported in str(rejected.value)


def test_a_queues_dead_letter_queue_is_named_and_a_queue_without_one_is_a_clear_error() -> None:
    # Given the declaration, and one queue that has no DLQ
    system = load_system()
    no_dlq = system.model_copy(update={"queues": {**system.queues, "q": Queue(visibility_timeout_seconds=30)}})

    # Then the kitchen's queue names its DLQ, and the queue without one is refused by name
    assert system.dead_letter_queue("kitchen-orders") == "kitchen-orders-dlq"
    with pytest.raises(ValueError, match="q has no dead-letter queue declared"):
        no_dlq.dead_letter_queue("q")


def test_the_bus_names_the_one_source_its_rules_route() -> None:
    # Given the declared order-events bus, each of whose rules matches the order service's source
    bus = load_system().event_buses["order-events"]

    # Then that source is what an event put on it must carry
    assert bus.source() == "pizza.order-service"
    assert {rule.source for rule in bus.rules.values()} == {bus.source()}
