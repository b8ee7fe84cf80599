"""The demo's traffic (orders, changes, payments and ERP faults through the mocks)
and its live summary."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter

import httpx
from prometheus_client.parser import text_string_to_metric_families

from gateway.demo.applications import grant_credit
from gateway.demo.desk import Desk


async def _books(client: httpx.AsyncClient, demo: Desk) -> dict[str, list[dict[str, str]]]:
    """Each mock's customers: who is in trouble (overdue, blocked, no credit), what each
    owes."""
    out: dict[str, list[dict[str, str]]] = {}
    for erp in ("sap", "baan"):
        out[erp] = (await client.get(demo.mock(erp) + "/_customers")).json()["customers"]
    return out


def _customer(rnd: random.Random, customers: list[dict[str, str]], troubled_share: float) -> str:
    troubled = [c["customer_id"] for c in customers if c["troubled"]]
    healthy = [c["customer_id"] for c in customers if not c["troubled"]]
    if troubled and (not healthy or rnd.random() < troubled_share):
        return rnd.choice(troubled)
    return rnd.choice(healthy)


async def traffic(
    demo: Desk,
    rate: float,
    stats: Counter[str],
    stop_at: float | None,
    troubled_share: float,
    grant: bool = False,
) -> None:
    """A desk's day: orders (a `troubled_share` of them to customers in trouble, so holds
    run at a believable rate), some changed, released orders invoiced, invoices paid,
    now and then an ERP fault."""
    rnd = random.Random()  # noqa: S311 - demo traffic
    async with httpx.AsyncClient(timeout=10) as client:
        for erp in ("sap", "baan"):
            await client.post(f"{demo.gateway}/v1/sync/{erp}", headers=demo.headers("admin"))
        books = await _books(client, demo)
        if grant:
            granted = await grant_credit(client, demo, books)
            print(
                "credit applications filed by sales and approved by the roles they name: "
                + ", ".join(f"{k} {v}" for k, v in sorted(granted.items())),
                flush=True,
            )
        released: list[tuple[str, str, float]] = []  # not yet invoiced, oldest first
        healing: set[asyncio.Task[None]] = set()
        last_fault = last_look = time.monotonic()
        while stop_at is None or time.monotonic() < stop_at:
            erp = rnd.choice(("sap", "baan"))
            roll = rnd.random()
            try:
                if time.monotonic() - last_look > 5:
                    books, last_look = await _books(client, demo), time.monotonic()
                if roll < 0.05 and released:
                    erp, order_id, amount = rnd.choice(released)
                    changed = f"{amount * rnd.uniform(0.7, 1.2):.2f}"
                    await client.post(
                        f"{demo.mock(erp)}/orders/{order_id}/change", json={"amount": changed}
                    )
                    stats["changes"] += 1
                elif roll < 0.38 and released:
                    erp, order_id, _ = released.pop(0)
                    await client.post(f"{demo.mock(erp)}/orders/{order_id}/invoice")
                    stats["invoices"] += 1
                elif roll < 0.55:
                    owing = [c for c in books[erp] if float(c["open_amount"]) > 0]
                    if owing:
                        payer = rnd.choice(owing)
                        paid = float(payer["open_amount"]) * rnd.uniform(0.3, 1.0)
                        await client.post(
                            f"{demo.mock(erp)}/payments",
                            json={"customer_id": payer["customer_id"], "amount": f"{paid:.2f}"},
                        )
                        stats["payments"] += 1
                else:
                    amount = rnd.lognormvariate(8.0, 1.0)
                    r = await client.post(
                        f"{demo.mock(erp)}/orders",
                        json={
                            "customer_id": _customer(rnd, books[erp], troubled_share),
                            "amount": f"{amount:.2f}",
                        },
                    )
                    order = r.json()
                    if order["status"] == "released":
                        released.append((erp, order["order_id"], amount))
                    stats["orders"] += 1
            except (httpx.HTTPError, ValueError, KeyError, IndexError):
                stats["errors"] += 1
            if time.monotonic() - last_fault > 45:
                # Let one ERP misbehave for a while: the gateway keeps answering.
                victim = rnd.choice(("sap", "baan"))
                await client.post(
                    f"{demo.mock(victim)}/_faults", json={"error_rate": 0.5, "latency_ms": 300}
                )
                stats[f"faults:{victim}"] += 1
                healing.add(asyncio.create_task(_heal_later(client, demo.mock(victim))))
                last_fault = time.monotonic()
            await asyncio.sleep(rnd.expovariate(rate))
        for task in healing:  # the client closes with this block
            task.cancel()
        await asyncio.gather(*healing, return_exceptions=True)


async def _heal_later(client: httpx.AsyncClient, mock_url: str) -> None:
    await asyncio.sleep(15)
    with contextlib.suppress(httpx.HTTPError):
        await client.delete(f"{mock_url}/_faults")


def _decisions(metrics_text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for family in text_string_to_metric_families(metrics_text):
        if family.name != "gateway_decisions":
            continue
        for s in family.samples:
            if s.name.endswith("_total"):
                key = "release" if s.labels["outcome"] == "release" else s.labels["reason"]
                out[key] += int(s.value)
    return out


async def summary(demo: Desk, stats: Counter[str], started: float, stop_at: float | None) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        while stop_at is None or time.monotonic() < stop_at:
            await asyncio.sleep(3)
            try:
                decisions = _decisions((await client.get(f"{demo.gateway}/metrics")).text)
                sync = (
                    await client.get(f"{demo.gateway}/v1/sync", headers=demo.headers("admin"))
                ).json()["erps"]
            except (httpx.HTTPError, ValueError, KeyError):
                print("  (gateway not answering)")
                continue
            elapsed = time.monotonic() - started
            holds = ", ".join(f"{k} {v}" for k, v in decisions.most_common() if k != "release")
            sync_text = "; ".join(
                f"{s['erp']}: {s['customers_synced']} customers, "
                f"{'ok' if not s['last_error'] else 'errors'}"
                for s in sync
            )
            print(
                f"[{elapsed:5.0f}s] {stats['orders'] / elapsed:4.1f} orders/s | "
                f"released {decisions.get('release', 0)} | holds by reason: {holds or '-'} | "
                f"sync {sync_text} | changes {stats['changes']} invoices {stats['invoices']} "
                f"payments {stats['payments']}",
                flush=True,
            )
