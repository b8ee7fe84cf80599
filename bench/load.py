"""Driving a server with wrk (bench/check.lua), and comparing servers in interleaved rounds.

These shared machines drift: the same build measured a minute apart differs by a
third. So endpoints that are compared are all up at once and measured in turns, round
after round, and each ratio is taken within a round; the report gives medians and
every round.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

LUA = Path(__file__).resolve().parent / "check.lua"
CUSTOMERS = 1000


@dataclass
class WrkResult:
    label: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    non2xx: int
    requests: int
    # What the server's own counters moved during the run (see `probed`), if read.
    server: dict[str, float] = field(default_factory=dict)


Probe = Callable[[], dict[str, float]]
Measure = Callable[[str, int, int, int, str], WrkResult]


def wrk(
    label: str,
    port: int,
    connections: int,
    seconds: int,
    key: str,
    base_url: str | None = None,
) -> WrkResult:
    """wrk against 127.0.0.1:`port`, or `base_url` (an operator's own deployment)."""
    threads = min(2, connections)
    env = {
        **os.environ,
        "BENCH_KEY": key,
        "BENCH_CUSTOMERS": str(CUSTOMERS),
        "BENCH_PREFIX": f"{label.replace(' ', '')}{connections}-{secrets.token_hex(3)}-",
    }
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(LUA),
            base_url or f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    return WrkResult(
        label,
        connections,
        data["rps"],
        data["p50_ms"],
        data["p99_ms"],
        data["p999_ms"],
        data["non2xx"],
        data["requests"],
    )


def probed(measure: Measure, probe: Probe | None) -> Measure:
    """`measure`, with the server's counters read by `probe` just before and after."""
    if probe is None:
        return measure

    def measured(label: str, port: int, connections: int, seconds: int, key: str) -> WrkResult:
        before = probe()
        result = measure(label, port, connections, seconds, key)
        after = probe()
        # A counter the server had not shown before the run (none of it yet) counts from 0.
        return replace(result, server={k: after[k] - before.get(k, 0.0) for k in after})

    return measured


def interleaved(
    ports: dict[str, int],
    key: str,
    connections: tuple[int, ...],
    rounds: int,
    seconds: int,
    probes: Mapping[str, Probe] | None = None,
) -> dict[tuple[str, int], list[WrkResult]]:
    """Each endpoint in turn, `rounds` times, at each number of connections."""
    for label, port in ports.items():
        wrk(label, port, 16, 3, key)  # warm-up
    runs: dict[tuple[str, int], list[WrkResult]] = {}
    for c in connections:
        for _ in range(rounds):
            for label, port in ports.items():
                measure = probed(wrk, (probes or {}).get(label))
                runs.setdefault((label, c), []).append(measure(label, port, c, seconds, key))
    return runs


def median_of(runs: list[WrkResult]) -> WrkResult:
    """One row for several rounds: the median of each figure, the sums of the counts."""

    def median(field: str) -> float:
        return float(statistics.median(getattr(r, field) for r in runs))

    return WrkResult(
        runs[0].label,
        runs[0].connections,
        median("rps"),
        median("p50_ms"),
        median("p99_ms"),
        median("p999_ms"),
        sum(r.non2xx for r in runs),
        sum(r.requests for r in runs),
    )


def ratios(runs: list[WrkResult], baseline: list[WrkResult]) -> list[float]:
    """Throughput against the baseline's, round by round."""
    return [r.rps / b.rps for r, b in zip(runs, baseline, strict=True)]
