"""CloudWatch alarms that tell an operator to look: one per resource and metric, converged on every deploy.

Each fires when the metric's one-minute maximum exceeds its threshold; no data (nothing waiting,
nothing invoked) is not breaching. A resource whose declaration drops the alarm loses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WatchedMetric:
    """One metric of one resource, which names its alarm: <resource>-<metric>."""

    namespace: str
    dimension: str
    resource: str
    metric: str
    # What the alarm's name starts with, when not the dimension's value (a function's own metric).
    owner: str | None = None

    @property
    def alarm_name(self) -> str:
        return f"{self.owner or self.resource}-{self.metric}"


def queue_metric(queue_name: str, metric: str) -> WatchedMetric:
    return WatchedMetric("AWS/SQS", "QueueName", queue_name, metric)


def iterator_age(function_name: str) -> WatchedMetric:
    """How far behind its stream a function's stream trigger reads (the age of the last record read, in ms)."""
    return WatchedMetric("AWS/Lambda", "FunctionName", function_name, "IteratorAge")


# Where the functions' own metrics go (embedded metric format, through Powertools Metrics).
SERVICE_METRICS_NAMESPACE = "pizza"


def service_metric(function_name: str, service_name: str, metric: str) -> WatchedMetric:
    """A metric a function emits itself, per service (Powertools Metrics' default dimension)."""
    return WatchedMetric(SERVICE_METRICS_NAMESPACE, "service", service_name, metric, owner=function_name)


def converge_alarm(cloudwatch: Any, watched: WatchedMetric, threshold: int | None, unit_text: str) -> None:
    """Alarm when ``watched`` exceeds ``threshold`` (in the metric's unit); without one, delete its alarm."""
    if threshold is None:
        # DeleteAlarms documents ResourceNotFound for a name that does not exist: delete only what is there.
        if cloudwatch.describe_alarms(AlarmNames=[watched.alarm_name])["MetricAlarms"]:
            cloudwatch.delete_alarms(AlarmNames=[watched.alarm_name])
        return
    cloudwatch.put_metric_alarm(
        AlarmName=watched.alarm_name,
        AlarmDescription=f"{watched.resource}: {watched.metric} above {threshold} {unit_text}",
        Namespace=watched.namespace,
        MetricName=watched.metric,
        Dimensions=[{"Name": watched.dimension, "Value": watched.resource}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
