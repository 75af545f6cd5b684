"""Adapters for Lambda durable functions: starting an execution, and answering its callbacks.

Both sides only call the Lambda API, so this module does not import the durable SDK (which only
the durable function itself needs): a function that starts or answers one cold-starts without it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from integration_patterns.event_tracing import current_trace_carrier

# Written at the start of a callback failure's message by whoever refuses (DurableCallbacks.refuse):
# a refusal is a business answer the saga compensates; any other failure of the callback (a timeout)
# is not.
REFUSAL_PREFIX = "refused: "
# The error type a refusal is answered with; the saga reads the message's prefix, not this.
REFUSAL_ERROR_TYPE = "Refused"


class DurableExecutionStarter:
    """Starts executions of one durable function, asynchronously, on a published version or alias.

    Durable executions are tied to the version that started them (a replay must run the same
    code), so ``$LATEST`` or an unqualified ARN is refused here, at cold start.
    """

    def __init__(self, lambda_client: Any, qualified_function_arn: str) -> None:
        parts = qualified_function_arn.split(":")
        if len(parts) != 8 or parts[5] != "function" or parts[7] in ("", "$LATEST"):
            raise ValueError("a durable function is started on a published version or alias ARN (never $LATEST)")
        self._lambda = lambda_client
        self._function_arn = qualified_function_arn

    def start(self, execution_name: str, execution_input: Mapping[str, Any]) -> bool:
        """Start the execution ``execution_name`` with the current trace context in its input.

        The name is unique per function: Lambda starts no second execution under it, and answers
        a repeat whose input differs (a new trace context, say) with
        DurableExecutionAlreadyStartedException, which is what the caller wanted: False then.
        """
        payload = {**execution_input, **current_trace_carrier()}
        try:
            self._lambda.invoke(
                FunctionName=self._function_arn,
                InvocationType="Event",
                DurableExecutionName=execution_name,
                Payload=json.dumps(payload).encode(),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "DurableExecutionAlreadyStartedException":
                raise
            return False
        return True


class DurableCallbacks:
    """Answers a durable execution's callback: success with a result, or a refusal with its reason."""

    def __init__(self, lambda_client: Any) -> None:
        self._lambda = lambda_client

    def succeed(self, callback_id: str, result: Mapping[str, Any]) -> bool:
        """Complete the callback; False when it was closed already (answered before, or timed out)."""
        return self._answer(
            lambda: self._lambda.send_durable_execution_callback_success(
                CallbackId=callback_id, Result=json.dumps(dict(result)).encode()
            )
        )

    def refuse(self, callback_id: str, reason: str) -> bool:
        """Fail the callback with a business refusal the saga compensates; False when already closed."""
        error = {"ErrorType": REFUSAL_ERROR_TYPE, "ErrorMessage": f"{REFUSAL_PREFIX}{reason}"}
        return self._answer(
            lambda: self._lambda.send_durable_execution_callback_failure(CallbackId=callback_id, Error=error)
        )

    @staticmethod
    def _answer(call: Any) -> bool:
        try:
            call()
        except ClientError as error:
            # Answering twice (a redelivered message) or too late is not the answerer's failure.
            if error.response.get("Error", {}).get("Code") != "CallbackTimeoutException":
                raise
            return False
        return True
