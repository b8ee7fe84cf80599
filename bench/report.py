"""bench/RESULTS.md: the figures of one run, the targets met or not, and where the time goes."""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from bench.load import WrkResult, ratios

# The gateway with GATEWAY_LOG_LEVEL=WARNING: no JSON log line per decision. Measured in
# the same rounds, it prices that line (see the notes) for the decision to keep it.
QUIET = "gateway sqlite log all"
# Where the time goes, read by hand (profiles, /proc): prose kept beside the script and
# appended to every RESULTS.md.
NOTES = Path(__file__).with_name("notes.md")


def report(results: dict[str, Any], command: str) -> str:
    rows = results["wrk"]
    bare = {r.connections: r.rps for r in rows if r.label == "bare"}
    rounds = results.get("rounds", {})
    n_rounds = len(next(iter(rounds.values()))) if rounds else 1
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "Every request is a new order (a write: decision record, reservation). "
        f"{results['customers']} customers with five open items each. One uvicorn worker "
        "unless noted; wrk with 2 threads on the same two cores. The gateway runs with its "
        "defaults (SQLite `synchronous=FULL`, `GATEWAY_DECISION_LOG=holds`: a JSON log line "
        "per hold, none per plain release). Ratios are "
        "to `bare`, an `async def` FastAPI endpoint with the same request model and "
        "server settings; `bare sync def` (the same endpoint on FastAPI's thread pool) is "
        f"there for reference only, and `{QUIET}` (the gateway with `GATEWAY_DECISION_LOG="
        "all`) prices a log line for every decision.",
        "",
        f"The SQLite endpoints and the bare ones run side by side and are measured in "
        f"turns, {n_rounds} rounds at each number of connections, so that the machine's "
        "drift falls on all of them alike; their rows give the median of the rounds (a "
        "ratio: the median of the ratios within each round), and every round is listed "
        "below the table. PostgreSQL runs after them, once, as long as the rounds together.",
        "",
        "| endpoint | connections | req/s | ratio to bare | p50 ms | p99 ms | p99.9 ms | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ratio = _ratio(results, r.label, r.connections)
        if ratio is None:
            ratio = r.rps / bare[r.connections] if bare.get(r.connections) else 0
        lines.append(
            f"| {r.label} | {r.connections} | {r.rps:.0f} | {ratio:.2f} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.p999_ms:.2f} | {r.non2xx} |"
        )
    if rounds:
        lines += ["", "Every round (req/s, then p99 ms), in the order they ran:", ""]
        for (label, connections), runs in rounds.items():
            lines.append(
                f"- {label}, {connections} connections: "
                + ", ".join(f"{r.rps:.0f} ({r.p99_ms:.2f})" for r in runs)
            )
    lines += server_account(rounds)
    lines += postgres_section(results)
    lines += [
        "",
        f"Pure decision function: {results['evaluate_us']:.2f} us per evaluation "
        "(20 open items, every check on).",
        "",
        f"The disk under these figures: fsync of a 4 KiB append p50 {results['fsync_ms'][0]:.2f} "
        f"ms, p99 {results['fsync_ms'][1]:.2f} ms (every durable check waits for one).",
    ]
    lines += ["", *targets(results)]
    soak = results["soak"]
    if soak:
        lines += [
            "",
            f"Soak: {soak['seconds']} s at 4 connections, {soak['requests']} orders; "
            f"RSS {soak['rss_start_kib']} KiB -> {soak['rss_end_kib']} KiB "
            f"({soak['growth_pct']:+.1f}%); at its end the database file was "
            f"{soak['db_mib']:.0f} MiB and its write-ahead log {soak['wal_mib']:.1f} MiB.",
        ]
    return "\n".join(lines) + "\n\n" + NOTES.read_text()


