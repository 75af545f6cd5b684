"""Why an accepted order never ended, as far as the stack shows it: its stored status, and a
message about it waiting in a dead-letter queue with the reason its consumer gave."""

from __future__ import annotations

from collections.abc import Sequence

from pizza_ops.chaos.context import ChaosRun
from pizza_ops.chaos.outcome import StuckOrder
from pizza_ops.dead_letters import dead_letter_queues, peek
from pizza_ops.load.dynamodb import DynamoDbOrderStates

# Dead letters looked at per queue for the stuck orders' messages.
_DEAD_LETTERS_LOOKED_AT = 200


def stuck_orders(run: ChaosRun, order_ids: Sequence[str]) -> tuple[StuckOrder, ...]:
    if not order_ids:
        return ()
    states = DynamoDbOrderStates(run.stack.client("dynamodb"), run.stack.table("orders")).read(order_ids)
    sqs = run.stack.client("sqs")
    letters = {
        dlq: peek(sqs, run.stack.queue_url(dlq), _DEAD_LETTERS_LOOKED_AT) for dlq in dead_letter_queues(run.system)
    }
    found = []
    for order_id in order_ids:
        state = states.get(order_id)
        reason = f"still {state.status}" if state else "accepted, yet not in the orders table"
        waiting = [
            (dlq, letter.reason) for dlq, queue in letters.items() for letter in queue if order_id in letter.body
        ]
        reason += "".join(f"; a message about it is in {dlq}: {why}" for dlq, why in waiting[:2])
        found.append(StuckOrder(order_id, reason if waiting else f"{reason}; no dead letter names it"))
    return tuple(found)
