"""Least-privilege IAM: each function may touch only its declared resources and its trigger queue."""

from __future__ import annotations

from typing import Any

import pytest

from pizza_ops.deploy.iam import (
    BUS_PUBLISH,
    CONNECTIONS_POST,
    DURABLE_ANSWER,
    DURABLE_RUN,
    FUNCTION_INVOKE,
    GRANTS,
    KEY_DECRYPT,
    KEY_ENCRYPT,
    KEY_MAC_SIGN,
    KEY_MAC_VERIFY,
    OBJECT_READ,
    OBJECT_WRITE,
    QUEUE_CONSUME,
    QUEUE_SEND,
    SCHEDULE_CREATE,
    SCHEDULE_PASS_ROLE,
    SCHEDULER_TRUST_POLICY,
    TABLE_INDEX_QUERY,
    TABLE_ITEM_ACTIONS,
    TABLE_STREAM_READ,
    TOPIC_PUBLISH,
    durable_executions_arn,
    function_policy,
    queue_delivery_policy,
    scheduler_role_policy,
    schedules_arn,
    table_index_arn,
    table_streams_arn,
    websocket_connections_arn,
)
from pizza_ops.deploy.scheduling import ministack_schedule_grant
from pizza_ops.system import ACCESS_BY_KIND, Permission, SystemDeclaration, Table, TableIndex, load_system

SYSTEM = load_system()
ACCOUNT = "us-east-1:000000000000"
ARN_FORMATS = {
    "table": f"arn:aws:dynamodb:{ACCOUNT}:table/pizza-{{}}",
    "table_streams": f"arn:aws:dynamodb:{ACCOUNT}:table/pizza-{{}}/stream/*",
    "queue": f"arn:aws:sqs:{ACCOUNT}:pizza-{{}}",
    "key": f"arn:aws:kms:{ACCOUNT}:key/id-of-{{}}",
    "topic": f"arn:aws:sns:{ACCOUNT}:pizza-{{}}",
    "bus": f"arn:aws:events:{ACCOUNT}:event-bus/pizza-{{}}",
    "schedules": f"arn:aws:scheduler:{ACCOUNT}:schedule/pizza-{{}}/*",
    "schedule_role": "arn:aws:iam::000000000000:role/pizza-{}-scheduler",
    "function_alias": f"arn:aws:lambda:{ACCOUNT}:function:pizza-{{}}:live",
    "durable_executions": f"arn:aws:lambda:{ACCOUNT}:function:pizza-{{}}:*/durable-execution/*",
    "bucket_objects": "arn:aws:s3:::pizza-{}-000000000000-us-east-1/",
    "websocket_connections": f"arn:aws:execute-api:{ACCOUNT}:id-of-{{}}/live/POST/@connections/*",
}


def _arn(kind: str, name: str) -> str:
    return ARN_FORMATS[kind].format(name)


def _policy(function: str, system: SystemDeclaration = SYSTEM) -> dict[str, Any]:
    return function_policy(system, function, _arn)


def _actions_on(policy: dict[str, Any], resource: str) -> set[str]:
    return {action for s in policy["Statement"] if s["Resource"] == resource for action in s["Action"]}


def _expected_resources(function: str) -> set[str]:
    declared = SYSTEM.functions[function].permissions
    resources = {
        _arn(arn_kind, p.name) + (f"{p.prefix or ''}*" if arn_kind == "bucket_objects" else "")
        for p in declared
        for _, arn_kind in GRANTS[(p.kind, p.access)]
    }
    indexes = {
        f"{_arn('table', p.name)}/index/{index}"
        for p in declared
        if (p.kind, p.access) == ("table", "query_indexes")
        for index in SYSTEM.tables[p.name].indexes
    }
    triggers = {_arn("queue", t.queue) for t in SYSTEM.triggers if t.function == function}
    return resources | indexes | triggers


def _with_permissions(function: str, *permissions: dict[str, str]) -> SystemDeclaration:
    declared = SYSTEM.functions[function]
    changed = declared.model_copy(update={"permissions": [Permission.model_validate(p) for p in permissions]})
    return SYSTEM.model_copy(update={"functions": {**SYSTEM.functions, function: changed}})


@pytest.mark.parametrize("function", sorted(SYSTEM.functions))
def test_a_function_is_allowed_only_its_declared_resources_and_its_trigger_queue(function: str) -> None:
    # Given a function of the real declaration / When its policy is derived
    policy = _policy(function)

    # Then every statement allows, on exactly the resources the declaration gives it
    assert policy["Version"] == "2012-10-17"
    assert {s["Effect"] for s in policy["Statement"]} == {"Allow"}
    assert {s["Resource"] for s in policy["Statement"]} == _expected_resources(function)


