"""Repositories hand out frozen records: typed fields named after the columns."""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, insert, select

from gateway.credit_applications.records import ApplicationApprovalRecord, ApplicationRecord
from gateway.credit_applications.repository import applications
from gateway.credit_applications.repository import approvals as application_approvals
from gateway.customers import repository as customers_repo
from gateway.customers.records import CustomerRecord, OpenItemRecord
from gateway.db.engine import build_engine, read_tx, write_tx
from gateway.db.migrate import migrate
from gateway.db.records import as_record, as_records
from gateway.groups import repository as groups_repo
from gateway.groups.records import GroupRecord
from gateway.orders import repository as orders_repo
from gateway.orders.records import DecisionRecord, OrderRecord
from gateway.unfreeze import repository as unfreeze_repo
from gateway.unfreeze.records import (
    ApprovalRecord,
    OverrideReleaseRecord,
    TokenRecord,
    UnfreezeRequestRecord,
    WatchRecord,
)

AT = datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=UTC)

# A record read by `select(table)` is built positionally only when its fields are the
# table's columns in order: a column added by a migration must be added here too.
WHOLE_ROWS: list[tuple[type[Any], Table]] = [
    (CustomerRecord, customers_repo.customers),
    (OpenItemRecord, customers_repo.open_items),
    (GroupRecord, groups_repo.groups),
    (UnfreezeRequestRecord, unfreeze_repo.requests),
    (ApprovalRecord, unfreeze_repo.approvals),
    (TokenRecord, unfreeze_repo.tokens),
    (WatchRecord, unfreeze_repo.watches),
    (OverrideReleaseRecord, unfreeze_repo.override_releases),
    (ApplicationRecord, applications),
    (ApplicationApprovalRecord, application_approvals),
    (OrderRecord, orders_repo.orders),
    (DecisionRecord, orders_repo.decisions),
]


@pytest.mark.parametrize(("record", "table"), WHOLE_ROWS, ids=lambda v: getattr(v, "name", ""))
def test_a_record_has_its_tables_columns_in_order(record: type[Any], table: Table) -> None:
    assert record.__match_args__ == tuple(c.key for c in table.columns)
    params = record.__dataclass_params__
    assert params.frozen and "__slots__" in vars(record)


def customer_values() -> dict[str, Any]:
    return {
        "customer_id": "C1",
        "name": "Acme",
        "credit_limit": Decimal("1000.5"),
        "currency": "EUR",
        "grade": "B",
        "payment_terms_days": 30,
        "blocked": False,
        "review_date": date(2027, 1, 31),
        "updated_at": AT,
        "reserved": Decimal("12.3400"),
        "payment_terms_basis": "month_end",
        "closing_day": 25,
        "intercompany": False,
    }


def test_repositories_read_records_with_typed_values(database_url: str) -> None:
    engine = build_engine(database_url)
    migrate(engine)
    with write_tx(engine) as conn:
        customers_repo.insert_customer(conn, customer_values())
    with read_tx(engine) as conn:
        by_core = conn.execute(select(customers_repo.customers)).one()
        fast = customers_repo.get_customer(conn, "C1", lock=True)
        listed = customers_repo.list_customers(conn)
        missing = customers_repo.get_customer(conn, "C2")
    engine.dispose()
    assert isinstance(fast, CustomerRecord) and missing is None
    assert listed == [fast]
    assert dataclasses.astuple(fast) == tuple(by_core)
    assert fast.credit_limit == Decimal("1000.5") and isinstance(fast.credit_limit, Decimal)
    assert fast.updated_at == AT and fast.review_date == date(2027, 1, 31)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.credit_limit = Decimal(0)  # type: ignore[misc]


def test_a_record_takes_columns_by_name_whatever_their_order() -> None:
    Row = namedtuple("Row", ["currency", "updated_at", "name", "credit_limit", "group_id"])
    record = as_record(GroupRecord, Row("EUR", AT, "G", Decimal(5), "G1"))
    assert record == GroupRecord("G1", "G", Decimal(5), "EUR", AT)
    rows = [Row("EUR", AT, "G", Decimal(5), "G1"), Row("USD", AT, "H", Decimal(6), "G2")]
    assert as_records(GroupRecord, rows) == [record, GroupRecord("G2", "H", Decimal(6), "USD", AT)]


def test_a_column_without_a_field_is_an_error_not_a_gap() -> None:
    Row = namedtuple("Row", ["group_id", "name", "credit_limit", "currency", "colour"])
    with pytest.raises(TypeError):
        as_record(GroupRecord, Row("G1", "G", Decimal(5), "EUR", "red"))
    Short = namedtuple("Short", ["group_id", "name"])
    with pytest.raises(TypeError):
        as_record(GroupRecord, Short("G1", "G"))


def test_core_rows_become_records_too(database_url: str) -> None:
    engine = build_engine(database_url)
    migrate(engine)
    with write_tx(engine) as conn:
        conn.execute(
            insert(groups_repo.groups).values(
                group_id="G1", name="G", credit_limit=Decimal(5), currency="EUR", updated_at=AT
            )
        )
    with read_tx(engine) as conn:
        row = conn.execute(select(groups_repo.groups)).one()
    engine.dispose()
    assert as_record(GroupRecord, row) == GroupRecord("G1", "G", Decimal("5.0000"), "EUR", AT)
