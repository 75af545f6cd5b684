"""The comparison: every call a function made is allowed by its role, and (after the whole suite)
every grant of its role was used, but for the grants named in ALLOWANCES, used by someone else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from iam_review.calls import AwsCall
from iam_review.grants import DeployedRole, Grant
from pizza_ops.system import LiteralValue, SystemDeclaration, TableRef


@dataclass(frozen=True)
class Allowance:
    """Grants no code of the function calls in the suite: AWS itself acts with the function's role,
    or the code calls them on a rare path no test reaches (named with the path)."""

    name: str
    why: str
    # (system, declared function, grant) -> whether this allowance covers the grant
    covers: Callable[[SystemDeclaration, str, Grant], bool]


def _queue_named(resource: str, system: SystemDeclaration, prefix_free_queue: str) -> bool:
    name = resource.rsplit(":", 1)[-1].removesuffix(".fifo")
    return name.endswith(f"-{prefix_free_queue}")


def _triggers_queue(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action in SQS_POLLING and any(
        _queue_named(grant.resource, system, t.queue) for t in system.triggers if t.function == function
    )


def _reads_stream(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action in STREAM_READING and any(
        grant.resource.endswith(f"-{t.table}/stream/*") for t in system.stream_triggers if t.function == function
    )


def _stream_failure_destination(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action == "sqs:SendMessage" and any(
        t.on_failure_queue and _queue_named(grant.resource, system, t.on_failure_queue)
        for t in system.stream_triggers
        if t.function == function
    )


def _presigns(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    mode = system.functions[function].environment.get("CLAIM_CHECK_MODE")
    presigning = isinstance(mode, LiteralValue) and mode.value == "presigned_url"
    return presigning and grant.action == "s3:GetObject" and grant.resource.endswith("/shared/*")


def _pages_durable_state(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action == "lambda:GetDurableExecutionState" and system.functions[function].durable is not None


def _emulator_default_group(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action.startswith("scheduler:") and ":schedule/default/" in grant.resource


def _table_named(resource: str, system: SystemDeclaration, function: str, variable: str) -> bool:
    """Whether ``resource`` is the table the function's environment ``variable`` names."""
    ref = system.functions[function].environment.get(variable)
    return isinstance(ref, TableRef) and resource.endswith(f":table/{system.name_prefix}-{ref.table}")


