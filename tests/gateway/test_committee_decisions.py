"""Issue 25 item 1b, DESIGN §3b "Portfolio and committee": the committee's decisions.

`POST /v1/reports/credit-committee/decisions` records a stop-shipment (a block that
lifts itself once the overdue is paid), a term change or an extension; the report shows
a month's decisions and the month before's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import KEYS, START, Api, FakeClock
from tests.gateway.test_sync import FakeErp, sync
from tests.gateway.test_sync import customer as sync_customer
from tests.gateway.test_sync import invoice as sync_invoice

TODAY = START.date()  # 2026-11-22
URL = "/v1/reports/credit-committee/decisions"


def item(item_id: str, amount: str, days_overdue: int) -> Any:
    due = (TODAY - timedelta(days=days_overdue)).isoformat()
    return {"item_id": item_id, "kind": "invoice", "amount": amount, "currency": "EUR",
            "due_date": due}  # fmt: skip


def decide(api: Api, who: str = "finance_manager", **fields: Any) -> Any:
    body = {"customer_id": "C100", "month": "2026-11", "kind": "stop_shipments",
            "note": "30 days overdue, no answer to reminders"}  # fmt: skip
    body.update(fields)
    return api.post(URL, {k: v for k, v in body.items() if v is not None}, who=who)


def blocked(api: Api, cid: str = "C100") -> bool:
    r = api.get("/v1/reports/credit-committee?month=2026-11", who="admin")
    assert r.status_code == 200, r.text
    flag: bool = next(c for c in r.json()["customers"] if c["customer_id"] == cid)["blocked"]
    return flag


def csv_report(api: Api, month: str) -> Any:
    auth = {"Authorization": "Bearer " + KEYS["finance_manager"]}
    r = api.client.get(
        f"/v1/reports/credit-committee?month={month}", headers={**auth, "Accept": "text/csv"}
    )
    assert r.status_code == 200, r.text
    return r


def events(api: Api, kind: str) -> list[dict[str, Any]]:
    r = api.get(f"/v1/audit?customer_id=C100&kind={kind}", who="admin")
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["events"]
    return found


@pytest.mark.parametrize("kind", ["stop_shipments", "term_change", "extension"])
def test_each_kind_is_recorded_and_listed(api: Api, kind: str) -> None:
    api.customer("C100")
    until = "2026-12-31" if kind == "extension" else None
    r = decide(api, kind=kind, note="decided in the November meeting", until=until)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["customer_id"], body["month"], body["kind"]) == ("C100", "2026-11", kind)
    assert (body["note"], body["until"], body["lifted_at"]) == (
        "decided in the November meeting",
        until,
        None,
    )
    assert body["decided_by"] and body["role"] == "finance_manager"
    listed = api.get(f"{URL}?month=2026-11", who="cfo").json()
    assert listed["month"] == "2026-11"
    assert [d["decision_id"] for d in listed["decisions"]] == [body["decision_id"]]
    assert api.get(f"{URL}?month=2026-10", who="cfo").json()["decisions"] == []
    audited = events(api, "committee_decision")
    assert [(e["data"]["kind"], e["comment"]) for e in audited] == [
        (kind, "decided in the November meeting")
    ]
    assert blocked(api) is (kind == "stop_shipments")


def test_stop_shipments_blocks_until_the_overdue_is_paid(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    assert api.items("C100", [item("I1", "1000.00", 30)]).status_code == 200
    assert decide(api).status_code == 201
    changed = events(api, "master_data_changed")
    assert changed[-1]["data"]["source"] == "committee"
    assert changed[-1]["data"]["after"]["blocked"] is True
    held = api.check("4500000001", "500.00").json()
    assert held["outcome"] == "hold"
    assert "CUSTOMER_BLOCKED" in [r["code"] for r in held["reasons"]]
    # The ERP's master data does not undo the committee's stop.
    api.customer("C100", credit_limit="10000.00", blocked=False)
    assert blocked(api) is True
    # A snapshot still overdue: the block stands.
    r = api.items("C100", [item("I1", "400.00", 30)])
    assert (r.status_code, r.json()["released"]) == (200, [])
    assert events(api, "committee_block_lifted") == []
    # Paid: the block lifts and the held order releases in the same PUT.
    r = api.items("C100", [item("I2", "400.00", -10)])
    assert r.status_code == 200, r.text
    assert r.json()["released"] == ["sap/4500000001"]
    assert blocked(api) is False
    lifted = events(api, "committee_block_lifted")
    assert len(lifted) == 1
    changed = events(api, "master_data_changed")
    assert (changed[-1]["data"]["source"], changed[-1]["data"]["after"]["blocked"]) == (
        "committee",
        False,
    )
    listed = api.get(f"{URL}?month=2026-11", who="cfo").json()["decisions"]
    assert listed[0]["lifted_at"] is not None
    # Lifted once: master data may block or unblock again.
    api.customer("C100", blocked=True)
    api.customer("C100", blocked=False)
    assert blocked(api) is False


def test_a_customer_blocked_before_stays_blocked_when_the_stop_lifts(api: Api) -> None:
    api.customer("C100", blocked=True)  # the ERP's own block
    assert api.items("C100", [item("I1", "1000.00", 30)]).status_code == 200
    assert decide(api).status_code == 201
    assert api.items("C100", [item("I2", "1000.00", -5)]).status_code == 200
    assert blocked(api) is True
    lifted = events(api, "committee_block_lifted")
    assert [e["data"]["unblocked"] for e in lifted] == [False]
    assert api.get(f"{URL}?month=2026-11", who="cfo").json()["decisions"][0]["lifted_at"]
    api.customer("C100", blocked=False)  # the stop lifted: master data decides again
    assert blocked(api) is False


def test_overdue_within_the_grade_tolerance_counts_as_paid(api: Api) -> None:
    # The check's own reading: grade B's tolerance (config) decides what is overdue.
    api.customer("C100")
    assert decide(api).status_code == 201
    r = api.items("C100", [item("I1", "100.00", 0)])  # due today: not overdue
    assert r.status_code == 200
    assert blocked(api) is False


def test_report_lists_this_and_last_months_decisions(api: Api) -> None:
    api.customer("C100")
    api.customer("C200")
    assert decide(api, month="2026-10", kind="extension", note="60 days",
                  until="2026-12-31").status_code == 201  # fmt: skip
    assert decide(api, kind="term_change", note="net 60 to net 30").status_code == 201
    body = api.get("/v1/reports/credit-committee?month=2026-11", who="finance_manager").json()
    c100 = next(c for c in body["customers"] if c["customer_id"] == "C100")
    c200 = next(c for c in body["customers"] if c["customer_id"] == "C200")
    assert [d["kind"] for d in c100["decisions"]] == ["term_change"]
    assert [d["kind"] for d in c100["decisions_last_month"]] == ["extension"]
    assert c200["decisions"] == c200["decisions_last_month"] == []
    r = csv_report(api, "2026-11")
    rows = {row["customer_id"]: row for row in csv.DictReader(io.StringIO(r.text))}
    assert (rows["C100"]["decisions"], rows["C200"]["decisions"]) == ("term_change", "")
    october = csv_report(api, "2026-10")
    rows = {row["customer_id"]: row for row in csv.DictReader(io.StringIO(october.text))}
    assert rows["C100"]["decisions"] == "extension until 2026-12-31"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("finance_manager", 201),
        ("credit_controller", 201),
        ("cfo", 201),
        ("general_manager", 201),
        ("admin", 201),
        ("erp", 403),
        ("sales", 403),
        ("sales_manager", 403),
        (None, 401),
    ],
)
def test_roles(api: Api, who: str | None, status: int) -> None:
    api.customer("C100")
    r = decide(api, who=who, kind="term_change")  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    listed = api.get(f"{URL}?month=2026-11", who=who)  # type: ignore[arg-type]
    assert listed.status_code == (200 if status == 201 else status)


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"note": "   "}, 422, "COMMENT_REQUIRED"),
        ({"note": ""}, 422, "COMMENT_REQUIRED"),
        ({"kind": "term_change", "note": "\t"}, 422, "COMMENT_REQUIRED"),
        ({"kind": "write_off"}, 422, None),
        ({"month": "2026-13"}, 422, "INVALID_MONTH"),
        ({"month": "2026-12"}, 422, "INVALID_MONTH"),
        ({"month": "november"}, 422, None),
        ({"until": "31.12.2026", "kind": "extension"}, 422, None),
        ({"customer_id": "C999"}, 404, "CUSTOMER_NOT_FOUND"),
    ],
)
def test_bad_inputs(api: Api, fields: dict[str, Any], status: int, code: str | None) -> None:
    api.customer("C100")
    r = decide(api, **fields)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["error"]["code"] == code
    assert api.get(f"{URL}?month=2026-11", who="cfo").json()["decisions"] == []
    assert blocked(api) is False


def test_missing_note_is_comment_required(api: Api) -> None:
    api.customer("C100")
    body = {"customer_id": "C100", "month": "2026-11", "kind": "extension"}
    r = api.post(URL, body, who="finance_manager")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "COMMENT_REQUIRED")


def test_list_bad_month_is_422(api: Api) -> None:
    r = api.get(f"{URL}?month=2026-1", who="cfo")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "INVALID_MONTH")


def test_the_erp_sync_keeps_the_stop_until_paid_then_lifts_and_releases(
    settings: Settings, clock: FakeClock
) -> None:
    erp = FakeErp()
    erp.customers = {"S1": sync_customer()}
    late = {**sync_invoice("I1", "500.00"), "due_date": (TODAY - timedelta(days=30)).isoformat()}
    erp.items = {"S1": [late]}
    app = create_app(settings, clock=clock, sources={"sap": erp}, run_sync_loops=False)
    with TestClient(app) as client:
        api = Api(client)
        assert sync(api)["result"] == "success"
        assert decide(api, customer_id="S1").status_code == 201
        held = api.check("O1", "100.00", customer_id="S1").json()
        assert "CUSTOMER_BLOCKED" in [r["code"] for r in held["reasons"]]
        # Still overdue: the ERP's master data (blocked false) does not lift the stop.
        clock.advance(minutes=1)
        erp.as_of = "2026-11-22T09:01:00+00:00"
        assert sync(api)["released"] == []
        assert blocked(api, "S1") is True
        # Paid: lifted and released in the same sync.
        erp.items = {"S1": [sync_invoice("I2", "500.00")]}
        clock.advance(minutes=1)
        erp.as_of = "2026-11-22T09:02:00+00:00"
        assert sync(api)["released"] == ["sap/O1"]
        assert blocked(api, "S1") is False
        r = api.get("/v1/audit?customer_id=S1&kind=committee_block_lifted", who="admin")
        assert len(r.json()["events"]) == 1
