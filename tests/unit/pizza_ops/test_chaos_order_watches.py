"""How dropped-websockets judges its clients: the updates owed to a connection are those made while it
was open, and a customer's registered connections are stale unless they are its open one."""

from __future__ import annotations

from datetime import UTC, datetime

from pizza_ops.chaos.order_watches import FATES, Change, Session, Watch, fate_of, missed, owed, stale_connections

T0 = 1_800_000_000.0


def _change(sequence: int, seconds_after: float, status: str = "PAID") -> Change:
    return Change(sequence, status, datetime.fromtimestamp(T0 + seconds_after, UTC))


HISTORY = [_change(0, 0, "ACCEPTED"), _change(1, 1), _change(2, 2), _change(3, 5, "CONFIRMED")]


def test_a_connection_is_owed_the_changes_made_while_it_was_open_and_none_before() -> None:
    # Given a client that connected between the first and the second change, and is still connected
    session = Session(connecting_at=T0 + 0.2, opened_at=T0 + 0.5)

    # Then the three later changes are owed to it, the first is not
    assert [change.sequence for change in owed(HISTORY, session)] == [1, 2, 3]


def test_a_connection_that_ended_is_owed_nothing_made_after_it_ended() -> None:
    # Given a connection open from 0.5 s to 3 s
    session = Session(connecting_at=T0, opened_at=T0 + 0.5, closed_at=T0 + 3, ended="dropped")

    # Then only the changes between are owed
    assert [change.sequence for change in owed(HISTORY, session)] == [1, 2]


def test_missed_lists_the_owed_changes_not_received() -> None:
    # Given a connection that received the second and the last change but not the third
    session = Session(connecting_at=T0, opened_at=T0 + 0.5, received=[(1, "PAID"), (3, "CONFIRMED")])

    # Then the third is missed
    assert [change.sequence for change in missed(HISTORY, session)] == [2]
    # And nothing is missed once it arrives
    session.received.append((2, "PAID"))
    assert missed(HISTORY, session) == []


def test_every_registered_connection_of_a_client_that_left_is_stale() -> None:
    # Given a client whose only connection was reset
    watch = Watch(1, "o-1", "c-1", [Session(T0, T0 + 0.5, T0 + 2, "dropped")])

    # Then whatever the table still holds for its customer is stale
    assert stale_connections(watch, [T0 + 0.3]) == 1
    assert stale_connections(watch, []) == 0


def test_a_reconnected_clients_earlier_connection_is_stale_and_its_open_one_is_not() -> None:
    # Given a client reset at 2 s that connected again at 4 s
    watch = Watch(5, "o-5", "c-5", [Session(T0, T0 + 0.5, T0 + 2, "dropped"), Session(T0 + 4, T0 + 4.3)])

    # Then the entry registered during the first handshake is stale, the one of the second is not
    assert stale_connections(watch, [T0 + 0.3, T0 + 4.1]) == 1
    assert stale_connections(watch, [T0 + 4.1]) == 0


def test_clients_meet_every_fate_in_turn_and_half_stay_connected() -> None:
    # Given the fates of a run's clients
    fates = [fate_of(seq) for seq in range(2 * len(FATES))]

    # Then each fate comes round, and half the clients stay
    assert set(fates) == {"stays", "drops", "closes", "drops and reconnects"}
    assert fates.count("stays") == len(fates) // 2
