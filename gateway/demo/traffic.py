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

from adapters.sources import LN_PARTNERS, SAP_CREDIT
from gateway.demo.processes import Demo


async def _customers(client: httpx.AsyncClient, demo: Demo) -> dict[str, list[str]]:
    sap = (await client.get(demo.mock("sap") + SAP_CREDIT)).json()["d"]["results"]
    baan = (await client.get(demo.mock("baan") + LN_PARTNERS)).json()["value"]
    return {"sap": [c["BusinessPartner"] for c in sap], "baan": [c["bpid"] for c in baan]}


async def traffic(demo: Demo, rate: float, stats: Counter[str], stop_at: float | None) -> None:
    rnd = random.Random()  # noqa: S311 - demo traffic
    async with httpx.AsyncClient(timeout=10) as client:
        for erp in ("sap", "baan"):
            await client.post(f"{demo.gateway}/v1/sync/{erp}", headers=demo.headers("admin"))
        customers = await _customers(client, demo)
        orders: list[tuple[str, str]] = []
        healing: set[asyncio.Task[None]] = set()
        last_fault = time.monotonic()
        while stop_at is None or time.monotonic() < stop_at:
            erp = rnd.choice(("sap", "baan"))
            roll = rnd.random()
            try:
                if roll < 0.08 and orders:
                    erp, order_id = rnd.choice(orders)
                    amount = f"{rnd.uniform(500, 40000):.2f}"
                    await client.post(
                        f"{demo.mock(erp)}/orders/{order_id}/change", json={"amount": amount}
                    )
                    stats["changes"] += 1
                elif roll < 0.11:
                    await client.post(
                        f"{demo.mock(erp)}/payments",
                        json={
                            "customer_id": rnd.choice(customers[erp]),
                            "amount": f"{rnd.uniform(1000, 30000):.2f}",
                        },
                    )
                    stats["payments"] += 1
                else:
                    amount = f"{rnd.lognormvariate(8.0, 1.0):.2f}"
                    r = await client.post(
                        f"{demo.mock(erp)}/orders",
                        json={"customer_id": rnd.choice(customers[erp]), "amount": amount},
                    )
                    orders.append((erp, r.json()["order_id"]))
                    stats["orders"] += 1
            except (httpx.HTTPError, ValueError, KeyError):
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


async def summary(demo: Demo, stats: Counter[str], started: float, stop_at: float | None) -> None:
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
                f"sync {sync_text} | changes {stats['changes']} payments {stats['payments']}",
                flush=True,
            )
