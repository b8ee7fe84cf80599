"""`gateway demo`: the gateway on SQLite, both mock ERPs, and orders flowing.

Starts three real processes (the gateway and the SAP-style and Baan-style mocks),
syncs the mocks' customers and open items into the gateway, then sends a
realistic mix of orders through the mocks (which ask the gateway, as an ERP
would), with occasional changes, payments and injected ERP faults. Prints a live
summary until Ctrl-C, then stops everything; ends at once, with the process's name
and log, if one of the three exits.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from gateway.demo.processes import Demo, DemoError, ensure_ports_free, start, stop, watch
from gateway.demo.traffic import summary, traffic


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(
    port: int,
    sap_port: int,
    baan_port: int,
    rate: float,
    seconds: float | None,
    config: Path,
    troubled_share: float = 0.1,
) -> int:
    # Ctrl-C and `kill` both end the demo cleanly, even when started in the background
    # (where a shell would otherwise have the process ignore SIGINT).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    demo = Demo(port, sap_port, baan_port, Path("var/demo").resolve())
    try:
        ensure_ports_free(demo)
        _keep_previous(demo.workdir)
        demo.workdir.mkdir(parents=True)
        start(demo, config)
        _banner(demo)
        stats: Counter[str] = Counter()
        started = time.monotonic()
        stop_at = started + seconds if seconds else None

        async def main() -> None:
            await asyncio.gather(
                traffic(demo, rate, stats, stop_at, troubled_share, grant=True),
                summary(demo, stats, started, stop_at),
                watch(demo, stop_at),
            )

        asyncio.run(main())
        return 0
    except KeyboardInterrupt:
        return 0
    except DemoError as exc:
        print(f"gateway demo: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if demo.procs:
            print("\nstopping...", flush=True)
            stop(demo)


def _keep_previous(workdir: Path) -> None:
    """Every demo starts fresh (the mocks' books are new each time, and their order
    numbers start again); the previous run's database and logs are kept beside it, once,
    and the demo says so rather than wiping them silently."""
    if not workdir.exists():
        return
    previous = workdir.with_name(workdir.name + "-previous")
    shutil.rmtree(previous, ignore_errors=True)
    workdir.rename(previous)
    print(f"Starting fresh; the previous demo's data and logs are in {previous}", flush=True)


def _banner(demo: Demo) -> None:
    print(f"""
Order-hold gateway demo (logs in {demo.workdir})
  console      {demo.gateway}/console   (sign in with a key below)
  API docs     {demo.gateway}/docs
  metrics      {demo.gateway}/metrics
  SAP mock     {demo.mock("sap")}/docs      Baan mock  {demo.mock("baan")}/docs
Keys (Authorization: Bearer ...):""")
    for role, key in demo.keys.items():
        print(f"  {role:16} {key}")
    print("Ctrl-C stops everything.\n", flush=True)
