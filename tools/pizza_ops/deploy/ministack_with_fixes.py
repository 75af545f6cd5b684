"""MiniStack, started with fixes for its durable-function, IAM, trigger and worker defects (MiniStack 1.5.33).

Run by the emulator's own interpreter (``python ministack_with_fixes.py``), in place of
``python -m ministack``; it imports nothing of this project. Each fix patches one MiniStack
function; the first three are no-ops for anything but durable functions, the fourth only makes
the emulator ask for the IAM action AWS asks for, the fifth only changes which thread runs a
stream-triggered invocation and the sixth how a worker waits for log lines, so the AWS path is
untouched:

1. An asynchronous invoke (InvocationType=Event, how AWS says to start a durable execution) runs
   the function but ignores its durable outcome: a suspended execution is never scheduled to
   resume, so callback timeouts and step-retry delays never fire, and a finished one stays
   RUNNING. The synchronous path handles it; here the asynchronous one does the same.
2. A callback's TimeoutSeconds or HeartbeatTimeoutSeconds of 0 means "none" (the SDK sends 0 for
   an unset heartbeat); MiniStack reads it as a deadline of now, so the callback times out at once.
3. A callback answered while the invocation that created it is still running (a fast answerer)
   makes MiniStack resume the execution at once, in a second, concurrent invocation; the two then
   race on the checkpoint token and the execution fails ("CheckpointToken does not match").
   Lambda never runs two invocations of one execution at a time: the resume waits here until the
   running invocation has ended.
4. With IAM enforced, MiniStack authorizes SendMessageBatch as ``sqs:SendMessageBatch``,
   PublishBatch as ``sns:PublishBatch`` and BatchExecuteStatement as
   ``dynamodb:BatchExecuteStatement`` on ``*``, where AWS authorizes those calls by
   ``sqs:SendMessage``, ``sns:Publish`` and, for PartiQL UPDATE statements,
   ``dynamodb:PartiQLUpdate`` on the table they name. A role granted the real actions (the outbox
   relay's) was refused; the batch calls are authorized as AWS authorizes them (a
   BatchExecuteStatement of anything but UPDATE statements of one table is left as it was).
5. Every DynamoDB stream batch runs on MiniStack's one poll thread, inline, while SQS batches go
   to threads of their own: a stream-triggered invocation (the outbox relay, the status
   broadcaster) holds up the dispatch of every queue's messages until it returns. On AWS each
   stream shard is polled on its own. Here the stream passes run on a thread of their own, one
   pass at a time (so each stream's batches stay in order, one in flight), and wake the poll loop
   when done; the queues' dispatch goes on meanwhile.
6. After every invocation, a worker collects the function's log lines by polling its queue every
   millisecond (sleeping between tries) for 50 ms when the function printed nothing, holding the
   worker all the while. Under load those threads' wake-ups took a fifth of MiniStack's CPU (a
   profile at 20 orders/s), and the held workers made concurrent requests start new ones (cold
   starts on the same two cores: 64 order-API workers at 10 orders/s). Here the lines are waited
   for with blocking gets: 10 ms for a first line (the function writes its lines before its
   answer, so they are in the pipe already), then 5 ms after each, 250 ms at most, as before.

Two more matter only with state persistence on (PERSIST_STATE=1: the state saved on a clean stop
and loaded on the next start; see pizza_ops.stack's persist_emulator_state):

7. DynamoDB stream records are not saved, while each stream trigger's position in the stream is:
   after a restart the stream is empty, the records written before the stop and not yet read are
   gone, and a trigger skips as many new records as it had read before (its position is an index
   into the stream). On AWS a stream keeps its records for 24 hours. Here the records (and how
   many were trimmed off the front, which positions count from) are saved and loaded with the tables.
8. A durable execution whose invocation the stop cut short is restored RUNNING with nothing to
   wake it but its execution timeout (an hour for the saga): only executions waiting on a timer or
   a callback are scheduled again. Lambda runs an interrupted invocation again; here every
   execution restored RUNNING is invoked again (a replay: its finished steps are not run again)
   shortly after the start.

And one more for durable functions, from the first invocation on:

9. A durable execution whose invocation ends without the SDK's answer (it timed out, its worker
   crashed, it failed outside the SDK) is neither invoked again nor failed: MiniStack acts only on
   a PENDING, SUCCEEDED or FAILED answer, so the execution stays RUNNING until its execution
   timeout. On AWS these are backend retries: "Backend retries use exponential backoff and continue
   until the function succeeds or the execution timeout is reached". Here such an execution is
   invoked again (a replay, as in fix 8) after 1 s, then 2, 4, ... at most 60 s apart
   (durable_backend_retries.py, the one module of this project imported here: standard library
   only); once its execution timeout has passed it lands TIMED_OUT, as MiniStack does it. Each
   failed invocation's error stays in the history (InvocationCompleted) and in the emulator's log.
"""