@pytest.mark.parametrize("function", sorted(SYSTEM.functions))
def test_no_statement_uses_a_wildcard_beyond_the_schedules_of_one_group_or_the_streams_of_one_table(
    function: str,
) -> None:
    # Given any function's policy / Then no action is a wildcard, and the only resource patterns are
    # "every schedule in this one group" (schedules are created under names chosen at run time),
    # "every stream of this one table" (a stream's ARN ends in the time it was enabled), "every
    # execution of the saga" (an execution's ARN names its version and a generated id), "the
    # claim-check objects under one prefix" (keyed by event ids) and "POST to the connections of the
    # order-updates API's one stage" (a connection's id is made when a client connects)
    for statement in _policy(function)["Statement"]:
        assert all("*" not in action for action in statement["Action"])
        if "*" in statement["Resource"]:
            assert (statement["Action"], statement["Resource"]) in [
                (SCHEDULE_CREATE, _arn("schedules", "kitchen-alerts")),
                (TABLE_STREAM_READ, _arn("table_streams", "orders")),
                (DURABLE_RUN, _arn("durable_executions", "order-saga")),
                (DURABLE_ANSWER, _arn("durable_executions", "order-saga")),
                (OBJECT_READ, f"{CLAIMS}shared/*"),
                (OBJECT_READ, f"{CLAIMS}restricted/delivery/*"),
                (OBJECT_WRITE, f"{CLAIMS}shared/*"),
                (OBJECT_WRITE, f"{CLAIMS}restricted/delivery/*"),
                (CONNECTIONS_POST, _arn("websocket_connections", "order-updates")),
            ]


def test_every_access_level_of_every_kind_has_its_grants() -> None:
    # Given the access levels the declaration accepts / Then each has at least one grant, and no other exists
    declared = {(kind, access) for kind, levels in ACCESS_BY_KIND.items() for access in levels}
    assert set(GRANTS) == declared
    # (Querying a table's indexes is granted on each index instead: function_policy.)
    assert all(GRANTS[key] for key in declared - {("table", "query_indexes")})


def test_the_kitchen_may_reply_and_dead_letter_but_not_send_to_its_own_input_queue() -> None:
    # Given the kitchen processor's policy
    policy = _policy("kitchen-processor")

    # Then it may send acknowledgements and dead-letter rejected orders
    assert set(QUEUE_SEND) <= _actions_on(policy, _arn("queue", "order-acknowledgements"))
    assert set(QUEUE_SEND) <= _actions_on(policy, _arn("queue", "kitchen-orders-dlq"))
    # And it may consume its trigger queue, but never send to it
    kitchen_orders = _actions_on(policy, _arn("queue", "kitchen-orders"))
    assert set(QUEUE_CONSUME) <= kitchen_orders
    assert "sqs:SendMessage" not in kitchen_orders
    # And it has no access to the order service's table
    assert _actions_on(policy, _arn("table", "orders")) == set()
    # And of the saga, it may only answer callbacks: neither start nor checkpoint an execution
    assert _actions_on(policy, _arn("durable_executions", "order-saga")) == set(DURABLE_ANSWER)
    assert _actions_on(policy, _arn("function_alias", "order-saga")) == set()


def test_the_order_api_may_write_its_tables_but_neither_sends_nor_consumes_messages() -> None:
    # Given the order API's policy (it has no trigger; the outbox publisher sends what it stores)
    policy = _policy("order-api")

    # Then it gets and puts orders, puts, updates and deletes its idempotency records (the calls
    # its code makes, nothing else), and touches no queue
    assert _actions_on(policy, _arn("table", "orders")) == {"dynamodb:GetItem", "dynamodb:PutItem"}
    assert _actions_on(policy, _arn("table", "order-api-idempotency")) == {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }
    assert not any(action.startswith("sqs:") for s in policy["Statement"] for action in s["Action"])
    # And it may start the saga through its alias, and nothing else of it
    assert _actions_on(policy, _arn("function_alias", "order-saga")) == set(FUNCTION_INVOKE)
    assert _actions_on(policy, _arn("durable_executions", "order-saga")) == set()


def test_only_the_saga_checkpoints_its_executions_and_only_the_kitchen_answers_their_callbacks() -> None:
    # Given every function's policy / When we look for grants on the saga's executions
    executions = _arn("durable_executions", "order-saga")
    on_executions = {name: _actions_on(_policy(name), executions) for name in SYSTEM.functions}

    # Then the saga may checkpoint and read its own, the kitchen answer callbacks, and nobody else anything
    assert {name: actions for name, actions in on_executions.items() if actions} == {
        "order-saga": set(DURABLE_RUN),
        "kitchen-processor": set(DURABLE_ANSWER),
    }
    assert durable_executions_arn("arn:aws:lambda:us-east-1:000000000000:function:pizza-order-saga") == (
        "arn:aws:lambda:us-east-1:000000000000:function:pizza-order-saga:*/durable-execution/*"
    )