def _releases_inbox_record(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action == "dynamodb:DeleteItem" and _table_named(grant.resource, system, function, "INBOX_TABLE_NAME")


def _reads_recorded_payment(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action == "dynamodb:GetItem" and _table_named(grant.resource, system, function, "PAYMENTS_TABLE_NAME")


def _runtime_logs(system: SystemDeclaration, function: str, grant: Grant) -> bool:
    return grant.action in ("logs:CreateLogStream", "logs:PutLogEvents")


# AWS's AWSLambdaSQSQueueExecutionRole: all Lambda's poller does with the role.
SQS_POLLING = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
STREAM_READING = {
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}
ALLOWANCES = (
    # Lambda's event source mapping polls a trigger queue with the function's role: it receives,
    # reads the queue's attributes and deletes what succeeded (a failed record comes back when its
    # visibility timeout ends). The function's code never calls these.
    Allowance("sqs trigger polling", "Lambda's SQS event source mapping polls with the role", _triggers_queue),
    # Lambda reads a stream trigger's table stream with the function's role.
    Allowance(
        "stream trigger reading", "Lambda's DynamoDB stream event source mapping reads with the role", _reads_stream
    ),
    # A stream trigger's on-failure destination: Lambda sends the pointer to a batch it gave up on
    # with the function's role (the outbox relay's order-outbox-failures); the code never sends there.
    Allowance(
        "stream failure destination",
        "Lambda sends a stream batch it gave up on to the destination with the role",
        _stream_failure_destination,
    ),
    # A claim of CLAIM_CHECK_MODE presigned_url is fetched by its subscriber with a URL the writer
    # signed: S3 authorises that GET as the writer's role, and the writer's own code never calls it.
    Allowance("presigned claim reads", "subscribers GET shared claims with URLs this role signed", _presigns),
    # The durable SDK calls GetDurableExecutionState only when the state Lambda hands an invocation
    # (or a checkpoint's answer) is paged (NextMarker): histories beyond one page. The saga's
    # histories are a few dozen operations, so the suite never reaches it; without it, a long history
    # could not be replayed.
    Allowance("paged durable state", "the durable SDK reads a paged execution history", _pages_durable_state),
    # The emulator adapter's MiniStack fix (deploy/scheduling.py): MiniStack 1.5.33 authorises every
    # schedule call on schedule/default/<name>; emulator deployments only.
    Allowance(
        "MiniStack schedule ARN", "MiniStack checks schedules against the default group", _emulator_default_group
    ),
    # The code's rare paths, which no test of the suite reaches (a grant the code needs is kept):
    # a subscriber's inbox deletes an event's record when its work fails, so that the redelivery
    # runs it again (integration_patterns/inbox.py); no subscriber's work fails in the suite.
    Allowance("inbox release", "the inbox deletes the record of an event whose work failed", _releases_inbox_record),
    # The saga's payment steps read the payment already recorded when a charge, decline or refund
    # finds one (a durable step run again after its write, payment_service/dynamodb_payments.py).
    Allowance("recorded payment", "a payment step run again reads the payment it recorded", _reads_recorded_payment),
    # Terraform's per-function log policy: the Lambda runtime writes the function's logs with its role.
    Allowance("runtime logs", "the Lambda runtime writes the function's log group with the role", _runtime_logs),
)


@dataclass
class Review:
    """What the review found; ``unused`` and ``excused`` are None when the grants were not judged."""

    calls: int
    not_allowed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # Calls IAM refused (MiniStack enforces it): least privilege at work, in the tests that try a
    # call a role may not make and the faults that point a function elsewhere. Listed, not failed.
    refused: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    unused: list[tuple[str, Grant]] | None = None
    excused: list[tuple[str, Grant, str]] | None = None

    @property
    def failed(self) -> bool:
        return bool(self.not_allowed or self.unused)

    def describe(self) -> str:
        lines = []
        if self.not_allowed:
            lines.append("AWS calls no role of their function allows (function, action, resource: calls):")
            lines += [f"  {f}  {a}  {r}: {n}" for (f, a, r), n in sorted(self.not_allowed.items())]
        if self.unused:
            lines.append("Grants never used in the whole suite's run (function, action, resource):")
            lines += [f"  {f}  {g.action}  {g.resource}" for f, g in sorted(self.unused, key=_grant_key)]
        return "\n".join(lines)

    def summary(self) -> str:
        judged = (
            "grants not judged (not the whole integration suite, or a test failed)"
            if self.unused is None
            else f"{len(self.unused)} grants unused, {len(self.excused or [])} used by AWS on the role's behalf"
        )
        refused = sum(self.refused.values())
        lines = [
            f"{self.calls} AWS calls from the functions' spans, {sum(self.not_allowed.values())} not allowed; "
            f"{judged}; {refused} calls refused by IAM"
        ]
        lines += [f"  refused by IAM: {f}  {a}  {r}: {n}" for (f, a, r), n in sorted(self.refused.items())]
        return "\n".join(lines)


def review(
    system: SystemDeclaration,
    calls: Iterable[AwsCall],
    roles: list[DeployedRole],
    stack_prefix: str,
    judge_grants: bool,
) -> Review:
    """Compare the calls with the roles: calls of a service are allowed if a role of one of its
    deployments allows them; grants are judged on the session stack's roles (``stack_prefix``)."""
    functions_of_service: dict[str, list[str]] = {}
    for name, declared in system.functions.items():
        functions_of_service.setdefault(declared.service_name, []).append(name)
    grants_of_service: dict[str, list[Grant]] = {}
    for role in roles:
        grants_of_service.setdefault(system.functions[role.function].service_name, []).extend(role.grants)
    calls = list(calls)
    result = Review(calls=len(calls))
    for call in calls:
        function = "/".join(functions_of_service.get(call.service_name, [call.service_name]))
        key = (function, call.action, call.resource or "(resource not on the span)")
        if call.refused:
            result.refused[key] += 1
        elif not any(g.allows(call.action, call.resource) for g in grants_of_service.get(call.service_name, [])):
            result.not_allowed[key] += 1
    if judge_grants:
        result.unused, result.excused = [], []
        for role in roles:
            if role.prefix == stack_prefix:
                _judge_grants(system, calls, role, result)
    return result


def _judge_grants(system: SystemDeclaration, calls: list[AwsCall], role: DeployedRole, result: Review) -> None:
    assert result.unused is not None and result.excused is not None
    service = system.functions[role.function].service_name
    own = [c for c in calls if c.service_name == service and not c.refused]
    for grant in role.grants:
        if any(grant.allows(c.action, c.resource) for c in own):
            continue
        allowance = next((a for a in ALLOWANCES if a.covers(system, role.function, grant)), None)
        if allowance is not None:
            result.excused.append((role.function, grant, allowance.name))
        else:
            result.unused.append((role.function, grant))


def _grant_key(item: tuple[str, Grant]) -> tuple[str, str, str]:
    return item[0], item[1].action, item[1].resource
