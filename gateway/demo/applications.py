"""The demo's credit department: under `[master_data] owner = "gateway"` the ERPs' pushes
create customers at zero credit, so before any order a sales rep files each customer's
new-customer credit application (seed 004 2.1.4) and the roles it names approve it."""

from __future__ import annotations

from collections import Counter

import httpx

from gateway.demo.desk import Desk


async def grant_credit(
    client: httpx.AsyncClient, desk: Desk, books: dict[str, list[dict[str, str]]]
) -> Counter[str]:
    """File and approve an application per customer the ERP books give credit; returns
    counts of what happened (applied, refused with the gateway's code)."""
    done: Counter[str] = Counter()
    for customers in books.values():
        for c in customers:
            if float(c["credit_limit"]) <= 0 or c["grade"] == "D":
                continue  # cash customers: no application, zero credit
            r = await client.post(
                f"{desk.gateway}/v1/credit-applications",
                headers=desk.headers("sales"),
                json={
                    "customer_id": c["customer_id"],
                    "kind": "new",
                    "name": c["name"],
                    "credit_limit": c["credit_limit"],
                    "currency": c["currency"],
                    "payment_terms_days": c["payment_terms_days"],
                    "grade": c["grade"],
                    "justification": "demo: the ERP's approved terms, after 3 months' cash trading",
                },
            )
            if r.status_code != 201:
                done[r.json().get("error", {}).get("code", str(r.status_code))] += 1
                continue
            application = r.json()
            for role in application["required_roles"]:
                await client.post(
                    f"{desk.gateway}/v1/credit-applications/"
                    f"{application['application_id']}/approve",
                    headers=desk.headers(role),
                    json={"comment": f"demo: approved by the {role.replace('_', ' ')}"},
                )
            final = await client.get(
                f"{desk.gateway}/v1/credit-applications/{application['application_id']}",
                headers=desk.headers("admin"),
            )
            done[final.json().get("status", "unknown")] += 1
    return done
