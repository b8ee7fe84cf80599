"""Policy simulation over a large recorded history: its time and its memory.

    python -m bench.simulate [--decisions 100000] [--database-url URL]

Records `--decisions` checks straight into an empty database (500 customers, each
with a snapshot of five open items, every check referring to its customer's
snapshot as the check does), then replays them all under a candidate without the
credit_limit check, with tracemalloc on: the peak must stay far below the size of
the recorded inputs (the history is read a page at a time). Prints one line for
bench/RESULTS.md. tests/gateway/test_simulation_memory.py runs the same (marked slow).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from gateway.config import LoadedConfig, load_config
from gateway.db.engine import build_engine, write_tx
from gateway.db.migrate import migrate
from gateway.db.uow import unit_of_work
from gateway.ids import time_ordered_uuid
from gateway.orders.figures import reasons_json
from gateway.orders.repository import decisions
from gateway.recorder.record import CheckInputs, inputs_json, item_snapshots
from gateway.simulation.service import simulate
from policies import Account, Balance, Check, Grade, ItemKind, OpenItem, evaluate
from policies.frozen_json import encode

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)
CUSTOMERS = 500


@dataclass(frozen=True)
class Measured:
    decisions: int
    seconds: float
    peak_bytes: int
    data_bytes: int
    report: dict[str, Any]

    def line(self) -> str:
        return (
            f"{self.decisions} recorded checks replayed in {self.seconds:.1f} s "
            f"({self.decisions / self.seconds:.0f} a second); tracemalloc peak "
            f"{self.peak_bytes / 2**20:.1f} MiB against {self.data_bytes / 2**20:.1f} MiB of "
            f"recorded inputs; {self.report['hold_to_release']} hold->release"
        )


def record_history(engine: Engine, config: LoadedConfig, decisions: int) -> int:
    """Record `decisions` checks; returns the bytes of their recorded inputs."""
    snapshots, accounts = [], []
    items_by_customer: dict[str, tuple[OpenItem, ...]] = {}
    for n in range(CUSTOMERS):
        cid, etag = f"SC{n:04d}", uuid.uuid4().hex
        items = tuple(
            OpenItem(f"{cid}-I{i}", ItemKind.INVOICE, Decimal("1500.00"), date(2026, 12, 31))
            for i in range(5)
        )
        items_by_customer[etag] = items
        snapshots.append(
            {"etag": etag, "customer_id": cid, "as_of": NOW, "items": _json(encode(items))}
        )
        grade = (Grade.A, Grade.B, Grade.C)[n % 3]
        accounts.append((etag, Account(cid, Decimal("20000.00"), "EUR", grade, 30)))
    with write_tx(engine) as conn:
        conn.execute(insert(item_snapshots), snapshots)
    size, batch = 0, []
    for k in range(decisions):
        etag, account = accounts[k % CUSTOMERS]
        amount = Decimal(1000 + (k * 37) % 9000)
        given = {
            "order_amount": amount,
            "currency": "EUR",
            "account": account,
            "balance": Balance(items_by_customer[etag], Decimal(k % 5000), NOW),
            "now": NOW + timedelta(seconds=k % 3600),
            "today": NOW.date(),
        }
        decision = evaluate(**given, policy=config.policy)
        text = inputs_json(CheckInputs(given, etag))
        size += len(text)
        batch.append(
            {
                "decision_id": str(time_ordered_uuid()),
                "erp": "sap",
                "order_id": f"SO{k:07d}",
                "revision": 1,
                "customer_id": account.customer_id,
                "token_key": "",
                "payload_hash": "-",
                "outcome": decision.outcome.value,
                # The stored answer, as far as simulation reads it.
                "response": _json(
                    {"outcome": decision.outcome.value, "reasons": reasons_json(decision.reasons)}
                ),
                "created_at": NOW + timedelta(seconds=k),
                "inputs": text,
            }
        )
        if len(batch) == 5000:
            _flush(engine, batch)
    _flush(engine, batch)
    return size


def _json(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


def _flush(engine: Engine, batch: list[dict[str, Any]]) -> None:
    if batch:
        with write_tx(engine) as conn:
            conn.execute(insert(decisions), batch)
        batch.clear()


def measure(engine: Engine, decisions: int) -> Measured:
    config = load_config(ROOT / "config" / "gateway.toml")
    data = record_history(engine, config, decisions)
    candidate = replace(config.policy, checks=config.policy.checks - {Check.CREDIT_LIMIT})
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = simulate(unit_of_work(engine), candidate, config, today=NOW.date())
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(decisions, seconds, peak, data, report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-sim-')}/sim.db"
    engine = build_engine(url)
    migrate(engine)
    print(measure(engine, args.decisions).line())
    print(
        "Command: python -m bench.simulate "
        + re.sub(
            r"://\S+@",
            "://***@",
            " ".join(
                f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v is not None
            ),
        )
    )


if __name__ == "__main__":
    main()
