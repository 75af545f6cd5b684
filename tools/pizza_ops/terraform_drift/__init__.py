"""Drift between infra/terraform and infra/system.yaml: what one declares and the other does not.

Terraform is parsed (python-hcl2), not planned (see terraform.py). `terraform_drift` compares the
two sides and returns every mismatch as a sentence.
"""

from __future__ import annotations

from pizza_ops.system import SystemDeclaration
from pizza_ops.terraform_drift.buckets import bucket_block_drift, bucket_drift
from pizza_ops.terraform_drift.core import (
    LABEL_SUFFIXES,
    http_api_drift,
    module_drift,
    name_prefix_drift,
    queue_drift,
    table_drift,
    trigger_drift,
    websocket_api_drift,
)
from pizza_ops.terraform_drift.functions import ACCESS, EXPECTED_ACTIONS, access_action_drift, function_drift
from pizza_ops.terraform_drift.pubsub import (
    event_bus_drift,
    key_drift,
    queue_policy_drift,
    schedule_group_drift,
    topic_drift,
)
from pizza_ops.terraform_drift.resource_policies import bucket_policy_drift, key_block_drift, key_policy_drift
from pizza_ops.terraform_drift.streams import stream_trigger_drift
from pizza_ops.terraform_drift.terraform import (
    Terraform,
    block_kind,
    building_block,
    module_instances,
    modules_dir,
    parse_terraform,
    resolve,
    root_module,
    terraform_dir,
)

TELEMETRY_VARIABLES = {"OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "POWERTOOLS_SERVICE_NAME"}
EMULATED_SERVICES = {
    "apigatewayv2", "cloudwatch", "dynamodb", "events", "iam", "kms", "lambda", "logs", "s3",
    "scheduler", "sns", "sqs", "sts",
}  # fmt: skip


def terraform_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Every difference between the declaration and the root Terraform module, as sentences."""
    return [
        *module_drift(tf),
        *name_prefix_drift(system, tf),
        *table_drift(system, tf),
        *queue_drift(system, tf),
        *key_drift(system, tf),
        *topic_drift(system, tf),
        *event_bus_drift(system, tf),
        *queue_policy_drift(system, tf),
        *schedule_group_drift(system, tf),
        *function_drift(system, tf),
        *trigger_drift(system, tf),
        *stream_trigger_drift(system, tf),
        *http_api_drift(system, tf),
        *websocket_api_drift(system, tf),
        *access_action_drift(tf),
        *bucket_drift(system, tf),
        *key_policy_drift(system, tf),
        *bucket_policy_drift(system, tf),
    ]


__all__ = [
    "ACCESS",
    "EMULATED_SERVICES",
    "EXPECTED_ACTIONS",
    "LABEL_SUFFIXES",
    "TELEMETRY_VARIABLES",
    "Terraform",
    "block_kind",
    "bucket_block_drift",
    "building_block",
    "key_block_drift",
    "module_instances",
    "modules_dir",
    "parse_terraform",
    "resolve",
    "root_module",
    "terraform_dir",
    "terraform_drift",
]