def test_only_the_order_api_may_start_the_saga() -> None:
    # Given every function's policy / When we look for invoke grants on the saga's alias
    alias = _arn("function_alias", "order-saga")
    starters = {name for name in SYSTEM.functions if _actions_on(_policy(name), alias)}

    # Then only the orders API may start it
    assert starters == {"order-api"}


def test_a_table_permission_grants_exactly_the_operations_it_names() -> None:
    # Given the order API declared with get and update on its table, and nothing else
    system = _with_permissions(
        "order-api", {"table": "orders", "access": "get"}, {"table": "orders", "access": "update"}
    )

    # When its policy is derived
    policy = _policy("order-api", system)

    # Then it may get and update that table's items, and make no other call on it (no put, no delete)
    assert _actions_on(policy, _arn("table", "orders")) == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    assert _actions_on(policy, _arn("queue", "kitchen-orders")) == set()
    # And each table operation is one action, the one its call is authorised by
    assert all(len(actions) == 1 for actions in TABLE_ITEM_ACTIONS.values())


def test_the_outbox_publisher_may_read_the_orders_stream_publish_and_schedule_alerts_only() -> None:
    # Given the policy of the function that relays the order service's outbox
    policy = _policy("order-outbox-publisher")

    # Then it may read the orders table's streams, and only those (not another table's)
    assert _actions_on(policy, _arn("table_streams", "orders")) == set(TABLE_STREAM_READ)
    assert set(TABLE_STREAM_READ) == {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
    assert table_streams_arn(_arn("table", "orders")) == _arn("table_streams", "orders")
    # And publish to the topic and the bus, send to the kitchen and record failed batches
    assert _actions_on(policy, _arn("topic", "order-events")) == set(TOPIC_PUBLISH) == {"sns:Publish"}
    assert _actions_on(policy, _arn("bus", "order-events")) == set(BUS_PUBLISH) == {"events:PutEvents"}
    assert _actions_on(policy, _arn("queue", "kitchen-orders")) == set(QUEUE_SEND)
    assert _actions_on(policy, _arn("queue", "order-outbox-failures")) == set(QUEUE_SEND)
    # And create, read and delete schedules of its group, handing them the group's role only
    assert _actions_on(policy, _arn("schedules", "kitchen-alerts")) == set(SCHEDULE_CREATE)
    assert _actions_on(policy, _arn("schedule_role", "kitchen-alerts")) == set(SCHEDULE_PASS_ROLE) == {"iam:PassRole"}
    # And it has no use for the PII key: addresses are encrypted before their events are stored
    assert _actions_on(policy, _arn("key", "order-pii")) == set()


def test_the_acknowledgement_processor_may_encrypt_addresses_but_publishes_nothing_itself() -> None:
    # Given the acknowledgement processor's policy (it stores its events in the outbox)
    policy = _policy("order-acknowledgement-processor")

    # Then it may encrypt (but not decrypt) with the PII key, and neither publish nor schedule
    assert _actions_on(policy, _arn("key", "order-pii")) == set(KEY_ENCRYPT) == {"kms:Encrypt"}
    assert _actions_on(policy, _arn("topic", "order-events")) == set()
    assert _actions_on(policy, _arn("bus", "order-events")) == set()
    assert _actions_on(policy, _arn("schedules", "kitchen-alerts")) == set()


def test_only_the_delivery_service_may_decrypt_delivery_addresses() -> None:
    # Given every function's policy / When we look for grants on the PII key
    on_key = {name: _actions_on(_policy(name), _arn("key", "order-pii")) for name in SYSTEM.functions}

    # Then the publishers (the acknowledgement processor, the saga) may encrypt, the delivery
    # service decrypt, and nobody else anything
    assert {name: actions for name, actions in on_key.items() if actions} == {
        "order-acknowledgement-processor": set(KEY_ENCRYPT),
        "order-saga": set(KEY_ENCRYPT),
        "delivery-processor": set(KEY_DECRYPT),
    }
    assert KEY_DECRYPT == ["kms:Decrypt"]


def test_schedules_arn_covers_the_schedules_of_one_group() -> None:
    # Given a schedule group's ARN / Then its schedules are schedule/<group>/<name>
    group = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/pizza-kitchen-alerts"
    assert schedules_arn(group) == "arn:aws:scheduler:us-east-1:000000000000:schedule/pizza-kitchen-alerts/*"


def test_the_scheduler_role_is_assumed_by_scheduler_and_may_only_send_to_its_target_queue() -> None:
    # Given the target queue of a schedule group / When the role's policies are derived
    queue = _arn("queue", "kitchen-alerts")

    # Then only EventBridge Scheduler may assume it, and it may only send to that queue
    assert SCHEDULER_TRUST_POLICY["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert scheduler_role_policy(queue)["Statement"] == [
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": queue}
    ]


def test_a_queue_policy_admits_its_topics_and_rules_by_source_arn_only() -> None:
    # Given a queue fed by one topic and one rule
    queue, topic = _arn("queue", "loyalty-order-events"), _arn("topic", "order-events")
    rule = "arn:aws:events:us-east-1:000000000000:rule/pizza-order-events/pizza-order-confirmed-to-loyalty"

    # When its delivery policy is derived
    statements = queue_delivery_policy(queue, [topic], [rule])["Statement"]

    # Then SNS may send from that topic and EventBridge from that rule, to this queue, and nothing else
    assert [(s["Principal"], s["Condition"]) for s in statements] == [
        ({"Service": "sns.amazonaws.com"}, {"ArnEquals": {"aws:SourceArn": topic}}),
        ({"Service": "events.amazonaws.com"}, {"ArnEquals": {"aws:SourceArn": rule}}),
    ]
    assert {(s["Effect"], s["Action"], s["Resource"]) for s in statements} == {("Allow", "sqs:SendMessage", queue)}
    assert len({s["Sid"] for s in statements}) == 2


def test_on_an_emulator_the_schedule_grant_also_names_the_arn_ministack_checks() -> None:
    # Given the publisher's exact policy
    policy = _policy("order-outbox-publisher")

    # When it is adapted for MiniStack, which checks schedule calls against the default group
    adapted = ministack_schedule_grant(policy)

    # Then only the schedule statement changes, adding schedule/default/*
    [changed] = [s for s in adapted["Statement"] if s not in policy["Statement"]]
    assert changed["Resource"] == [
        _arn("schedules", "kitchen-alerts"),
        f"arn:aws:scheduler:{ACCOUNT}:schedule/default/*",
    ]
    assert len(adapted["Statement"]) == len(policy["Statement"])


CLAIMS = "arn:aws:s3:::pizza-claim-checks-000000000000-us-east-1/"


def test_only_the_delivery_service_may_read_restricted_claims_and_only_publishers_may_write_claims() -> None:
    # Given the real declaration / When every function's policy is derived
    readers = {
        function: {s["Resource"] for s in _policy(function)["Statement"] if "s3:GetObject" in s["Action"]}
        for function in SYSTEM.functions
    }
    writers = {
        function
        for function in SYSTEM.functions
        if any("s3:PutObject" in s["Action"] for s in _policy(function)["Statement"])
    }
    # Then the restricted delivery details are readable by the delivery processor alone
    restricted = {f for f, resources in readers.items() if f"{CLAIMS}restricted/delivery/*" in resources}
    assert restricted == {"delivery-processor"}
    # And every other consumer of order events (the kitchen's two included) reads shared claims only
    shared_only = ("kitchen-processor", "kitchen-alert-processor", "loyalty-processor", "notifications-processor")
    for subscriber in (*shared_only, "analytics-processor"):
        assert readers[subscriber] == {f"{CLAIMS}shared/*"}
    # And only the order service's event writers may put objects, and get only the shared ones (to
    # presign URLs to them): the delivery details they write, they cannot read back
    assert writers == {"order-api", "order-acknowledgement-processor", "order-saga"}
    assert all(readers[writer] == {f"{CLAIMS}shared/*"} for writer in writers)


CONNECTIONS = "order-update-connections"


def test_query_indexes_grants_query_on_each_of_the_tables_indexes_and_nothing_else() -> None:
    # Given the connections table and the orders table each declared with one more index, and the
    # broadcaster querying the first's indexes, and getting the orders table's items and its stream
    def indexed(name: str, index: str, key: str) -> Table:
        table = SYSTEM.tables[name]
        return table.model_copy(update={"indexes": {**table.indexes, index: TableIndex(hash_key=key)}})

    tables = {**SYSTEM.tables, CONNECTIONS: indexed(CONNECTIONS, "by-order", "orderId")}
    tables["orders"] = indexed("orders", "by-customer", "customerId")
    system = _with_permissions(
        "order-updates-broadcaster",
        {"table": CONNECTIONS, "access": "query_indexes"},
        {"table": "orders", "access": "get"},
        {"table": "orders", "access": "read_stream"},
    ).model_copy(update={"tables": tables})

    # When its policy is derived
    policy = _policy("order-updates-broadcaster", system)

    # Then it may Query each index of the connections table, by the index's own ARN, and nothing on the table itself
    for index in ("by-customer", "by-order"):
        index_arn = table_index_arn(_arn("table", CONNECTIONS), index)
        assert index_arn == f"{_arn('table', CONNECTIONS)}/index/{index}"
        assert _actions_on(policy, index_arn) == set(TABLE_INDEX_QUERY) == {"dynamodb:Query"}
    assert _actions_on(policy, _arn("table", CONNECTIONS)) == set()
    # And getting a table's items or reading its stream grants nothing on its indexes
    assert _actions_on(policy, table_index_arn(_arn("table", "orders"), "by-customer")) == set()


def test_only_the_broadcaster_may_post_to_connections_and_only_to_those_of_one_stage() -> None:
    # Given every function's policy / When we look for grants on the order-updates API's connections
    connections = _arn("websocket_connections", "order-updates")
    posting = {name: _actions_on(_policy(name), connections) for name in SYSTEM.functions}

    # Then the broadcaster alone may post to them, with ManageConnections only
    assert {name: actions for name, actions in posting.items() if actions} == {
        "order-updates-broadcaster": set(CONNECTIONS_POST)
    }
    assert CONNECTIONS_POST == ["execute-api:ManageConnections"]
    # And the ARN names one API, one stage and POST on @connections: no other stage, route or method
    assert websocket_connections_arn("us-east-1", "000000000000", "a1b2c3", "live") == (
        "arn:aws:execute-api:us-east-1:000000000000:a1b2c3/live/POST/@connections/*"
    )


def _grants_on_key(key: str) -> dict[str, set[str]]:
    """The functions granted anything on the key, with what they are granted."""
    on_key = {name: _actions_on(_policy(name), _arn("key", key)) for name in SYSTEM.functions}
    return {name: actions for name, actions in on_key.items() if actions}


def _kms_grants(function: str) -> dict[str, set[str]]:
    """Every KMS action the function's policy grants, by the resource it is granted on."""
    grants: dict[str, set[str]] = {}
    for statement in _policy(function)["Statement"]:
        actions = {action for action in statement["Action"] if action.startswith("kms:")}
        if actions:
            grants.setdefault(statement["Resource"], set()).update(actions)
    return grants


def test_only_the_order_api_may_make_watch_tokens_and_the_connection_handler_only_verifies_them() -> None:
    # Given every function's policy / When we look for grants on the watch-tokens key
    on_key = _grants_on_key("watch-tokens")

    # Then the order API makes tokens (GenerateMac), the connection handler only checks them
    # (VerifyMac), and nobody else may do anything with the key: not the webhook dispatcher either,
    # whose GenerateMac would otherwise make a watch token for any customer
    assert on_key == {"order-api": set(KEY_MAC_SIGN), "order-updates-connections": set(KEY_MAC_VERIFY)}
    assert {name for name, actions in on_key.items() if "kms:GenerateMac" in actions} == {"order-api"}
    assert (KEY_MAC_SIGN, KEY_MAC_VERIFY) == (["kms:GenerateMac"], ["kms:VerifyMac"])


def test_only_the_order_api_and_the_dispatcher_may_derive_webhook_secrets() -> None:
    # Given every function's policy / When we look for grants on the webhook-secrets key
    on_key = _grants_on_key("webhook-secrets")

    # Then the order API (to hand the secret out) and the dispatcher (to sign with it) derive
    # secrets, and nobody else may do anything with the key: the connection handler neither
    assert on_key == {"order-api": set(KEY_MAC_SIGN), "order-webhook-dispatcher": set(KEY_MAC_SIGN)}


def test_the_dispatcher_and_the_connection_handler_may_use_one_key_each_and_nothing_else_in_kms() -> None:
    # Given the policies of the webhook dispatcher and the WebSocket connection handler
    # When we collect every KMS action they are granted, on whatever resource
    dispatcher = _kms_grants("order-webhook-dispatcher")
    connections = _kms_grants("order-updates-connections")

    # Then the dispatcher may only derive with webhook-secrets (no access at all to watch-tokens, so
    # it cannot make a watch token), and the connection handler may only verify with watch-tokens
    # (it can make neither a token nor a webhook secret)
    assert dispatcher == {_arn("key", "webhook-secrets"): {"kms:GenerateMac"}}
    assert connections == {_arn("key", "watch-tokens"): {"kms:VerifyMac"}}
