"""The portfolio: every customer's figures in the FX base currency, summed and ranked by
policies.portfolio. Reads only: `portfolio` and `portfolio_history` in a read
transaction of the unit of work given, the rest in the transaction given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway.config import LoadedConfig
from gateway.credit_applications.reviews import reviews_due
from gateway.customers.records import CustomerRecord
from gateway.customers.service import account_of, balance_of, money_str, open_items_of
from gateway.db.uow import UnitOfWork
from gateway.fx.cache import FxCache, current_rates
from gateway.portfolio import repository as repo
from policies import GradePolicy, Policy, compute_exposure
from policies.aging import aging_report
from policies.dso import complete_months
from policies.money import FxRates
from policies.portfolio import CustomerFigures, HeldOrder, Portfolio, Ranked, portfolio

REVIEW_WINDOW_DAYS = 30  # as GET /v1/reviews/due by default


@dataclass(frozen=True)
class PortfolioHistory:
    """The portfolio with what its charts need besides: every customer's figures with
    the sales of `months`, and the held orders."""

    view: dict[str, Any]
    figures: list[CustomerFigures]
    held: list[HeldOrder]


def current_portfolio(
    uow: UnitOfWork, config: LoadedConfig, rates: FxCache, today: date, now: datetime
) -> dict[str, Any]:
    """The portfolio (GET /v1/portfolio's answer) at today's rates. Raises
    UnsupportedCurrencyError when a customer's currency has no rate."""
    with uow.read() as conn:
        fx = rates.on(current_rates(conn, rates, config.policy.fx), today)
        return portfolio_view(conn, config.policy, fx, today, now, config.raw.reports.vat_factor)


def portfolio_history(
    uow: UnitOfWork,
    config: LoadedConfig,
    rates: FxCache,
    today: date,
    now: datetime,
    months: tuple[str, ...],
) -> PortfolioHistory:
    """The portfolio, the figures with the sales of `months`, and the held orders, read
    in one transaction at today's rates."""
    with uow.read() as conn:
        fx = rates.on(current_rates(conn, rates, config.policy.fx), today)
        view = portfolio_view(conn, config.policy, fx, today, now, config.raw.reports.vat_factor)
        figures = customer_figures(conn, config.policy, fx, today, months)
        return PortfolioHistory(view, figures, held(conn, fx))


def customer_figures(
    conn: Connection, policy: Policy, fx: FxRates, today: date, months: tuple[str, ...]
) -> list[CustomerFigures]:
    """Every customer's limit, exposure, aging and sales, converted into `fx.base` at
    `fx` (each figure converted, then rounded to the base currency's minor unit)."""
    sales = repo.sales_by_customer(conn, months)
    return [
        figures_of(conn, row, policy, fx, today, today, sales.get(row.customer_id, {}))
        for row in repo.all_customers(conn)
    ]


def figures_of(
    conn: Connection,
    row: CustomerRecord,
    policy: Policy,
    fx: FxRates,
    today: date,
    aging_day: date,
    sales: dict[str, Decimal],
) -> CustomerFigures:
    """One customer's figures in `fx.base`: limit and exposure as of `today`, its open
    items aged as of `aging_day`."""
    base, cur = fx.base, row.currency
    account = account_of(row, today)
    grade = policy.grades.get(account.grade, GradePolicy())
    exposure = compute_exposure(
        account, balance_of(conn, row), Decimal(0), cur, grade.overdue_tolerance_days, today
    )
    report = aging_report(open_items_of(conn, row), aging_day)

    def conv(values: dict[str, Any]) -> dict[str, Decimal]:
        return {k: fx.convert(Decimal(v), cur, base) for k, v in values.items()}

    return CustomerFigures(
        customer_id=row.customer_id,
        name=row.name,
        credit_limit=fx.convert(account.credit_limit, cur, base),
        exposure=fx.convert(exposure.total, cur, base),
        receivables=conv(report.receivables),
        notes=conv(report.notes),
        sales=conv(sales),
        intercompany=bool(row.intercompany),
    )


def held(conn: Connection, fx: FxRates) -> list[HeldOrder]:
    return [
        HeldOrder(fx.convert(r.amount, r.currency, fx.base), r.updated_at)
        for r in repo.held_orders(conn)
    ]


def portfolio_view(
    conn: Connection,
    policy: Policy,
    fx: FxRates,
    today: date,
    now: datetime,
    vat_factor: Decimal,
) -> dict[str, Any]:
    figures = customer_figures(conn, policy, fx, today, complete_months(today))
    result = portfolio(figures, held(conn, fx), today, now, vat_factor)
    due = reviews_due(conn, policy, today, REVIEW_WINDOW_DAYS)
    return portfolio_json(result, fx.base, today, due)


def _pct(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def portfolio_json(
    p: Portfolio, base: str, today: date, due: list[dict[str, Any]]
) -> dict[str, Any]:
    def m(amount: Decimal) -> str:
        return money_str(amount, base)

    def buckets(values: dict[str, Decimal]) -> dict[str, str]:
        return {label: m(amount) for label, amount in values.items()}

    def limit_entry(r: Ranked) -> dict[str, Any]:
        return {
            "customer_id": r.customer_id,
            "name": r.name,
            "credit_limit": m(r.credit_limit),
            "exposure": m(r.exposure),
            "utilization": _pct(r.utilization),
        }

    return {
        "as_of": today.isoformat(),
        "currency": base,
        "customers": p.customers,
        "credit_limit_total": m(p.credit_limit_total),
        "exposure_total": m(p.exposure_total),
        "aging": {
            "receivables": buckets(p.receivables),
            "notes": buckets(p.notes),
            "total": buckets(p.total),
        },
        "dso_days": float(p.dso_days) if p.dso_days is not None else None,
        "held_orders": {
            "count": p.held_count,
            "amount": m(p.held_amount),
            "oldest_hours": float(p.held_oldest_hours) if p.held_oldest_hours is not None else None,
        },
        "over_180": [
            {
                "customer_id": r.customer_id,
                "name": r.name,
                "amount": m(r.amount),
                "exposure": m(r.exposure),
            }
            for r in p.over_180
        ],
        "near_limit": [limit_entry(r) for r in p.near_limit],
        "reviews_due": [
            {
                "customer_id": d["customer_id"],
                "name": d["name"],
                "review_date": d["review_date"],
                "review_status": d["review_status"],
                "days_overdue": d["days_overdue"],
            }
            for d in due
        ],
        "top_exposures": [limit_entry(r) for r in p.top_exposures],
    }