def postgres_section(results: dict[str, Any]) -> list[str]:
    """The gateway on PostgreSQL against the bare endpoint in the same rounds, what a
    request cost the gateway and the cluster in CPU, and the scaling by workers."""
    rounds = results.get("pg_rounds", {})
    lines: list[str] = []
    if rounds:
        lines += [
            "",
            "PostgreSQL (durable: fsync and synchronous_commit on), one gateway worker, "
            "measured in turns with the bare endpoint (the median of the rounds; a ratio: "
            "the median of the ratios within each round). CPU per request from /proc: the "
            "gateway's process and the cluster's (postmaster and backends):",
            "",
            "| endpoint | connections | req/s | ratio to bare | p50 ms | p99 ms | p99.9 ms "
            "| non-2xx | gateway CPU us/req | PostgreSQL CPU us/req |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in results["pg_wrk"]:
            each = _pg_ratios(results, r.label, r.connections)
            ratio = f"{statistics.median(each):.2f}" if each else "-"
            runs = rounds[(r.label, r.connections)]
            lines.append(
                f"| {r.label} | {r.connections} | {r.rps:.0f} | {ratio} | {r.p50_ms:.2f} | "
                f"{r.p99_ms:.2f} | {r.p999_ms:.2f} | {r.non2xx} | "
                f"{_per_request(runs, 'cpu_s')} | {_per_request(runs, 'pg_cpu_s')} |"
            )
        lines += ["", "Every PostgreSQL round (req/s, then p99 ms), in the order they ran:", ""]
        for (label, connections), runs in rounds.items():
            lines.append(
                f"- {label}, {connections} connections: "
                + ", ".join(f"{r.rps:.0f} ({r.p99_ms:.2f})" for r in runs)
            )
    if results["scaling"]:
        base = results["scaling"][0][1].rps
        lines += [
            "",
            "Scaling on PostgreSQL (16 connections; gateway and cluster CPU per request):",
            "",
            "| workers | req/s | vs 1 worker | p50 ms | p99 ms | gateway CPU us/req "
            "| PostgreSQL CPU us/req |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for workers, r in results["scaling"]:
            lines.append(
                f"| {workers} | {r.rps:.0f} | {r.rps / base:.2f} | {r.p50_ms:.2f} | "
                f"{r.p99_ms:.2f} | {_per_request([r], 'cpu_s')} | "
                f"{_per_request([r], 'pg_cpu_s')} |"
            )
    return lines


def _pg_ratios(results: dict[str, Any], label: str, connections: int) -> list[float]:
    rounds = results.get("pg_rounds", {})
    runs, baseline = rounds.get((label, connections)), rounds.get(("bare", connections))
    return ratios(runs, baseline) if runs and baseline and label != "bare" else []


def _per_request(runs: list[WrkResult], key: str) -> str:
    if not runs or not all(key in r.server and r.requests for r in runs):
        return "-"
    return f"{statistics.median(r.server[key] / r.requests * 1e6 for r in runs):.0f}"


def server_account(rounds: dict[tuple[str, int], list[WrkResult]]) -> list[str]:
    """What a request cost each probed server, from its own counters: medians of rounds."""
    rows = []
    for (label, connections), runs in rounds.items():
        if not runs or not all(r.server and r.requests for r in runs):
            continue
        cpu = statistics.median(r.server["cpu_s"] / r.requests * 1e6 for r in runs)
        cells = "- | - | -"
        if all(r.server.get("commits") for r in runs):
            share = statistics.median(r.server["commit_s"] * r.rps / r.requests for r in runs)
            checks = statistics.median(r.server["checks"] / r.server["commits"] for r in runs)
            each = statistics.median(r.server["commit_s"] / r.server["commits"] for r in runs)
            cells = f"{share:.0%} | {checks:.1f} | {each * 1000:.2f}"
        rows.append(f"| {label} | {connections} | {cpu:.0f} | {cells} |")
    if not rows:
        return []
    return [
        "",
        "What a request cost each server, from its own counters (the process's CPU time "
        "in /proc; the gateway's `gateway_sqlite_commit_seconds` and "
        '`gateway_sqlite_commit_batch_size`), the median of the rounds. "In COMMIT" is '
        "the share of the run the event loop spent waiting for its commits:",
        "",
        "| endpoint | connections | server CPU us per request | in COMMIT "
        "| checks per commit | ms per commit |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
    ]


def _round_ratios(results: dict[str, Any], label: str, connections: int) -> list[float]:
    """The ratios to bare round by round, for an endpoint measured in rounds (else [])."""
    rounds = results.get("rounds", {})
    runs, baseline = rounds.get((label, connections)), rounds.get(("bare", connections))
    return ratios(runs, baseline) if runs and baseline else []


def _ratio(results: dict[str, Any], label: str, connections: int) -> float | None:
    """The median of the per-round ratios to bare, for an endpoint measured in rounds."""
    each = _round_ratios(results, label, connections)
    return float(statistics.median(each)) if each else None


def _each(results: dict[str, Any], label: str, connections: int, field: str) -> str:
    runs = results.get("rounds", {}).get((label, connections), [])
    return ", ".join(f"{getattr(r, field):.2f}" for r in runs)


def targets(results: dict[str, Any]) -> list[str]:
    """The issue's targets for these 2-core machines, met or not, from this run."""
    rows = {(r.label, r.connections): r for r in results["wrk"]}
    bare16 = rows.get(("bare", 16))
    sqlite16 = rows.get(("gateway sqlite", 16))
    light = rows.get(("gateway sqlite", 2))
    out = [
        "Targets (issue 27 and earlier ones: ratio >= 0.5 on SQLite, p99 at 2 connections <= "
        f"{SQLITE_P99_MS:g} ms, "
        "evaluation <= 20 us, RSS growth < 10% over the soak):",
        "",
    ]
    if bare16 and sqlite16:
        ratio = _ratio(results, "gateway sqlite", 16)
        if ratio is None:
            ratio = sqlite16.rps / bare16.rps
        each = [f"{r:.3f}" for r in _round_ratios(results, "gateway sqlite", 16)]
        sync16 = rows.get(("bare sync def", 16))
        reference = f"; {sqlite16.rps / sync16.rps:.2f} against `bare sync def`" if sync16 else ""
        quiet = _ratio(results, QUIET, 16)
        if quiet is not None:
            quiet_each = ", ".join(f"{r:.3f}" for r in _round_ratios(results, QUIET, 16))
            reference += f"; with a log line per decision {quiet:.3f}, rounds: {quiet_each}"
        out.append(
            f"- throughput ratio, SQLite, 16 connections: {ratio:.3f} "
            f"({'met' if ratio >= 0.5 else 'NOT met'}; rounds: {', '.join(each)}{reference})"
        )
    if light:
        runs = results.get("rounds", {}).get(("gateway sqlite", 2)) or [light]
        within = sum(1 for r in runs if r.p99_ms <= SQLITE_P99_MS)
        met = "met" if light.p99_ms <= SQLITE_P99_MS else "NOT met"
        out.append(
            f"- p99 at 2 connections, SQLite: {light.p99_ms:.2f} ms, the median of the "
            f"rounds' p99 ({met} on the median; "
            f"within {SQLITE_P99_MS:g} ms in {within} of {len(runs)} rounds: "
            f"{_each(results, 'gateway sqlite', 2, 'p99_ms')})"
        )
    out += postgres_targets(results)
    out.append(
        f"- pure evaluation: {results['evaluate_us']:.2f} us "
        f"({'met' if results['evaluate_us'] <= 20 else 'NOT met'})"
    )
    if results["soak"]:
        growth = results["soak"]["growth_pct"]
        out.append(
            f"- RSS growth over the soak: {growth:+.1f}% ({'met' if growth < 10 else 'NOT met'})"
        )
    return out


# Issue 27 asks 2 ms (it was 5 ms before it).
SQLITE_P99_MS = 2.0


def postgres_targets(results: dict[str, Any]) -> list[str]:
    """Issue 27's PostgreSQL targets: p99 at 2 connections <= 3 ms, ratio >= 0.3."""
    rows = {(r.label, r.connections): r for r in results.get("pg_wrk", [])}
    out = []
    light = rows.get(("gateway postgres", 2))
    if light:
        runs = results["pg_rounds"][("gateway postgres", 2)]
        within = sum(1 for r in runs if r.p99_ms <= 3)
        each = ", ".join(f"{r.p99_ms:.2f}" for r in runs)
        out.append(
            f"- p99 at 2 connections, PostgreSQL: {light.p99_ms:.2f} ms, the median of the "
            f"rounds' p99 ({'met' if light.p99_ms <= 3 else 'NOT met'} against 3 ms; "
            f"within it in {within} of {len(runs)} rounds: {each})"
        )
    each16 = _pg_ratios(results, "gateway postgres", 16)
    if each16:
        ratio = statistics.median(each16)
        out.append(
            f"- throughput ratio, PostgreSQL, 16 connections: {ratio:.3f} "
            f"({'met' if ratio >= 0.3 else 'NOT met'} against 0.3; rounds: "
            + ", ".join(f"{r:.3f}" for r in each16)
            + ")"
        )
    return out
