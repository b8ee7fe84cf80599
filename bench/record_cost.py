"""What recording a check's inputs costs the check, in CPU time, in one process.

    python -m bench.record_cost [--rounds 8] [--checks 400]

The check (`gateway.orders.service.check_order`, in its own write transaction on an
SQLite file, 50 customers with five open items each) with its inputs recorded and
with them left out (`inputs_json` replaced by one that records nothing), in turns of
`--checks` checks, `--rounds` times. CPU time (time.process_time), not wall time:
the fsync of each commit is the disk's time, and on a shared machine the wall clock
of a whole server (python -m bench.run) varies by a third between rounds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from gateway.balances.open_items import replace_open_items
from gateway.balances.service import upsert_customer
from gateway.config import load_config
from gateway.customers.items_cache import OpenItemsCache
from gateway.customers.schemas import CustomerIn, OpenItemsIn
from gateway.db.engine import build_engine, write_tx
from gateway.db.migrate import migrate
from gateway.orders import service
from gateway.orders.context import CheckContext
from gateway.orders.schemas import CheckIn

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--checks", type=int, default=400)
    args = parser.parse_args()
    config = load_config(ROOT / "config" / "gateway.toml")
    engine = build_engine(f"sqlite:///{tempfile.mkdtemp(prefix='bench-rec-')}/rec.db")
    migrate(engine)
    now = datetime.now(UTC)
    with write_tx(engine) as conn:
        for n in range(CUSTOMERS):
            cid = f"C{n}"
            master = {"name": cid, "credit_limit": "100000000.00", "currency": "EUR"}
            master |= {"grade": "A", "payment_terms_days": 30}
            upsert_customer(conn, cid, CustomerIn.model_validate(master), config.policy.fx, now)
            items = [
                {"item_id": f"{cid}-{i}", "kind": "invoice", "amount": "1500.00"}
                | {"currency": "EUR", "due_date": "2099-12-31"}
                for i in range(5)
            ]
            snapshot = OpenItemsIn.model_validate({"as_of": now.isoformat(), "items": items})
            replace_open_items(conn, cid, snapshot, config.policy, now)
    cache = OpenItemsCache()
    recording = service.inputs_json
    count = 0

    def turn(record: bool) -> float:
        nonlocal count
        service.inputs_json = recording if record else (lambda inputs: None)  # type: ignore[assignment,return-value]
        started = time.process_time()
        for _ in range(args.checks):
            count += 1
            body = CheckIn.model_validate(
                {"erp": "sap", "order_id": f"O{count}", "revision": 1}
                | {"customer_id": f"C{count % CUSTOMERS}", "amount": "100.00", "currency": "EUR"}
            )
            ctx = CheckContext(config.policy, config.timezone, datetime.now(UTC), None, cache)
            with write_tx(engine) as conn:
                service.check_order(conn, body, ctx)
        return (time.process_time() - started) / args.checks * 1e6

    off, on = [], []
    for _ in range(args.rounds):
        off.append(turn(False))
        on.append(turn(True))
    service.inputs_json = recording
    base, recorded = statistics.median(off), statistics.median(on)
    print(f"without recording: {base:.0f} us CPU per check (rounds: {_each(off)})")
    print(f"with recording:    {recorded:.0f} us CPU per check (rounds: {_each(on)})")
    print(f"cost: {recorded - base:+.0f} us, {(recorded - base) / base * 100:+.1f}%")


def _each(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


if __name__ == "__main__":
    main()
