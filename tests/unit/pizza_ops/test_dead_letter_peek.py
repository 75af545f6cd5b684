"""Looking at a DLQ's messages without taking them: every message read, each left visible."""

from __future__ import annotations

from typing import Any

from pizza_ops.dead_letters import peek, take


class FirstTenQueue:
    """A queue that, like MiniStack, returns its first visible messages in order on every receive."""

    def __init__(self, count: int) -> None:
        self.messages = [
            {"MessageId": f"m{n}", "ReceiptHandle": f"r{n}", "Body": f'{{"id": "e{n}"}}'} for n in range(count)
        ]
        self.hidden: set[str] = set()

    def receive_message(self, VisibilityTimeout: int, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:  # noqa: N803
        visible = [m for m in self.messages if m["ReceiptHandle"] not in self.hidden][:MaxNumberOfMessages]
        if VisibilityTimeout > 0:
            self.hidden |= {m["ReceiptHandle"] for m in visible}
        return {"Messages": visible}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        assert len(Entries) <= 10
        gone = {entry["ReceiptHandle"] for entry in Entries}
        self.messages = [m for m in self.messages if m["ReceiptHandle"] not in gone]
        self.hidden -= gone
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries], "Failed": []}

    def change_message_visibility_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        assert len(Entries) <= 10
        for entry in Entries:
            assert entry["VisibilityTimeout"] == 0
            self.hidden.discard(entry["ReceiptHandle"])
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries], "Failed": []}


def test_every_message_of_a_queue_longer_than_one_receive_is_read_and_left_visible() -> None:
    # Given a DLQ of 36 messages on a queue that answers every receive with its first visible ones
    queue = FirstTenQueue(36)

    # When its messages are looked at
    letters = peek(queue, "https://queue", at_most=500)

    # Then all 36 were read, once each, and every one is visible again
    assert sorted(letter.event_id for letter in letters) == sorted(f"e{n}" for n in range(36))
    assert queue.hidden == set()


def test_a_look_stops_near_its_limit_and_still_leaves_everything_visible() -> None:
    # Given a DLQ of 60 messages / When at most 25 are asked for
    queue = FirstTenQueue(60)
    letters = peek(queue, "https://queue", at_most=25)

    # Then it read whole receives up to the limit (30), and hid nothing for good
    assert len(letters) == 30
    assert queue.hidden == set()


def test_taking_a_runs_own_letters_deletes_those_and_leaves_the_rest_visible() -> None:
    # Given a DLQ of 25 messages, of which those with an even number are a run's own
    queue = FirstTenQueue(25)

    # When the run takes its own
    taken = take(queue, "https://queue", lambda letter: int(letter.event_id[1:]) % 2 == 0, at_most=500)

    # Then all 25 were read, the 13 even ones are gone, and the other 12 are there and visible
    assert len(taken) == 25
    assert sorted(m["MessageId"] for m in queue.messages) == sorted(f"m{n}" for n in range(1, 25, 2))
    assert queue.hidden == set()
