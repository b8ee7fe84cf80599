"""The credit committee's decisions (seed 004 §4.3; DESIGN §3b "Portfolio and committee").

Finance records, per customer and month, what the committee decided: stop shipments
until paid (the customer is blocked, with the committee's reason), a term change to
file, an extension. A stop-shipment lifts itself, audited, when a snapshot leaves the
customer nothing overdue (as the check computes it), before the held orders' second
look, so they may release in the same transaction. Here (in balances) because the
snapshot's writes call the lift; the report reads the decisions from here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from gateway import audit
from gateway.auth import Principal
from gateway.balances import master_data
from gateway.balances.committee_tables import CommitteeDecisionRow
from gateway.customers import repository as customers_repo
from gateway.customers.records import CustomerRecord
from gateway.customers.service import account_of, balance_of
from gateway.errors import InvalidInput, NotFound
from gateway.groups import repository as groups_repo
from gateway.ids import time_ordered_uuid
from gateway.orders.context import CheckContext
from policies import GradePolicy, compute_exposure
from policies.committee import DECISION_KINDS, STOP_SHIPMENTS, block_lifts

decisions = CommitteeDecisionRow.__table__  # type: ignore[attr-defined]
COMMITTEE_DECISION = "committee_decision"
COMMITTEE_BLOCK_LIFTED = "committee_block_lifted"


def decision_json(row: Any) -> dict[str, Any]:
    return {
        "decision_id": row.decision_id,
        "customer_id": row.customer_id,
        "month": row.month,
        "kind": row.kind,
        "note": row.note,
        "until": row.until.isoformat() if row.until else None,
        "decided_by": row.decided_by,
        "role": row.role,
        "decided_at": row.decided_at.isoformat(),
        "lifted_at": row.lifted_at.isoformat() if row.lifted_at else None,
    }


def record_decision(
    conn: Connection,
    *,
    customer_id: str,
    month: str,
    kind: str,
    note: str,
    until: date | None,
    who: Principal,
    now: datetime,
) -> dict[str, Any]:
    """Store one decision (a stop-shipment blocks the customer), audited."""
    if kind not in DECISION_KINDS:
        raise InvalidInput(
            f"kind must be one of {', '.join(DECISION_KINDS)}",
            code="INVALID_DECISION_KIND",
            details=[{"field": "body.kind", "message": "unknown kind"}],
        )
    if not note.strip():
        raise InvalidInput(
            "the committee's decision needs a note",
            code="COMMENT_REQUIRED",
            details=[{"field": "body.note", "message": "required"}],
        )
    # Locks in the checks' order: a member's credit group before the customer.
    groups_repo.lock_group_of(conn, customer_id)
    customer = customers_repo.get_customer(conn, customer_id, lock=True)
    if customer is None:
        raise NotFound(f"customer {customer_id} is unknown", code="CUSTOMER_NOT_FOUND")
    text = note.strip()
    values: dict[str, Any] = {
        "decision_id": str(time_ordered_uuid()),  # in the order recorded
        "customer_id": customer_id,
        "month": month,
        "kind": kind,
        "note": text,
        "until": until,
        "decided_by": who.name,
        "role": who.role.value,
        "decided_at": now,
        "was_blocked": bool(customer.blocked),
        "lifted_at": None,
    }
    conn.execute(insert(decisions).values(**values))
    if kind == STOP_SHIPMENTS and not customer.blocked:
        _set_blocked(
            conn,
            customer,
            True,
            principal=who.name,
            role=who.role.value,
            at=now,
            comment=text,
            extra={"committee_decision_id": values["decision_id"]},
        )
    out = decision_json(_Row(values))
    audit.append(
        conn,
        at=now,
        kind=COMMITTEE_DECISION,
        principal=who.name,
        role=who.role.value,
        customer_id=customer_id,
        comment=text,
        data={k: out[k] for k in ("decision_id", "month", "kind", "until")},
    )
    return out


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def decisions_of(conn: Connection, months: tuple[str, ...]) -> list[Any]:
    """The decisions of these months, oldest first (then by customer)."""
    return list(
        conn.execute(
            select(decisions)
            .where(decisions.c.month.in_(months))
            .order_by(decisions.c.decided_at, decisions.c.customer_id, decisions.c.decision_id)
        ).all()
    )


def _active_stops(conn: Connection, customer_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(decisions.c.decision_id, decisions.c.was_blocked).where(
                decisions.c.customer_id == customer_id,
                decisions.c.kind == STOP_SHIPMENTS,
                decisions.c.lifted_at.is_(None),
            )
        ).all()
    )


def stops_shipments(conn: Connection, customer_id: str) -> bool:
    """Whether a stop-shipment of the committee stands (master data may not unblock)."""
    return bool(_active_stops(conn, customer_id))


def lift_if_paid(conn: Connection, customer_id: str, ctx: CheckContext) -> bool:
    """Lift the committee's stop-shipment once nothing is overdue; True if lifted."""
    active = _active_stops(conn, customer_id)
    if not active:
        return False
    groups_repo.lock_group_of(conn, customer_id)  # the group before the customer
    customer = customers_repo.get_customer(conn, customer_id, lock=True)
    if customer is None:
        return False
    today = ctx.now.astimezone(ctx.timezone).date()
    account = account_of(customer, today)
    grade = ctx.policy.grades.get(account.grade, GradePolicy())
    exposure = compute_exposure(
        account,
        balance_of(conn, customer),
        0 * account.credit_limit,
        account.currency,
        grade.overdue_tolerance_days,
        today,
        grade.note_past_term_holds,
    )
    if not block_lifts(len(active), exposure.overdue_amount):
        return False
    ids = [r.decision_id for r in active]
    conn.execute(
        update(decisions).where(decisions.c.decision_id.in_(ids)).values(lifted_at=ctx.now)
    )
    ours = customer.blocked and not any(r.was_blocked for r in active)
    if ours:
        _set_blocked(
            conn,
            customer,
            False,
            principal="gateway",
            role="system",
            at=ctx.now,
            comment="overdue paid: the committee's stop-shipment lifts",
            extra={"committee_decision_ids": ids},
        )
    audit.append(
        conn,
        at=ctx.now,
        kind=COMMITTEE_BLOCK_LIFTED,
        principal="gateway",
        role="system",
        customer_id=customer_id,
        comment="overdue paid: the committee's stop-shipment lifts",
        data={"decision_ids": ids, "unblocked": bool(ours)},
    )
    return True


def _set_blocked(
    conn: Connection,
    customer: CustomerRecord,
    blocked: bool,
    *,
    principal: str,
    role: str,
    at: datetime,
    comment: str,
    extra: dict[str, Any],
) -> None:
    """Block or unblock the customer for the committee, audited as a master-data change
    (source `committee`) like any other change of its credit fields."""
    before = master_data.credit_fields(customer)
    customers_repo.update_customer(conn, customer.customer_id, {"blocked": blocked})
    master_data.record_change(
        conn,
        customer.customer_id,
        before,
        {**before, "blocked": blocked},
        principal=principal,
        role=role,
        source="committee",
        at=at,
        comment=comment,
        extra=extra,
    )