from __future__ import annotations

import contextvars
import copy
import heapq
import json
import logging
import queue
import re
import threading
import time
from typing import Any

# This file's folder is on the path: the emulator runs it as a script.
from durable_backend_retries import durable_status, retry_delay_seconds  # type: ignore[import-not-found]
from ministack.app import main
from ministack.core import iam_actions, lambda_runtime
from ministack.services import dynamodb, lambda_durable, lambda_svc

_async_invoke = lambda_svc.invoke_async_with_retry
_apply_update = lambda_durable._apply_update
_execute_function = lambda_svc._execute_function
_resume_execution = lambda_durable._resume_execution

# Durable executions with an invocation running now, and how many (a count, for safety).
_running: dict[str, int] = {}
_running_lock = threading.Lock()
# How soon a resume that found its execution busy tries again.
_BUSY_RETRY_SECONDS = 0.1


def _invoke_async_with_durable_outcome(func: dict[str, Any], event: Any) -> None:
    arn = event.get("DurableExecutionArn") if isinstance(event, dict) else None
    if not arn or "CheckpointToken" not in event:
        _async_invoke(func, event)
        return

    def run() -> None:
        config = func.get("config") or func
        account_id, region = lambda_svc._account_region_from_function_config(config)
        lambda_svc._request_account_id.set(account_id)
        lambda_svc._request_region.set(region)
        started = time.time()
        result = lambda_svc._execute_function(func, event)
        # What lambda_svc._invoke does after a synchronous durable invocation.
        lambda_durable.record_invocation_completed(
            arn,
            start_ts=started,
            request_id=lambda_svc.new_uuid(),
            error=(result.get("body") if result.get("error") else None),
        )
        outcome = result.get("body")
        if isinstance(outcome, bytes | bytearray):
            outcome = outcome.decode("utf-8", errors="replace")
        if isinstance(outcome, str):
            try:
                outcome = json.loads(outcome)
            except json.JSONDecodeError:
                return
        if not isinstance(outcome, dict):
            return
        status = outcome.get("Status")
        if status == "PENDING":
            lambda_durable.schedule_resume(arn)
        elif status == "SUCCEEDED":
            lambda_durable.mark_execution_completed(arn, result_payload=outcome.get("Result"), error=None)
        elif status == "FAILED":
            lambda_durable.mark_execution_completed(arn, result_payload=None, error=outcome.get("Error"))

    threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True).start()


def _apply_update_without_zero_deadlines(rec: dict[str, Any], upd: dict[str, Any]) -> None:
    options = upd.get("CallbackOptions")
    if isinstance(options, dict):
        upd = {**upd, "CallbackOptions": {key: value for key, value in options.items() if value}}
    _apply_update(rec, upd)


def _execute_function_tracked(func: dict[str, Any], event: Any) -> Any:
    arn = event.get("DurableExecutionArn") if isinstance(event, dict) else None
    if not arn:
        return _execute_function(func, event)
    with _running_lock:
        _running[arn] = _running.get(arn, 0) + 1
    result: Any = None
    try:
        result = _execute_function(func, event)
        return result
    finally:
        with _running_lock:
            _running[arn] -= 1
            if not _running[arn]:
                del _running[arn]
        body = result.get("body") if isinstance(result, dict) else None
        if durable_status(body) is None:
            _retry_failed_invocation(arn, body)
        else:
            _failures_in_a_row.pop(arn, None)


def _resume_execution_when_idle(arn: str, account_id: str = "000000000000", region: str | None = None) -> None:
    with _running_lock:
        busy = arn in _running
    if not busy:
        if arn in _to_invoke_again and not _past_execution_timeout(arn):
            _to_invoke_again.discard(arn)
            _invoke_again(arn)
            return
        _resume_execution(arn, account_id, region)
        return
    with lambda_durable._resume_lock:
        heapq.heappush(lambda_durable._resume_queue, (time.time() + _BUSY_RETRY_SECONDS, arn, account_id, region))
    lambda_durable._resume_event.set()


