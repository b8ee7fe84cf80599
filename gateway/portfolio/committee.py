"""The credit committee's monthly report (one entry per customer, read in a transaction of
the unit of work given) and its decisions (stored by `gateway.balances.committee`)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from gateway.auth import Principal
from gateway.balances.committee import decision_json, decisions_of, record_decision
from gateway.config import LoadedConfig
from gateway.customers.service import money_str
from gateway.db.uow import UnitOfWork
from gateway.fx.cache import FxCache, current_rates
from gateway.portfolio import repository as repo
from gateway.portfolio.service import figures_of
from policies import Policy
from policies.aging import LABELS
from policies.committee import Month, previous_month, report_day, review_due, summarize
from policies.dso import dso_days
from policies.money import FxRates

DSO_BASIS = "current_open_items"  # no month-end balances are kept: today's open items


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _months(month: Month) -> tuple[str, ...]:
    """The month and the 2 before it, as "YYYY-MM"."""
    y, m = month.first.year, month.first.month
    out = []
    for _ in range(3):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return tuple(out)


def report_for(
    uow: UnitOfWork, config: LoadedConfig, rates: FxCache, month: Month, today: date
) -> dict[str, Any]:
    """The month's report as the running config reads it, amounts at today's rates (the
    API's and the console's one way in). Raises UnsupportedCurrencyError when a
    customer's currency has no rate."""
    with uow.read() as conn:
        fx = rates.on(current_rates(conn, rates, config.policy.fx), today)
        return committee_report(
            conn, config.policy, fx, month, today, config.timezone, config.raw.reports.vat_factor
        )


def decide(
    uow: UnitOfWork,
    *,
    customer_id: str,
    month: Month,
    kind: str,
    note: str,
    until: date | None,
    who: Principal,
    now: datetime,
) -> dict[str, Any]:
    """Record what the committee decided for a customer in `month` (a stop-shipment
    blocks the customer), audited; answers the decision."""
    with uow.write() as conn:
        return record_decision(
            conn,
            customer_id=customer_id,
            month=month.label,
            kind=kind,
            note=note,
            until=until,
            who=who,
            now=now,
        )


def decisions(uow: UnitOfWork, month: Month) -> list[dict[str, Any]]:
    """The committee's decisions of `month`, oldest first."""
    with uow.read() as conn:
        return [decision_json(r) for r in decisions_of(conn, (month.label,))]


def committee_report(
    conn: Connection,
    policy: Policy,
    fx: FxRates,
    month: Month,
    today: date,
    tz: ZoneInfo,
    vat_factor: Decimal,
) -> dict[str, Any]:
    base = fx.base
    start, end = _utc(month.first, tz), _utc(month.next_first, tz)
    sales = repo.sales_by_customer(conn, _months(month))
    holds: dict[str, list[Decimal]] = {}
    for h in repo.holds_between(conn, start, end):
        holds.setdefault(h.customer_id, []).append(h.amount)
    unfreezes: dict[str, dict[str, Any]] = {}
    for u in repo.unfreezes_between(conn, start, end):
        entry = unfreezes.setdefault(
            u.customer_id, {"requested": 0, "released": 0, "released_amount": Decimal(0)}
        )
        if start <= u.created_at < end:
            entry["requested"] += 1
        if u.released_at is not None and start <= u.released_at < end:
            entry["released"] += 1
            entry["released_amount"] += u.amount
    day = report_day(month, today)
    last = previous_month(month).label
    decided: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for d in decisions_of(conn, (month.label, last)):
        decided.setdefault((d.customer_id, d.month), []).append(decision_json(d))

    def m(amount: Decimal) -> str:
        return money_str(amount, base)

    entries = []
    for row in repo.all_customers(conn):
        cid, cur = row.customer_id, row.currency
        f = figures_of(conn, row, policy, fx, today, day, sales.get(cid, {}))
        dso = dso_days(f.balance, f.sales, month.next_first, vat_factor)
        held = holds.get(cid, [])
        unf = unfreezes.get(cid, {"requested": 0, "released": 0, "released_amount": Decimal(0)})
        entries.append(
            {
                "customer_id": cid,
                "name": row.name,
                "credit_currency": cur,
                "credit_limit": m(f.credit_limit),
                "payment_terms_days": row.payment_terms_days,
                "payment_terms_basis": row.payment_terms_basis,
                "grade": row.grade,
                "blocked": bool(row.blocked),
                "intercompany": bool(row.intercompany),
                "exposure": m(f.exposure),
                "aging": {
                    "receivables": {k: m(v) for k, v in f.receivables.items()},
                    "notes": {k: m(v) for k, v in f.notes.items()},
                },
                "dso_days": float(dso) if dso is not None else None,
                "overdue_over_6_months": m(f.over_180),
                "holds": {
                    "count": len(held),
                    "amount": m(sum((fx.convert(a, cur, base) for a in held), Decimal(0))),
                },
                "unfreezes": {
                    "requested": unf["requested"],
                    "released": unf["released"],
                    "released_amount": m(fx.convert(unf["released_amount"], cur, base)),
                },
                "review_date": row.review_date.isoformat() if row.review_date else None,
                "review_due": review_due(row.review_date, month),
                "decisions": decided.get((cid, month.label), []),
                "decisions_last_month": decided.get((cid, last), []),
            }
        )
    return {
        "month": month.label,
        "as_of": today.isoformat(),
        "aging_as_of": day.isoformat(),
        "currency": base,
        "dso_basis": DSO_BASIS,
        "customers": entries,
    }


CSV_COLUMNS = (
    "customer_id",
    "name",
    "credit_currency",
    "credit_limit",
    "payment_terms_days",
    "payment_terms_basis",
    "grade",
    "blocked",
    "exposure",
    *(f"receivables_{label}" for label in LABELS),
    *(f"notes_{label}" for label in LABELS),
    "dso_days",
    "overdue_over_6_months",
    "holds_count",
    "holds_amount",
    "unfreezes_requested",
    "unfreezes_released",
    "unfreezes_released_amount",
    "review_date",
    "review_due",
    "decisions",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A cell a spreadsheet would run as a formula is quoted as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def report_csv(report: dict[str, Any]) -> str:
    """One row per customer; amounts in the report's currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in report["customers"]:
        flat = {
            **e,
            **{f"receivables_{k}": v for k, v in e["aging"]["receivables"].items()},
            **{f"notes_{k}": v for k, v in e["aging"]["notes"].items()},
            "holds_count": e["holds"]["count"],
            "holds_amount": e["holds"]["amount"],
            "unfreezes_requested": e["unfreezes"]["requested"],
            "unfreezes_released": e["unfreezes"]["released"],
            "unfreezes_released_amount": e["unfreezes"]["released_amount"],
            "decisions": summarize([(d["kind"], d["until"]) for d in e["decisions"]]),
        }
        writer.writerow([_cell(flat[c]) for c in CSV_COLUMNS])
    return out.getvalue()
