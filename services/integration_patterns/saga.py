"""An orchestrated saga on Lambda durable functions: steps checkpointed, compensations run in reverse, once.

The durable execution SDK checkpoints each ``context.step``; when the function is invoked again
(after a callback, a retry delay or a crash) it replays the code and takes each finished step's
result from the log instead of running it again. The SDK has no saga helper, so the rules live here:

- A step's compensation is recorded only once the step has succeeded, so a step that never ran,
  or failed, is never compensated. Replaying rebuilds the same list from the same checkpointed
  results, which is why the orchestrator must be plain, deterministic code over step results.
- A *refusal* is an expected business outcome (a declined payment, no stock): the step's action
  raises one of the saga's ``refusals``; the step succeeds with the refusal as its result (so it is
  never retried) and :meth:`Saga.step` raises :class:`StepRefused`.
- :meth:`Saga.compensate` runs the recorded compensations in reverse, each as its own named step,
  so each runs exactly once even if the function is re-invoked half-way; each is retried under the
  compensation policy and, if it still fails, :class:`CompensationFailed` names it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration, StepConfig
from aws_durable_execution_sdk_python.exceptions import CallableRuntimeError, CallbackError
from aws_durable_execution_sdk_python.retries import RetryDecision, RetryPresets, RetryStrategyConfig
from aws_durable_execution_sdk_python.retries import create_retry_strategy as _create_retry_strategy
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from integration_patterns.durable_functions import REFUSAL_PREFIX
from integration_patterns.durable_tracing import linked_to, traced_span

T = TypeVar("T")

# What AWS answers when a call may succeed if repeated: throttling and the service's own faults.
_TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TransactionInProgressException",
    }
)

RetryStrategy = Callable[[Exception, int], RetryDecision]

# Span attributes of the saga's own spans.
SAGA_STEP = "saga.step"
SAGA_STEP_KIND = "saga.step.kind"
SAGA_STEP_REFUSED = "saga.step.refused"


def is_transient(error: Exception) -> bool:
    """Whether repeating the call that raised ``error`` may succeed (throttling, a 5xx, a dropped connection)."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        return code in _TRANSIENT_CODES or status >= 500
    return isinstance(error, ConnectionError | HTTPClientError)


def transient_retry(max_attempts: int = 3, initial_delay_seconds: int = 1) -> RetryStrategy:
    """Retry only what :func:`is_transient` calls transient, with exponential backoff and jitter."""
    backoff = _create_retry_strategy(
        RetryStrategyConfig(max_attempts=max_attempts, initial_delay=Duration.from_seconds(initial_delay_seconds))
    )

    def strategy(error: Exception, attempts_made: int) -> RetryDecision:
        return backoff(error, attempts_made) if is_transient(error) else RetryDecision.no_retry()

    return strategy


def persistent_retry(max_attempts: int = 4, initial_delay_seconds: int = 1) -> RetryStrategy:
    """Retry any error a few times: for compensations, which must not give up at the first failure."""
    return _create_retry_strategy(
        RetryStrategyConfig(max_attempts=max_attempts, initial_delay=Duration.from_seconds(initial_delay_seconds))
    )