# The IAM action AWS checks for a batch call, where MiniStack names another.
_AWS_ACTION_OF_BATCH = {"sqs:SendMessageBatch": "sqs:SendMessage", "sns:PublishBatch": "sns:Publish"}
_PARTIQL_UPDATE = re.compile(r'\s*UPDATE\s+"?([A-Za-z0-9_.-]+)"?\s', re.IGNORECASE)
_extract_iam_action = iam_actions.extract_iam_action
_dynamodb_resource_arns = iam_actions.dynamodb_resource_arns


def _updated_table(body: bytes) -> str | None:
    """The one table a BatchExecuteStatement's statements all update, else None."""
    try:
        statements = json.loads(body or b"{}").get("Statements") or []
        matches = [_PARTIQL_UPDATE.match(str(statement.get("Statement", ""))) for statement in statements]
    except (ValueError, AttributeError, TypeError):
        return None
    names = {match.group(1) if match else None for match in matches}
    return names.pop() if len(names) == 1 and None not in names else None


def _extract_iam_action_as_aws(
    service: str, method: str, path: str, headers: dict[str, Any], body: bytes, query_params: dict[str, Any]
) -> str | None:
    action: str | None = _extract_iam_action(service, method, path, headers, body, query_params)
    if action == "dynamodb:BatchExecuteStatement" and _updated_table(body):
        return "dynamodb:PartiQLUpdate"
    return _AWS_ACTION_OF_BATCH.get(action, action) if action else action


def _dynamodb_resource_arns_with_partiql(body: bytes, region: str, account_id: str) -> list[str]:
    table = _updated_table(body) if b'"Statements"' in (body or b"") else None
    if table:
        return [f"arn:aws:dynamodb:{region}:{account_id}:table/{table}"]
    resources: list[str] = _dynamodb_resource_arns(body, region, account_id)
    return resources


_poll_dynamodb_streams = lambda_svc._poll_dynamodb_streams
# Held while a thread runs stream passes: at most one, so no stream has two batches in flight.
_stream_passes = threading.Lock()
# Set when the poll loop asked for passes while a thread held them: that thread passes again.
_stream_passes_asked = threading.Event()


def _poll_dynamodb_streams_beside_the_poll_thread() -> bool:
    """Start the stream passes on a thread of their own (unless one runs: then it passes once
    more), and report no work done here. A stream write wakes the poll loop, which calls this."""
    if not _stream_passes.acquire(blocking=False):
        _stream_passes_asked.set()
        return False

    def passes() -> None:
        try:
            while True:
                _stream_passes_asked.clear()
                if not _poll_dynamodb_streams() and not _stream_passes_asked.is_set():
                    break
        except Exception as error:  # as the poll loop itself reports one
            lambda_svc.logger.error("ESM DynamoDB streams poller error: %s", error)
        finally:
            _stream_passes.release()
        # Asked for between the last pass and the release: the poll loop calls again. (Waking
        # it after every run of passes, as a first version did, kept an idle stack's poll loop
        # passing 20 times a second.)
        if _stream_passes_asked.is_set():
            lambda_svc._esm_wake.set()

    threading.Thread(target=passes, name="ministack-dynamodb-streams", daemon=True).start()
    return False


def _drain_stderr_waiting(
    self: Any, first_line_wait: float = 0.010, idle_confirm: float = 0.005, hard_cap: float = 0.250
) -> str:
    """The worker's log lines of the invocation just ended, waited for without polling."""
    lines: list[str] = []
    deadline = time.monotonic() + hard_cap
    wait = first_line_wait
    while (left := deadline - time.monotonic()) > 0:
        try:
            lines.append(self._stderr_queue.get(timeout=min(wait, left)))
        except queue.Empty:
            break
        wait = idle_confirm
    return "\n".join(lines)


_dynamodb_state = dynamodb.get_state
_restore_dynamodb_state = dynamodb._restore_state


def _dynamodb_state_with_streams() -> dict[str, Any]:
    state: dict[str, Any] = _dynamodb_state()
    state["stream_records"] = copy.deepcopy(dynamodb._stream_records)
    state["stream_trimmed"] = copy.deepcopy(dynamodb._stream_trimmed)
    return state


def _restore_dynamodb_state_with_streams(data: dict[str, Any] | None) -> None:
    _restore_dynamodb_state(data)
    if data:
        dynamodb._stream_records.update(data.get("stream_records", {}))
        dynamodb._stream_trimmed.update(data.get("stream_trimmed", {}))


