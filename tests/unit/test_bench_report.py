"""The benchmark's arithmetic: medians of interleaved rounds, ratios within a round, and
the targets it declares met (bench/RESULTS.md is written from these)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.load import WrkResult, median_of, probed, ratios
from bench.report import NOTES, QUIET, report


def run(label: str, connections: int, rps: float, p99: float) -> WrkResult:
    return WrkResult(label, connections, rps, 1.0, p99, 2 * p99, 0, int(rps * 5))


def results(bare: list[float], gateway: list[float], light_p99: list[float]) -> dict[str, Any]:
    rounds = {
        ("bare", 2): [run("bare", 2, 5000, 0.8) for _ in bare],
        ("gateway sqlite", 2): [run("gateway sqlite", 2, 1500, p) for p in light_p99],
        ("bare", 16): [run("bare", 16, r, 5.0) for r in bare],
        ("gateway sqlite", 16): [run("gateway sqlite", 16, r, 12.0) for r in gateway],
    }
    return {
        "rounds": rounds,
        "wrk": [median_of(r) for r in rounds.values()],
        "scaling": [],
        "soak": None,
        "customers": 1000,
        "evaluate_us": 9.5,
        "fsync_ms": (0.2, 0.4),
    }


def test_a_median_row_takes_each_figure_from_the_rounds_and_sums_the_counts() -> None:
    rows = [run("x", 16, 100, 9.0), run("x", 16, 300, 3.0), run("x", 16, 200, 5.0)]
    row = median_of(rows)
    assert (row.rps, row.p99_ms, row.p999_ms) == (200, 5.0, 10.0)
    assert row.requests == 3000


def test_ratios_are_taken_within_each_round() -> None:
    gateway = [run("g", 16, 100, 1), run("g", 16, 150, 1)]
    bare = [run("b", 16, 400, 1), run("b", 16, 200, 1)]
    assert ratios(gateway, bare) == [0.25, 0.75]
    with pytest.raises(ValueError):
        ratios(gateway, bare[:1])


@pytest.mark.parametrize(
    ("bare", "gateway", "light_p99", "throughput", "latency"),
    [
        # A round that drifted (the third) moves neither verdict: medians of three.
        (
            [4000, 4000, 2000],
            [2200, 1800, 2000],
            [1.5, 2.0, 300.0],
            "0.550 (met",
            "2.00 ms, the median of the rounds' p99 (met on the median; within 2 ms in 2 of 3",
        ),
        (
            [5000, 5000, 5000],
            [2000, 2400, 2600],
            [3.0, 2.0, 3.5],
            "0.480 (NOT met",
            "3.00 ms, the median of the rounds' p99 (NOT met on the median; within 2 ms in 1 of",
        ),
        # Just under the target is not met, however it would round.
        (
            [1000, 1000, 1000],
            [497, 497, 497],
            [2.0, 2.0, 2.0],
            "0.497 (NOT met",
            "2.00 ms, the median of the rounds' p99 (met on the median; within 2 ms in 3 of 3",
        ),
    ],
)
def test_the_targets_are_judged_on_the_medians_and_every_round_is_shown(
    bare: list[float], gateway: list[float], light_p99: list[float], throughput: str, latency: str
) -> None:
    text = report(results(bare, gateway, light_p99), "python -m bench.run")
    assert f"throughput ratio, SQLite, 16 connections: {throughput}" in text
    assert f"p99 at 2 connections, SQLite: {latency}" in text
    assert (
        "- gateway sqlite, 2 connections: " + ", ".join(f"1500 ({p:.2f})" for p in light_p99)
        in text
    )


def test_a_probed_run_keeps_what_the_servers_counters_moved_meanwhile() -> None:
    readings = iter([{"cpu_s": 10.0, "commits": 5.0}, {"cpu_s": 12.5, "commits": 105.0}])
    calls: list[str] = []

    def fake_wrk(label: str, port: int, connections: int, seconds: int, key: str) -> WrkResult:
        calls.append("wrk")
        return run(label, connections, 1000, 2.0)

    def probe() -> dict[str, float]:
        calls.append("probe")
        return next(readings)

    result = probed(fake_wrk, probe)("g", 1, 16, 5, "k")
    assert calls == ["probe", "wrk", "probe"]
    assert result.server == {"cpu_s": 2.5, "commits": 100.0}
    assert probed(fake_wrk, None)("g", 1, 16, 5, "k").server == {}


def test_the_servers_own_account_is_reported_per_request_as_the_median_of_rounds() -> None:
    data = results([5000] * 3, [2000] * 3, [3.0] * 3)
    rounds = data["rounds"]
    # 5 s at 2,000 req/s: 10,000 checks; the loop spent 1 s, 1.2 s, 0.8 s in COMMIT.
    for n, r in enumerate(rounds[("gateway sqlite", 16)]):
        r.server = {"cpu_s": 4.0, "commits": 1000.0, "commit_s": (1.0, 1.2, 0.8)[n], "checks": 1e4}
    for r in rounds[("bare", 16)]:
        r.server = {"cpu_s": 4.75}  # 25,000 requests
    text = report(data, "python -m bench.run")
    assert "| gateway sqlite | 16 | 400 | 20% | 10.0 | 1.00 |" in text
    assert "| bare | 16 | 190 | - | - | - |" in text
    assert "| gateway sqlite | 2 |" not in text.split("own counters")[1]  # not probed


def test_the_ratio_with_a_log_line_per_decision_stands_beside_the_target() -> None:
    """The cost of a log line for every decision (GATEWAY_DECISION_LOG=all), measured in
    the same rounds, stands beside the default's ratio."""
    data = results([5000] * 3, [2000] * 3, [3.0] * 3)
    quiet = [run(QUIET, 16, r, 10.0) for r in (2600, 2500, 2400)]
    data["rounds"][(QUIET, 16)] = quiet
    data["wrk"].append(median_of(quiet))
    text = report(data, "python -m bench.run")
    assert (
        "throughput ratio, SQLite, 16 connections: 0.400 (NOT met; rounds: 0.400, 0.400, "
        "0.400; with a log line per decision 0.500, rounds: 0.520, 0.500, 0.480)"
    ) in text
    assert f"| {QUIET} | 16 | 2500 | 0.50 |" in text


def test_the_notes_kept_beside_the_script_close_every_report() -> None:
    text = report(results([5000] * 3, [2000] * 3, [3.0] * 3), "python -m bench.run")
    assert text.endswith("\n\n" + NOTES.read_text())
    assert NOTES.read_text().startswith("## Where the time goes")