class StepRefused(Exception):
    """A step ended in an expected business refusal: compensate, never retry."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class StepFailed(Exception):
    """A step failed for an unexpected reason, after the retries its policy allows: compensate."""

    def __init__(self, step: str, error_type: str, message: str) -> None:
        super().__init__(f"{step} failed: {error_type}: {message}")
        self.step = step
        self.error_type = error_type
        self.message = message


class CompensationFailed(Exception):
    """A compensation still failed after its retries: the saga cannot restore what its steps did."""

    def __init__(self, compensation: str, cause: str) -> None:
        super().__init__(f"{compensation} failed: {cause}")
        self.compensation = compensation
        self.cause = cause


@dataclass(frozen=True)
class _Compensation:
    name: str
    action: Callable[[], Any]


@dataclass
class Saga:
    """One saga run inside a durable execution; build a new one on every invocation (replay)."""

    context: DurableContext
    # Exceptions a step's action raises for an expected business outcome.
    refusals: tuple[type[Exception], ...] = ()
    step_retry: RetryStrategy = field(default_factory=transient_retry)
    compensation_retry: RetryStrategy = field(default_factory=persistent_retry)
    _compensations: list[_Compensation] = field(default_factory=list)
    # The context the last callback's answerer sent: the next step's span links to it.
    _answerer_context: Any = None

    def step(
        self,
        name: str,
        action: Callable[[], T],
        *,
        compensation: tuple[str, Callable[[], Any]] | None = None,
        retry: bool = True,
    ) -> T:
        """Run ``action`` as the checkpointed step ``name``; then record ``compensation`` (name, action).

        ``retry``: whether the step may fail transiently (an AWS call); pure steps never retry.
        """
        refusals = self.refusals
        links, self._answerer_context = linked_to(self._answerer_context), None

        def attempt(_: Any) -> dict[str, Any]:
            with traced_span(f"saga step {name}", {SAGA_STEP: name, SAGA_STEP_KIND: "step"}, links=links) as span:
                try:
                    return {"done": action()}
                except refusals as refusal:
                    span.set_attribute(SAGA_STEP_REFUSED, str(refusal))
                    return {"refused": str(refusal)}

        strategy = self.step_retry if retry else RetryPresets.none()
        try:
            outcome = self.context.step(attempt, name=name, config=StepConfig(retry_strategy=strategy))
        except CallableRuntimeError as error:
            raise StepFailed(name, error.error_type or "Error", error.message or "") from error
        if "refused" in outcome:
            raise StepRefused(name, outcome["refused"])
        if compensation is not None:
            self._compensations.append(_Compensation(*compensation))
        result: T = outcome["done"]
        return result

    def wait_for_callback(self, name: str, submit: Callable[[str], None], timeout_seconds: int) -> Any:
        """Hand a callback id to ``submit`` (the checkpointed step ``<name>``) and suspend until answered.

        The answer's result is returned. A failure answered with :data:`REFUSAL_PREFIX` is a
        refusal, and no answer within ``timeout_seconds`` is one too: both raise :class:`StepRefused`.
        """
        timeout = Duration.from_seconds(timeout_seconds)
        # The heartbeat timeout equals the timeout: the answerer sends no heartbeats.
        callback = self.context.create_callback(
            name=f"{name} callback", config=CallbackConfig(timeout=timeout, heartbeat_timeout=timeout)
        )
        callback_id = callback.callback_id
        # Why a child here and a link after: the answerer works for this step (its message carries
        # this span's context), as a callee for a caller, so its spans are children. The step that
        # runs after the answer may come minutes or hours later, in another invocation; it links to
        # the answerer's span ("caused by") rather than pretending to be part of the answerer's work.
        self.step(name, lambda: submit(callback_id))
        try:
            answer = callback.result()
        except CallbackError as error:
            message = str(error)
            if message.startswith(REFUSAL_PREFIX):
                raise StepRefused(name, message.removeprefix(REFUSAL_PREFIX)) from error
            raise StepRefused(name, f"no answer within {timeout_seconds} s") from error
        # Callback results arrive as the answerer sent them: text, JSON here.
        if isinstance(answer, str | bytes) and answer:
            answer = json.loads(answer)
        self._answerer_context = answer
        return answer

    @property
    def pending_compensations(self) -> list[str]:
        """The compensations :meth:`compensate` would run, in the order it would run them."""
        return [compensation.name for compensation in reversed(self._compensations)]

    def compensate(self) -> list[str]:
        """Undo every successful step, last first, each as its own step; the names, in the order run."""
        config = StepConfig(retry_strategy=self.compensation_retry)
        done = []
        while self._compensations:
            compensation = self._compensations.pop()
            try:
                self.context.step(_traced_compensation(compensation), name=compensation.name, config=config)
            except CallableRuntimeError as error:
                raise CompensationFailed(compensation.name, error.message or error.error_type or "error") from error
            done.append(compensation.name)
        return done


def _traced_compensation(compensation: _Compensation) -> Callable[[Any], Any]:
    def undo(_: Any) -> Any:
        with traced_span(
            f"saga compensation {compensation.name}", {SAGA_STEP: compensation.name, SAGA_STEP_KIND: "compensation"}
        ):
            return compensation.action()

    return undo