# Executions to be invoked again when their turn in the resume queue comes: restored RUNNING
# (fix 8), or their last invocation failed (fix 9).
_to_invoke_again: set[str] = set()
# The server is serving by then (its start takes well under a second): the invocation calls it back.
_INVOKE_AGAIN_AFTER_START_SECONDS = 2.0
_restore_durable_state = lambda_durable._restore_state


def _restore_durable_state_invoking_again(data: dict[str, Any] | None) -> None:
    _restore_durable_state(data)  # schedules those waiting on a timer or a callback
    for key, record in lambda_durable._executions.to_dict().items():
        arn = record.get("DurableExecutionArn") if isinstance(record, dict) else None
        if not arn or record.get("Status") != "RUNNING":
            continue
        fallback_account = key[0] if isinstance(key, tuple) and key else lambda_svc.get_account_id()
        account_id, region = lambda_durable._scope_from_execution_arn(arn, fallback_account)
        _to_invoke_again.add(arn)
        with lambda_durable._resume_lock:
            due = time.time() + _INVOKE_AGAIN_AFTER_START_SECONDS
            heapq.heappush(lambda_durable._resume_queue, (due, arn, account_id, region))
    if _to_invoke_again:
        lambda_durable._resume_event.set()
        lambda_durable._ensure_resume_thread()


# Failed invocations in a row of each execution that has had one since its last answer (fix 9).
_failures_in_a_row: dict[str, int] = {}
_log = logging.getLogger("ministack_with_fixes")


def _retry_failed_invocation(arn: str, body: Any) -> None:
    """Queue the next backend retry of an execution whose invocation ended without an answer."""
    record = lambda_durable._executions.get(arn)
    if not record or record.get("Status") != "RUNNING":
        _failures_in_a_row.pop(arn, None)
        return
    failures = _failures_in_a_row.get(arn, 0) + 1
    _failures_in_a_row[arn] = failures
    delay = retry_delay_seconds(failures)
    _log.warning(
        "durable execution %s: invocation %d in a row ended without an answer (%.300s); invoking again in %.0f s",
        arn,
        failures,
        body,
        delay,
    )
    account_id, region = lambda_durable._scope_from_execution_arn(arn, lambda_svc.get_account_id())
    _to_invoke_again.add(arn)
    with lambda_durable._resume_lock:
        heapq.heappush(lambda_durable._resume_queue, (time.time() + delay, arn, account_id, region))
    lambda_durable._resume_event.set()
    lambda_durable._ensure_resume_thread()


def _past_execution_timeout(arn: str) -> bool:
    """MiniStack's own resume then times the execution out, instead of invoking it again."""
    record = lambda_durable._executions.get(arn) or {}
    deadline = record.get("_TimeoutDeadline")
    return deadline is not None and lambda_durable._now() >= deadline


def _invoke_again(arn: str) -> None:
    """Invoke a restored execution again, as lambda_durable._resume_execution does once a timer
    has fired (a fresh checkpoint token, the operations so far handed over for the replay)."""
    record = lambda_durable._executions.get(arn)
    if not record or record.get("Status") != "RUNNING":
        return
    record["CheckpointToken"] = lambda_durable.new_checkpoint_token()
    try:
        event = json.loads(record.get("InputPayload") or "{}")
    except (TypeError, ValueError):
        event = {}
    lambda_svc.invoke_durable_resume(record["FunctionArn"].rsplit(":", 1)[-1], arn, event)


lambda_svc.invoke_async_with_retry = _invoke_async_with_durable_outcome
lambda_runtime.Worker._drain_stderr_bounded = _drain_stderr_waiting
lambda_svc._poll_dynamodb_streams = _poll_dynamodb_streams_beside_the_poll_thread
iam_actions.extract_iam_action = _extract_iam_action_as_aws
iam_actions.dynamodb_resource_arns = _dynamodb_resource_arns_with_partiql
lambda_svc._execute_function = _execute_function_tracked
lambda_durable._resume_execution = _resume_execution_when_idle
lambda_durable._apply_update = _apply_update_without_zero_deadlines
dynamodb.get_state = _dynamodb_state_with_streams
dynamodb._restore_state = _restore_dynamodb_state_with_streams
lambda_durable._restore_state = _restore_durable_state_invoking_again

if __name__ == "__main__":
    main()
