"""infra/terraform declares the order updates exactly as the declaration does: the connections table and
its index (and Query on it wherever the table is read), the two HMAC keys and who may sign, derive
or verify with each, the webhook queue, the WebSocket API with its routes and the URLs functions get of it,
POST to its connections, and the orders API's CORS configuration.

The drift check (pizza_ops.terraform_drift) is run on changed declarations and changed Terraform
to prove it reports each kind of difference; the building blocks' fixed settings are checked here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from drift_support import (
    assert_reported_when_declaration_changes,
    assert_reported_when_terraform_changes,
    with_module_added,
    with_module_changed,
    without_module,
)

from pizza_ops.deploy import iam
from pizza_ops.deploy.websocket_apis import ROUTE_SELECTION, STAGE, lambda_invocation_uri
from pizza_ops.system import (
    Permission,
    SystemDeclaration,
    TableIndex,
    WebSocketApiRef,
)
from pizza_ops.terraform_drift import EXPECTED_ACTIONS, Terraform, building_block

CONNECTIONS_TABLE = "order-update-connections"
BROADCASTER = "order-updates-broadcaster"
BROADCASTER_MODULE = "order_updates_broadcaster_function"
CONNECTIONS_MODULE = "order_updates_connections_function"
DISPATCHER_MODULE = "order_webhook_dispatcher_function"
WEBSOCKET_MODULE = "order_updates_websocket_api"
INDEX = "('table', 'order-update-connections/index/by-customer', 'query_indexes')"


def _with_table(name: str, **changes: Any) -> Callable[[SystemDeclaration], SystemDeclaration]:
    def change(system: SystemDeclaration) -> SystemDeclaration:
        table = system.tables[name].model_copy(update=changes)
        return system.model_copy(update={"tables": {**system.tables, name: table}})

    return change


def _with_key_usage(name: str) -> Callable[[SystemDeclaration], SystemDeclaration]:
    def change(system: SystemDeclaration) -> SystemDeclaration:
        key = system.kms_keys[name].model_copy(update={"usage": "encrypt"})
        return system.model_copy(update={"kms_keys": {**system.kms_keys, name: key}})

    return change


def _with_routes(**routes: str | None) -> Callable[[SystemDeclaration], SystemDeclaration]:
    """The order-updates API with some routes changed (None: removed)."""

    def change(system: SystemDeclaration) -> SystemDeclaration:
        api = system.websocket_apis["order-updates"]
        changed = {k: v for k, v in {**api.routes, **routes}.items() if v is not None}
        return system.model_copy(
            update={"websocket_apis": {"order-updates": api.model_copy(update={"routes": changed})}}
        )

    return change


def _with_cors(**changes: Any) -> Callable[[SystemDeclaration], SystemDeclaration]:
    """The orders API with some CORS settings changed."""

    def change(system: SystemDeclaration) -> SystemDeclaration:
        api = system.http_apis["orders"]
        assert api.cors is not None
        cors = api.cors.model_copy(update=changes)
        return system.model_copy(update={"http_apis": {"orders": api.model_copy(update={"cors": cors})}})

    return change


def _without_cors(system: SystemDeclaration) -> SystemDeclaration:
    api = system.http_apis["orders"].model_copy(update={"cors": None})
    return system.model_copy(update={"http_apis": {"orders": api}})


def _with_function(name: str, **changes: Any) -> Callable[[SystemDeclaration], SystemDeclaration]:
    def change(system: SystemDeclaration) -> SystemDeclaration:
        function = system.functions[name].model_copy(update=changes)
        return system.model_copy(update={"functions": {**system.functions, name: function}})

    return change


def _with_permissions_of(name: str, *permissions: dict[str, str]) -> Callable[[SystemDeclaration], SystemDeclaration]:
    def change(system: SystemDeclaration) -> SystemDeclaration:
        declared = [Permission.model_validate(p) for p in permissions]
        return _with_function(name, permissions=declared)(system)

    return change


def _with_max_receives(system: SystemDeclaration) -> SystemDeclaration:
    queue = system.queues["order-webhooks"]
    assert queue.dead_letter is not None
    dead_letter = queue.dead_letter.model_copy(update={"max_receive_count": 5})
    changed = queue.model_copy(update={"dead_letter": dead_letter})
    return system.model_copy(update={"queues": {**system.queues, "order-webhooks": changed}})


def _broadcaster_environment(system: SystemDeclaration) -> SystemDeclaration:
    function = system.functions[BROADCASTER]
    environment = {
        **function.environment,
        "ORDER_UPDATES_MANAGEMENT_URL": WebSocketApiRef(websocket_api="order-updates"),
    }
    return _with_function(BROADCASTER, environment=environment)(system)


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            _with_table(CONNECTIONS_TABLE, indexes={}),
            "table 'order-update-connections': indexes (name: hash_key) is {'by-customer': 'customerId'} "
            "in Terraform but {} in the declaration",
        ),
        (
            _with_table(CONNECTIONS_TABLE, indexes={}),
            f"function 'order-updates-broadcaster': Terraform grants {INDEX}, which is not declared",
        ),
        (
            _with_table(CONNECTIONS_TABLE, indexes={"by-customer": TableIndex(hash_key="email")}),
            "indexes (name: hash_key) is {'by-customer': 'customerId'} in Terraform but {'by-customer': 'email'}",
        ),
        (
            _with_key_usage("watch-tokens"),
            "KMS key 'watch-tokens': usage is 'hmac' in Terraform but 'encrypt' in the declaration",
        ),
        (
            _with_key_usage("webhook-secrets"),
            "KMS key 'webhook-secrets': usage is 'hmac' in Terraform but 'encrypt' in the declaration",
        ),
        (
            _with_routes(**{"$default": "order-updates-connections"}),
            "WebSocket API 'order-updates': route '$default' is declared but not in Terraform",
        ),
        (
            _with_routes(**{"$disconnect": None}),
            "WebSocket API 'order-updates': route '$disconnect' is in Terraform but not declared",
        ),
        (
            _with_routes(**{"$disconnect": BROADCASTER}),
            "WebSocket API 'order-updates': route '$disconnect' targets 'order-updates-connections' instead of "
            "'order-updates-broadcaster'",
        ),
        (
            lambda s: s.model_copy(update={"websocket_apis": {}}),
            "WebSocket API 'order-updates' has a Terraform module but is not declared",
        ),
        (
            _with_cors(allow_origins=["https://pizza.example"]),
            "HTTP API 'orders': cors allow_origins is ['*'] in Terraform but ['https://pizza.example']",
        ),
        (_with_cors(max_age_seconds=600), "HTTP API 'orders': cors max_age_seconds is 300 in Terraform but 600"),
        (_without_cors, "HTTP API 'orders': cors is {"),
        (
            _broadcaster_environment,
            "function 'order-updates-broadcaster': environment variable ORDER_UPDATES_MANAGEMENT_URL is "
            "('websocket_api', 'order-updates', 'management_url') in Terraform but "
            "('websocket_api', 'order-updates', 'url')",
        ),
        (
            _with_permissions_of(
                "order-updates-connections",
                {"table": CONNECTIONS_TABLE, "access": "put"},
                {"key": "watch-tokens", "access": "sign"},
            ),
            "function 'order-updates-connections': declared permission ('key', 'watch-tokens', 'sign') is not granted",
        ),
        (
            _with_permissions_of(
                "order-updates-connections",
                {"table": CONNECTIONS_TABLE, "access": "put"},
                {"key": "watch-tokens", "access": "sign"},
            ),
            "function 'order-updates-connections': Terraform grants ('key', 'watch-tokens', 'verify'), which is not",
        ),
        (
            # The dispatcher declared to derive with the watch-tokens key: Terraform still gives it
            # webhook-secrets only.
            _with_permissions_of(
                "order-webhook-dispatcher",
                {"key": "watch-tokens", "access": "derive"},
                {"queue": "order-webhooks-dlq", "access": "send"},
            ),
            "function 'order-webhook-dispatcher': declared permission ('key', 'watch-tokens', 'derive') is not granted",
        ),
        (
            _with_permissions_of(
                BROADCASTER,
                {"table": CONNECTIONS_TABLE, "access": "put"},
                {"table": "orders", "access": "read_stream"},
            ),
            "function 'order-updates-broadcaster': Terraform grants ('websocket_api', 'order-updates', "
            "'post_to_connections'), which is not declared",
        ),
        (_with_max_receives, "queue 'order-webhooks': max_receive_count is 12 in Terraform but 5"),
    ],
)
def test_drift_is_reported_when_the_order_updates_declaration_changes(
    change: Callable[[SystemDeclaration], SystemDeclaration], reported: str
) -> None:
    # Given a declaration changed without touching the Terraform / Then the change is reported
    assert_reported_when_declaration_changes(change, reported)


def _statements(tf: Terraform, label: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = tf.modules[label]["policy_statements"]
    return statements


def _without_statement(tf: Terraform, label: str, sid: str) -> Terraform:
    return with_module_changed(tf, label, policy_statements=[s for s in _statements(tf, label) if s["sid"] != sid])


def _with_statement(tf: Terraform, label: str, actions: str, resource: str, sid: str = "Extra") -> Terraform:
    extra = {"sid": sid, "actions": f"${{local.{actions}}}", "resources": [resource]}
    return with_module_changed(tf, label, policy_statements=[*_statements(tf, label), extra])


def _statement_changed(tf: Terraform, label: str, sid: str, **changes: Any) -> Terraform:
    changed = [{**s, **changes} if s["sid"] == sid else s for s in _statements(tf, label)]
    return with_module_changed(tf, label, policy_statements=changed)


def _with_environment(tf: Terraform, label: str, **variables: str) -> Terraform:
    return with_module_changed(tf, label, environment={**tf.modules[label]["environment"], **variables})


def _key_without_usage(label: str) -> Callable[[Terraform], Terraform]:
    """An HMAC key's module call without its usage: a key of the module's default usage."""

    def change(tf: Terraform) -> Terraform:
        key = {k: v for k, v in tf.modules[label].items() if k != "usage"}
        return replace(tf, modules={**tf.modules, label: key})

    return change


INDEX_ARN = '${module.order_update_connections_table.index_arns["by-customer"]}'
WATCH_TOKENS_ARN = "${module.watch_tokens_key.arn}"
WEBHOOK_SECRETS_ARN = "${module.webhook_secrets_key.arn}"
CONNECTIONS_ARN = "${module.order_updates_websocket_api.connections_arn}"


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            lambda tf: _without_statement(tf, BROADCASTER_MODULE, "OrderUpdateConnectionsByCustomerQuery"),
            f"function 'order-updates-broadcaster': declared permission {INDEX} is not granted",
        ),
        (
            lambda tf: _statement_changed(
                tf,
                BROADCASTER_MODULE,
                "OrderUpdateConnectionsByCustomerQuery",
                resources=["${module.order_update_connections_table.arn}"],
            ),
            "statement OrderUpdateConnectionsByCustomerQuery names '${module.order_update_connections_table.arn}', "
            "not the index_arn of one table",
        ),
        (
            lambda tf: _with_statement(
                tf, "order_outbox_publisher_function", "dynamodb_index_query_actions", INDEX_ARN
            ),
            f"function 'order-outbox-publisher': Terraform grants {INDEX}, which is not declared",
        ),
        (
            lambda tf: _statement_changed(
                tf,
                BROADCASTER_MODULE,
                "OrderUpdatesConnectionsPost",
                resources=["${module.order_updates_websocket_api.id}"],
            ),
            "statement OrderUpdatesConnectionsPost names '${module.order_updates_websocket_api.id}', "
            "not the connections_arn of one websocket_api",
        ),
        (
            lambda tf: _statement_changed(
                tf, BROADCASTER_MODULE, "OrderUpdatesConnectionsPost", resources=["arn:aws:execute-api:*"]
            ),
            "statement OrderUpdatesConnectionsPost names 'arn:aws:execute-api:*', not the connections_arn",
        ),
        (
            lambda tf: _with_statement(
                tf, CONNECTIONS_MODULE, "execute_api_manage_connections_actions", CONNECTIONS_ARN
            ),
            "function 'order-updates-connections': Terraform grants ('websocket_api', 'order-updates', "
            "'post_to_connections'), which is not declared",
        ),
        (
            lambda tf: _statement_changed(
                tf, DISPATCHER_MODULE, "WebhookSecretsDerive", actions="${local.kms_mac_sign_actions}"
            ),
            "function 'order-webhook-dispatcher': Terraform grants ('key', 'webhook-secrets', 'sign'), which is not",
        ),
        (
            lambda tf: _statement_changed(
                tf, DISPATCHER_MODULE, "WebhookSecretsDerive", actions="${local.kms_mac_sign_actions}"
            ),
            "function 'order-webhook-dispatcher': declared permission ('key', 'webhook-secrets', 'derive') "
            "is not granted",
        ),
        (
            # The dispatcher's statement pointed at the watch-tokens key: it could make watch tokens.
            lambda tf: _statement_changed(tf, DISPATCHER_MODULE, "WebhookSecretsDerive", resources=[WATCH_TOKENS_ARN]),
            "function 'order-webhook-dispatcher': Terraform grants ('key', 'watch-tokens', 'derive'), which is not",
        ),
        (
            lambda tf: _with_statement(tf, CONNECTIONS_MODULE, "kms_mac_derive_actions", WEBHOOK_SECRETS_ARN),
            "function 'order-updates-connections': Terraform grants ('key', 'webhook-secrets', 'derive'), which is not",
        ),
        (
            lambda tf: _with_environment(tf, CONNECTIONS_MODULE, WATCH_TOKEN_KEY_ID=WEBHOOK_SECRETS_ARN),
            "function 'order-updates-connections': environment variable WATCH_TOKEN_KEY_ID is ('key', "
            "'webhook-secrets', 'arn') in Terraform but ('key', 'watch-tokens', 'arn')",
        ),
        (
            lambda tf: replace(
                tf, locals={**tf.locals, "kms_mac_verify_actions": ["kms:VerifyMac", "kms:GenerateMac"]}
            ),
            "local kms_mac_verify_actions is ['kms:VerifyMac', 'kms:GenerateMac']; expected exactly ['kms:VerifyMac']",
        ),
        (
            lambda tf: replace(
                tf, locals={**tf.locals, "dynamodb_index_query_actions": ["dynamodb:Query", "dynamodb:Scan"]}
            ),
            "local dynamodb_index_query_actions is ['dynamodb:Query', 'dynamodb:Scan']; expected exactly",
        ),
        (
            lambda tf: replace(tf, locals={**tf.locals, "execute_api_manage_connections_actions": ["execute-api:*"]}),
            "local execute_api_manage_connections_actions is ['execute-api:*']; expected exactly",
        ),
        (
            lambda tf: with_module_changed(tf, "watch_tokens_key", usage=None),
            "KMS key 'watch-tokens': usage is None in Terraform but 'hmac'",
        ),
        (
            _key_without_usage("watch_tokens_key"),
            "KMS key 'watch-tokens': usage is 'encrypt' in Terraform but 'hmac'",
        ),
        (
            _key_without_usage("webhook_secrets_key"),
            "KMS key 'webhook-secrets': usage is 'encrypt' in Terraform but 'hmac'",
        ),
        (
            lambda tf: with_module_changed(tf, "order_update_connections_table", indexes={}),
            "table 'order-update-connections': indexes (name: hash_key) is {} in Terraform but {'by-customer': ",
        ),
        (
            lambda tf: with_module_changed(tf, WEBSOCKET_MODULE, routes={"$connect": "order-updates-connections"}),
            "WebSocket API 'order-updates': route '$disconnect' is declared but not in Terraform",
        ),
        (
            lambda tf: with_module_changed(
                tf,
                WEBSOCKET_MODULE,
                functions={
                    "order-updates-connections": {
                        "function_name": "${module.order_updates_broadcaster_function.function_name}",
                        "invoke_arn": "${module.order_updates_connections_function.invoke_arn}",
                    }
                },
            ),
            "WebSocket API 'order-updates': functions['order-updates-connections'].function_name "
            "is not that function's",
        ),
        (
            lambda tf: with_module_changed(tf, WEBSOCKET_MODULE, emulator_endpoint_url=None),
            "WebSocket API 'order-updates': emulator_endpoint_url is None in Terraform but '${var.aws_endpoint_url}'",
        ),
        (
            lambda tf: without_module(tf, WEBSOCKET_MODULE),
            "WebSocket API 'order-updates' is declared but has no Terraform module",
        ),
        (
            lambda tf: with_module_added(tf, "live_orders_api", **tf.modules[WEBSOCKET_MODULE]),
            "module 'live_orders_api': a websocket_api named 'order-updates' should be labelled "
            "'order_updates_websocket_api'",
        ),
        (
            lambda tf: with_module_changed(
                tf, "orders_http_api", cors={**tf.modules["orders_http_api"]["cors"], "max_age_seconds": 600}
            ),
            "HTTP API 'orders': cors max_age_seconds is 600 in Terraform but 300",
        ),
        (
            lambda tf: with_module_changed(tf, "orders_http_api", cors=None),
            "HTTP API 'orders': cors is None in Terraform but {",
        ),
        (
            lambda tf: _with_environment(
                tf, "order_api_function", ORDER_UPDATES_URL="${module.order_updates_websocket_api.management_url}"
            ),
            "function 'order-api': environment variable ORDER_UPDATES_URL is ('websocket_api', 'order-updates', "
            "'management_url') in Terraform but ('websocket_api', 'order-updates', 'url')",
        ),
        (
            lambda tf: with_module_changed(
                tf,
                "order_updates_broadcaster_from_orders_stream",
                on_failure_destination_arn="${module.order_outbox_failures_queue.arn}",
            ),
            "stream trigger order-updates-broadcaster <- orders: on_failure_destination_arn is "
            "('queue', 'order-outbox-failures', 'arn') in Terraform but None",
        ),
        (
            lambda tf: with_module_changed(
                tf, "order_updates_broadcaster_from_orders_stream", starting_position="TRIM_HORIZON"
            ),
            "stream trigger order-updates-broadcaster <- orders: starting_position is 'TRIM_HORIZON' in Terraform "
            "but 'LATEST'",
        ),
    ],
)
def test_drift_is_reported_when_the_order_updates_terraform_changes(
    change: Callable[[Terraform], Terraform], reported: str
) -> None:
    # Given Terraform changed without touching the declaration / Then the change is reported
    assert_reported_when_terraform_changes(change, reported)


def test_the_new_access_levels_are_spelled_with_exactly_the_deployers_actions() -> None:
    # Given the locals for index queries, the HMAC key's accesses and posting to connections
    # Then each is the deployer's action list
    assert EXPECTED_ACTIONS["dynamodb_index_query_actions"] == set(iam.TABLE_INDEX_QUERY) == {"dynamodb:Query"}
    assert EXPECTED_ACTIONS["kms_mac_sign_actions"] == set(iam.KEY_MAC_SIGN) == {"kms:GenerateMac"}
    assert EXPECTED_ACTIONS["kms_mac_derive_actions"] == set(iam.KEY_MAC_SIGN)
    assert EXPECTED_ACTIONS["kms_mac_verify_actions"] == set(iam.KEY_MAC_VERIFY) == {"kms:VerifyMac"}
    assert EXPECTED_ACTIONS["execute_api_manage_connections_actions"] == set(iam.CONNECTIONS_POST)


def test_tables_create_each_declared_index_on_a_string_key_projecting_whole_items() -> None:
    # Given the table building block
    table_module = building_block("dynamodb_table")
    table = table_module.resources[("aws_dynamodb_table", "this")]
    blocks = {name: block for entry in table["dynamic"] for name, block in entry.items()}

    # Then each index is named by its key in var.indexes, keyed on its hash key, projecting ALL (as
    # the deployer creates it), and no table has an index unless declared with one
    index = blocks["global_secondary_index"]
    assert index["for_each"] == "${var.indexes}"
    assert index["content"] == [
        {
            "name": "${global_secondary_index.key}",
            "hash_key": "${global_secondary_index.value.hash_key}",
            "projection_type": "ALL",
        }
    ]
    assert table_module.variables["indexes"]["default"] == {}
    # And each index key is defined once as a string, unless it is the table's own key
    attribute = blocks["attribute"]
    assert attribute["for_each"] == (
        "${setsubtract(toset([for index in values(var.indexes) : index.hash_key]), [var.hash_key])}"
    )
    assert attribute["content"] == [{"name": "${attribute.value}", "type": "S"}]
    # And Query on an index is granted on <table ARN>/index/<name>, as the deployer computes it
    index_arns = table_module.outputs["index_arns"]["value"]
    assert index_arns == '${{for name in keys(var.indexes) : name => "${aws_dynamodb_table.this.arn}/index/${name}"}}'
    table_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/pizza-order-update-connections"
    assert iam.table_index_arn(table_arn, "by-customer") == f"{table_arn}/index/by-customer"


def test_http_api_passes_each_declared_cors_setting_to_api_gateway() -> None:
    # Given the HTTP API building block
    api_module = building_block("http_api")
    [cors] = [
        entry["cors_configuration"] for entry in api_module.resources[("aws_apigatewayv2_api", "this")]["dynamic"]
    ]

    # Then CORS is configured only when declared, each setting as the deployer sends it
    assert cors["for_each"] == "${var.cors == null ? [] : [var.cors]}"
    assert cors["content"] == [
        {
            "allow_origins": "${cors_configuration.value.allow_origins}",
            "allow_methods": "${cors_configuration.value.allow_methods}",
            "allow_headers": "${cors_configuration.value.allow_headers}",
            "expose_headers": "${cors_configuration.value.expose_headers}",
            "max_age": "${cors_configuration.value.max_age_seconds}",
        }
    ]
    assert api_module.variables["cors"]["default"] is None


def test_websocket_api_routes_by_action_on_one_auto_deployed_stage_as_the_deployer_builds_it() -> None:
    # Given the WebSocket API building block
    api_module = building_block("websocket_api")
    api = api_module.resources[("aws_apigatewayv2_api", "this")]
    stage = api_module.resources[("aws_apigatewayv2_stage", "live")]
    integration = api_module.resources[("aws_apigatewayv2_integration", "lambda")]
    route = api_module.resources[("aws_apigatewayv2_route", "this")]
    permission = api_module.resources[("aws_lambda_permission", "invoke")]

    # Then the API selects routes by the message's action, on the deployer's one stage, deployed on change
    assert (api["protocol_type"], api["route_selection_expression"]) == ("WEBSOCKET", ROUTE_SELECTION)
    assert api["name"] == "${var.name_prefix}-${var.name}"
    assert (api_module.locals["stage"], stage["name"], stage["auto_deploy"]) == (STAGE, "${local.stage}", True)
    # And each function is invoked through one Lambda proxy integration, by its invocation URI, with POST
    assert (integration["for_each"], integration["integration_type"]) == ("${var.functions}", "AWS_PROXY")
    assert (integration["integration_method"], integration["integration_uri"]) == ("POST", "${each.value.invoke_arn}")
    assert lambda_invocation_uri("us-east-1", "arn:fn").endswith("/functions/arn:fn/invocations")
    assert route["target"] == "integrations/${aws_apigatewayv2_integration.lambda[each.value].id}"
    # And only this API may invoke them
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["source_arn"] == "${aws_apigatewayv2_api.this.execution_arn}/*/*"


def test_websocket_api_reports_the_urls_and_the_connections_arn_the_deployer_computes() -> None:
    # Given the WebSocket API building block's outputs
    api_module = building_block("websocket_api")
    outputs = {name: output["value"] for name, output in api_module.outputs.items()}

    # Then on AWS clients connect to the stage's wss URL and functions post to it over https
    emulated = 'var.emulator_endpoint_url == ""'
    emulator_url = '"ws${trimprefix(local.emulator_base, "http")}"'
    assert outputs["url"] == f"${{{emulated} ? aws_apigatewayv2_stage.live.invoke_url : {emulator_url}}}"
    assert outputs["management_url"] == (
        f'${{{emulated} ? replace(aws_apigatewayv2_stage.live.invoke_url, "wss://", "https://") : local.emulator_base}}'
    )
    # And on an emulator both are under /_aws/execute-api/<id>/<stage> of its own address, as the deployer sets them
    assert api_module.locals["emulator_base"] == (
        '${trimsuffix(var.emulator_endpoint_url, "/")}/_aws/execute-api/${aws_apigatewayv2_api.this.id}/${local.stage}'
    )
    # And posting is granted on the stage's execution ARN followed by POST/@connections/*, as the deployer grants it:
    # the ARN built from the caller's account (the provider's own execution_arn has an empty account
    # where it does not look the account up, as on an emulator, which the policy validation refuses)
    assert outputs["connections_arn"] == "${local.execution_arn}/POST/@connections/*"
    assert api_module.locals["execution_arn"] == (
        '${join(":", ["arn", data.aws_partition.current.partition, "execute-api", data.aws_region.current.name, '
        'data.aws_caller_identity.current.account_id, "${aws_apigatewayv2_api.this.id}/${local.stage}"])}'
    )
    stage_execution_arn = f"arn:aws:execute-api:us-east-1:000000000000:a1b2c3/{STAGE}"
    assert iam.websocket_connections_arn("us-east-1", "000000000000", "a1b2c3", STAGE) == (
        f"{stage_execution_arn}/POST/@connections/*"
    )


def _allowed_wildcards() -> list[str]:
    """The regexes the function building block's policy_statements validation lets a wildcard match."""
    [validation] = building_block("lambda_function").variables["policy_statements"]["validation"]
    return [json.loads(f'"{p}"') for p in re.findall(r'regex\("((?:[^"\\]|\\.)*)"', validation["condition"])]


def _admitted(arn: str) -> bool:
    return "*" not in arn or any(re.search(pattern, arn) for pattern in _allowed_wildcards())


def test_a_function_may_name_the_connections_of_one_websocket_stage_and_no_wider_wildcard() -> None:
    # Given the connections ARN of the order-updates API's stage, as the deployer grants it
    connections = iam.websocket_connections_arn("us-east-1", "000000000000", "a1b2c3", STAGE)

    # Then the function building block admits it
    assert _admitted(connections)
    # And refuses every wider pattern: any API, any stage, any method, any path, any region or account
    api = "arn:aws:execute-api:us-east-1:000000000000"
    for arn in (
        f"{api}:*/live/POST/@connections/*",
        f"{api}:a1b2c3/*/POST/@connections/*",
        f"{api}:a1b2c3/live/*/@connections/*",
        f"{api}:a1b2c3/live/*",
        f"{api}:a1b2c3/*",
        "arn:aws:execute-api:*:000000000000:a1b2c3/live/POST/@connections/*",
        "arn:aws:execute-api:us-east-1:*:a1b2c3/live/POST/@connections/*",
        "arn:aws:execute-api:*",
    ):
        assert not _admitted(arn), arn
