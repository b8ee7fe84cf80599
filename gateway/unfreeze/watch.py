"""What earlier releases leave to watch on a customer's next checks.

- A payment in transit (a controller's release with a bank reference): the snapshots
  must show the overdue cleared (within the request's tolerance) by the watch's
  `due_at`; a check that finds it cleared closes the watch, one after `due_at` that
  does not holds with PAYMENT_NOT_CONFIRMED.
- A repayment plan (a released request of condition repayment_plan): an installment
  past due while the open items have not fallen by the amounts due so far puts
  REPAYMENT_PLAN_BEHIND (or REPAYMENT_PLAN_BROKEN) on the customer's checks.
- An order's release by an override, for release validity.

Runs inside the check's transaction, which holds the customer's lock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from gateway.config import LoadedConfig
from gateway.db.fast import Read
from gateway.unfreeze import repository as repo
from gateway.unfreeze.records import UnfreezeRequestRecord
from policies import Exposure
from policies.release import (
    Installment,
    OverrideRelease,
    PlanAction,
    Validity,
    Watches,
    paid_overdue_met,
    plan_behind,
)

PAYMENT = "payment"
PLAN = "plan"


@dataclass(frozen=True)
class CustomerWatch:
    validity: Validity
    plan_action: PlanAction
    timezone: ZoneInfo

    def watches(
        self,
        conn: Connection,
        customer_id: str,
        exposure: Exposure,
        now: datetime,
        rows: Sequence[Any] | None = None,
    ) -> Watches:
        """`rows`: the customer's open watches if already read (`open_watches_read`)."""
        if rows is None:
            rows = repo.open_watches(conn, customer_id)
        if not rows:
            return Watches()
        today = now.astimezone(self.timezone).date()
        unconfirmed: list[str] = []
        behind: list[str] = []
        for row in rows:
            data = json.loads(row.data)
            if row.kind == PAYMENT:
                if paid_overdue_met(exposure.overdue_amount, Decimal(data["tolerance"])):
                    repo.close_watch(conn, row.watch_id, now)
                elif row.due_at is not None and now > row.due_at:
                    unconfirmed.append(str(data["bank_reference"]))
            elif row.kind == PLAN and _plan_behind(data, exposure, today):
                behind.append(row.request_id)
        return Watches(tuple(unconfirmed), tuple(behind), self.plan_action)

    def open_watches_read(self, customer_id: str) -> Read:
        return repo.open_watches_read(customer_id)

    def override_release(self, conn: Connection, erp: str, order_id: str) -> OverrideRelease | None:
        row = repo.get_override_release(conn, erp, order_id)
        if row is None:
            return None
        return OverrideRelease(
            row.request_id,
            tuple(json.loads(row.approved_by)),
            row.released_at,
            row.amount,
            row.overdue_figure,
        )


def _plan_behind(data: dict[str, Any], exposure: Exposure, today: date) -> bool:
    plan = tuple(
        Installment(date.fromisoformat(i["due_date"]), Decimal(i["amount"])) for i in data["plan"]
    )
    return plan_behind(plan, Decimal(data["open_items_at_filing"]), exposure.open_items, today)


def watch_plan(conn: Connection, row: UnfreezeRequestRecord, now: datetime) -> None:
    """A released request of condition repayment_plan: its installments are tracked."""
    if row.condition != "repayment_plan" or not row.repayment_plan:
        return
    figures = json.loads(row.figures)
    repo.insert_watch(
        conn,
        {
            "watch_id": str(uuid.uuid4()),
            "customer_id": row.customer_id,
            "kind": PLAN,
            "request_id": row.request_id,
            "data": json.dumps(
                {
                    "plan": json.loads(row.repayment_plan),
                    "open_items_at_filing": figures["open_items"],
                }
            ),
            "due_at": None,
            "status": "open",
            "created_at": now,
        },
    )


def watch_payment(
    conn: Connection,
    row: UnfreezeRequestRecord,
    bank_reference: str,
    tolerance: Decimal,
    due_at: datetime,
    now: datetime,
) -> None:
    repo.insert_watch(
        conn,
        {
            "watch_id": str(uuid.uuid4()),
            "customer_id": row.customer_id,
            "kind": PAYMENT,
            "request_id": row.request_id,
            "data": json.dumps({"bank_reference": bank_reference, "tolerance": str(tolerance)}),
            "due_at": due_at,
            "status": "open",
            "created_at": now,
        },
    )


def record_override_release(
    conn: Connection,
    request: UnfreezeRequestRecord,
    approved_by: tuple[str, ...],
    amount: Decimal,
    now: datetime,
) -> None:
    """The order was released by an override (token or controller)."""
    figures = json.loads(request.figures)
    repo.put_override_release(
        conn,
        {
            "erp": request.erp,
            "order_id": request.order_id,
            "request_id": request.request_id,
            "customer_id": request.customer_id,
            "amount": amount,
            "overdue_figure": Decimal(figures["overdue_amount"]),
            "approved_by": json.dumps(list(approved_by)),
            "released_at": now,
        },
    )


def customer_watch(config: LoadedConfig) -> CustomerWatch:
    section = config.raw.release_validity
    return CustomerWatch(
        Validity(section.days, section.deviation_percent),
        PlanAction(config.raw.approval.repayment_plan_behind),
        config.timezone,
    )
