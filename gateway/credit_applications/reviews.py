"""The reviews due (seed 004 2.2: every customer reviewed once or twice a year)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway.customers import repository as customers_repo
from gateway.customers.service import account_of, balance_of, money_str
from gateway.orders.figures import exposure_json
from policies import GradePolicy, Policy, compute_exposure


def reviews_due(
    conn: Connection, policy: Policy, today: date, within_days: int
) -> list[dict[str, Any]]:
    """Customers whose review date is past, within the window, or missing; the most
    overdue first, missing ones last."""
    rows = customers_repo.customers_to_review(conn, today + timedelta(days=within_days))
    due = []
    for row in rows:
        account = account_of(row, today)
        grade = policy.grades.get(account.grade, GradePolicy())
        exposure = compute_exposure(
            account,
            balance_of(conn, row),
            Decimal(0),
            account.currency,
            grade.overdue_tolerance_days,
            today,
        )
        review = row.review_date
        due.append(
            {
                "customer_id": row.customer_id,
                "name": row.name,
                "review_date": review.isoformat() if review else None,
                "review_status": (
                    "missing" if review is None else "overdue" if review < today else "due"
                ),
                "days_overdue": (today - review).days if review and review < today else 0,
                "credit_limit": money_str(account.credit_limit, account.currency),
                "currency": account.currency,
                "grade": row.grade,
                "payment_terms_days": row.payment_terms_days,
                "blocked": bool(row.blocked),
                "exposure": exposure_json(exposure),
            }
        )
    return due
