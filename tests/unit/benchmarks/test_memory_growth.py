"""The soak's memory figures: each process measured after warm-up, its growth to the end, and the
slope of its second half, so a process that still grows is told from one that only warmed up."""

from __future__ import annotations

import pytest
from memory_summary import (
    MIB,
    TOTAL,
    MemorySample,
    group_of,
    grouped_growth,
    growth_table,
    long_lived,
    memory_growth,
    slope,
)


def _series(process: str, mib_by_minute: list[float]) -> list[MemorySample]:
    return [MemorySample(minute * 60.0, process, int(mib * MIB)) for minute, mib in enumerate(mib_by_minute)]


def test_growth_is_measured_from_the_sample_at_a_tenth_of_the_run_not_from_the_start() -> None:
    # Given a process that doubles while warming up (minute 0 to 1), then holds at 200 MiB for 9 minutes
    samples = _series("emulator", [100, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200])

    # When its growth is summarised
    (growth,) = memory_growth(samples)

    # Then the warm-up is not counted: it is warm at minute 1 (a tenth of 10 minutes) and did not grow after
    assert growth.warm_mib == pytest.approx(200)
    assert growth.end_mib == pytest.approx(200)
    assert growth.growth_mib == pytest.approx(0)
    assert growth.growth_percent == pytest.approx(0)
    assert growth.slope_mib_per_hour == pytest.approx(0)
    assert growth.peak_mib == pytest.approx(200)


def test_a_steady_leak_shows_as_growth_and_as_the_slope_of_the_second_half() -> None:
    # Given a process that grows 1 MiB a minute from 100 MiB for 10 minutes
    samples = _series("receiver", [100 + minute for minute in range(11)])

    # When its growth is summarised
    (growth,) = memory_growth(samples)

    # Then it grew 9 MiB (9%) after warm-up, and still grows 60 MiB an hour at the end
    assert growth.warm_mib == pytest.approx(101)
    assert growth.end_mib == pytest.approx(110)
    assert growth.growth_mib == pytest.approx(9)
    assert growth.growth_percent == pytest.approx(100 * 9 / 101)
    assert growth.slope_mib_per_hour == pytest.approx(60)


def test_the_slope_reads_only_the_second_half() -> None:
    # Given a process that grew fast for the first half, then went flat
    samples = _series("worker", [100, 120, 140, 160, 180, 200, 200, 200, 200, 200, 200])

    # When its growth is summarised
    (growth,) = memory_growth(samples)

    # Then its second half is flat, though it grew after warm-up
    assert growth.slope_mib_per_hour == pytest.approx(0)
    assert growth.growth_mib == pytest.approx(80)


def test_a_process_born_mid_run_is_warm_a_tenth_into_its_own_life() -> None:
    # Given a worker first seen at minute 10, sampled every minute to minute 20
    samples = [
        MemorySample((10 + minute) * 60.0, "kitchen-processor #2", (50 + 10 * minute) * MIB) for minute in range(11)
    ]

    # When its growth is summarised
    (growth,) = memory_growth(samples)

    # Then its warm figure is its sample at minute 11, and its life is 10 to 20 minutes
    assert growth.warm_mib == pytest.approx(60)
    assert (growth.first_seen, growth.last_seen) == (600.0, 1200.0)


def test_a_functions_workers_are_summed_and_the_whole_stack_comes_last() -> None:
    # Given the emulator, and a function whose first worker is replaced by a second mid-run
    samples = (
        _series("emulator", [100, 100, 100, 100])
        + _series("kitchen-processor #1", [50, 50])
        + [MemorySample(120.0, "kitchen-processor #2", 60 * MIB), MemorySample(180.0, "kitchen-processor #2", 70 * MIB)]
    )

    # When the groups' growth is summarised
    rows = grouped_growth(samples)

    # Then the workers are one row of two processes whose pool went from 50 to 70 MiB, the
    # emulator its own, and the whole stack (the sum at each moment) last
    assert [(row.process, count) for row, count in rows] == [
        ("emulator", 1),
        ("kitchen-processor workers", 2),
        (TOTAL, 3),
    ]
    workers = rows[1][0]
    assert (workers.warm_mib, workers.end_mib) == pytest.approx((50, 70))
    assert (rows[2][0].warm_mib, rows[2][0].end_mib) == pytest.approx((150, 170))


def test_a_worker_belongs_to_its_functions_group_and_other_processes_to_their_own() -> None:
    # Given and When names are grouped, Then workers group by function and nothing else is merged
    assert group_of("kitchen-processor #12") == "kitchen-processor workers"
    assert group_of("MiniStack (emulator)") == "MiniStack (emulator)"
    assert group_of("python (pid 3)") == "python (pid 3)"
    assert group_of("odd #name") == "odd #name"


def test_long_lived_processes_are_those_seen_over_nine_tenths_of_the_run() -> None:
    # Given a process seen throughout, one from minute 1 and one only in the first half
    growth = memory_growth(
        _series("emulator", [100] * 11)
        + [MemorySample(60.0 * minute, "order-api #2", MIB) for minute in range(1, 11)]
        + [MemorySample(60.0 * minute, "order-api #1", MIB) for minute in range(5)]
    )

    # When the long-lived ones are picked, Then the process that ended halfway is left out
    assert [row.process for row in long_lived(growth)] == ["emulator", "order-api #2"]


def test_slope_is_the_least_squares_fit() -> None:
    # Given points scattered about y = 2x + 1
    xs, ys = [0.0, 1.0, 2.0, 3.0], [1.0, 3.5, 4.5, 7.0]

    # When their slope is taken
    fitted = slope(xs, ys)

    # Then it is the least-squares one (1.9), and degenerate inputs have none
    assert fitted == pytest.approx(1.9)
    assert slope([5.0], [1.0]) == 0.0
    assert slope([5.0, 5.0], [1.0, 2.0]) == 0.0
    with pytest.raises(ValueError):
        slope([1.0, 2.0], [1.0])


def test_the_table_has_a_row_per_process_with_signed_growth() -> None:
    # Given a process that grew 10 MiB after warm-up
    growth = memory_growth(_series("emulator", [100, 100, 100, 105, 110, 110, 110, 110, 110, 110, 110]))

    # When the table is written
    table = growth_table([(row, 1) for row in growth])

    # Then the process's row reads its figures with their signs
    assert table[2] == "| emulator | 1 | 0.0 to 10.0 | 100.0 | 110.0 | 110.0 | +10.0 | +10.0 | +0.0 |"
