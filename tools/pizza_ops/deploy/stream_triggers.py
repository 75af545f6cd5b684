"""DynamoDB stream triggers: one event source mapping per declared (function, table), on the table's
current stream, converged on every deploy."""

from __future__ import annotations

from typing import Any

from pizza_ops.system import StreamTrigger


def stream_trigger_settings(trigger: StreamTrigger, on_failure_arn: str | None) -> dict[str, Any]:
    """The mapping's settings that UpdateEventSourceMapping can change; empty values clear them."""
    return {
        "BatchSize": trigger.batch_size,
        "MaximumBatchingWindowInSeconds": trigger.maximum_batching_window_seconds,
        "BisectBatchOnFunctionError": trigger.bisect_batch_on_function_error,
        "MaximumRetryAttempts": trigger.maximum_retry_attempts,
        "MaximumRecordAgeInSeconds": trigger.maximum_record_age_seconds,
        "FilterCriteria": trigger.filter_criteria() if trigger.filter_patterns else {},
        "DestinationConfig": {"OnFailure": {"Destination": on_failure_arn} if on_failure_arn else {}},
    }


def ensure_stream_trigger(
    lambda_client: Any,
    function_name: str,
    table_arn: str,
    stream_arn: str,
    trigger: StreamTrigger,
    on_failure_arn: str | None,
) -> str:
    """Create or update the function's mapping on ``stream_arn``; return its UUID.

    Mappings of this function on the table's earlier streams (from before its view type changed)
    read a disabled stream: they are deleted. The starting position is set only on creation;
    Lambda cannot change it.
    """
    settings = stream_trigger_settings(trigger, on_failure_arn)
    on_table = [
        mapping
        for page in lambda_client.get_paginator("list_event_source_mappings").paginate(FunctionName=function_name)
        for mapping in page["EventSourceMappings"]
        if str(mapping["EventSourceArn"]).startswith(f"{table_arn}/stream/")
    ]
    current = [mapping for mapping in on_table if mapping["EventSourceArn"] == stream_arn]
    for stale in (mapping for mapping in on_table if mapping not in current[:1]):
        lambda_client.delete_event_source_mapping(UUID=stale["UUID"])
    if current:
        uuid = str(current[0]["UUID"])
        lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True, **settings)
        return uuid
    if not trigger.filter_patterns:
        del settings["FilterCriteria"]
    if not on_failure_arn:
        del settings["DestinationConfig"]
    created = lambda_client.create_event_source_mapping(
        FunctionName=function_name,
        EventSourceArn=stream_arn,
        StartingPosition=trigger.starting_position,
        Enabled=True,
        **settings,
    )
    return str(created["UUID"])
