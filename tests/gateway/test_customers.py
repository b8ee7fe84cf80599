"""Master data, open-item snapshots and exposure, per the contract."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.conftest import START, Api, FakeClock


def inv(item_id: str, amount: str, due: str = "2026-12-31", **kw: Any) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "kind": "invoice",
        "amount": amount,
        "currency": "EUR",
        "due_date": due,
        **kw,
    }


def test_put_customer_returns_the_stored_record(api: Api) -> None:
    body = api.customer("C100", credit_limit=25000, review_date="2027-03-31")
    assert body == {
        "customer_id": "C100",
        "name": "Customer C100",
        "credit_limit": "25000.00",
        "currency": "EUR",
        "grade": "B",
        "payment_terms_days": 30,
        "blocked": False,
        "review_date": "2027-03-31",
        "payment_terms_basis": "invoice",
        "closing_day": None,
        "intercompany": False,
        "balance_as_of": START.isoformat(),
        "updated_at": START.isoformat(),
        "released": [],  # the held orders the change released (none held here)
    }


def test_upsert_updates_in_place(api: Api) -> None:
    api.customer("C100")
    assert api.customer("C100", blocked=True, grade="C")["blocked"] is True


@pytest.mark.parametrize(
    ("field", "value", "code", "path"),
    [
        ("credit_limit", "-1", "INVALID_AMOUNT", "body.credit_limit"),
        ("credit_limit", "10.001", "INVALID_AMOUNT", "body.credit_limit"),
        ("credit_limit", "1e13", "INVALID_AMOUNT", "body.credit_limit"),
        ("credit_limit", "NaN", "INVALID_AMOUNT", "body.credit_limit"),
        ("credit_limit", "10000000000000", "INVALID_AMOUNT", "body.credit_limit"),
        ("grade", "E", "VALIDATION_ERROR", "body.grade"),
        ("currency", "XXX", "UNSUPPORTED_CURRENCY", "body.currency"),
        ("currency", "eur", "VALIDATION_ERROR", "body.currency"),
        ("payment_terms_days", -5, "VALIDATION_ERROR", "body.payment_terms_days"),
        ("payment_terms_days", True, "VALIDATION_ERROR", "body.payment_terms_days"),
        ("name", "", "VALIDATION_ERROR", "body.name"),
        ("review_date", "2026-02-30", "VALIDATION_ERROR", "body.review_date"),
        ("surprise", 1, "VALIDATION_ERROR", "body.surprise"),
    ],
)
def test_invalid_master_data_is_a_422_naming_the_field(
    api: Api, field: str, value: Any, code: str, path: str
) -> None:
    body = {
        "name": "X",
        "credit_limit": "100.00",
        "currency": "EUR",
        "grade": "A",
        "payment_terms_days": 30,
        field: value,
    }
    r = api.put("/v1/customers/C9", body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == code
    assert path in [d["field"] for d in err["details"]]
    assert api.get("/v1/customers/C9/exposure").status_code == 404  # nothing written


def test_customer_id_is_bounded(api: Api) -> None:
    body = {
        "name": "X",
        "credit_limit": "1",
        "currency": "EUR",
        "grade": "A",
        "payment_terms_days": 1,
    }
    assert api.put("/v1/customers/" + "C" * 65, body).status_code == 422


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (None, 401, "UNAUTHENTICATED"),
        ("sales", 403, "FORBIDDEN_ROLE"),
        ("sales_manager", 403, "FORBIDDEN_ROLE"),
    ],
)
def test_master_data_needs_the_erp_or_admin_role(
    api: Api, who: str | None, status: int, code: str
) -> None:
    r = api.put(
        "/v1/customers/C1",
        {
            "name": "X",
            "credit_limit": "1",
            "currency": "EUR",
            "grade": "A",
            "payment_terms_days": 1,
        },
        who=who,
    )
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


def test_unknown_key_is_401(api: Api) -> None:
    r = api.client.get(
        "/v1/customers/C1/exposure", headers={"Authorization": "Bearer not-a-key-at-all-xxxxxxxx"}
    )
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "UNAUTHENTICATED"


def test_admin_may_write_master_data(api: Api) -> None:
    r = api.put(
        "/v1/customers/C1",
        {
            "name": "X",
            "credit_limit": "1",
            "currency": "EUR",
            "grade": "A",
            "payment_terms_days": 1,
        },
        who="admin",
    )
    assert r.status_code == 200


def test_snapshot_replaces_items_and_moves_balance_as_of(api: Api, clock: FakeClock) -> None:
    api.customer()
    clock.advance(minutes=5)
    as_of = "2026-11-22T09:03:00+00:00"
    assert api.items("C100", [inv("I1", "100.00"), inv("I2", "50.00")], as_of).status_code == 200
    assert api.items("C100", [inv("I3", "70.00")], as_of).status_code == 200
    exp = api.get("/v1/customers/C100/exposure").json()
    assert [i["item_id"] for i in exp["items"]] == ["I3"]
    assert exp["exposure"]["open_items"] == "70.00"
    assert exp["exposure"]["balance_as_of"] == as_of


def test_older_snapshot_is_ignored_with_409(api: Api) -> None:
    api.customer()
    api.items("C100", [inv("I1", "100.00")], "2026-11-22T09:00:00+00:00")
    r = api.items("C100", [], "2026-11-22T08:59:59+00:00")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "STALE_SNAPSHOT"
    assert api.get("/v1/customers/C100/exposure").json()["exposure"]["open_items"] == "100.00"


def test_snapshot_for_unknown_customer_is_404(api: Api) -> None:
    r = api.items("NOPE", [])
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"


@pytest.mark.parametrize(
    ("items", "code", "path"),
    [
        ([inv("I1", "1.00"), inv("I1", "2.00")], "DUPLICATE_ITEM", "body.items.1.item_id"),
        ([inv("I1", "0")], "INVALID_AMOUNT", "body.items.0.amount"),
        ([inv("I1", "1.001")], "INVALID_AMOUNT", "body.items.0.amount"),
        ([inv("I1", "1.00", currency="XYZ")], "UNSUPPORTED_CURRENCY", "body.items.0.currency"),
        ([{**inv("I1", "1.00"), "kind": "loan"}], "VALIDATION_ERROR", "body.items.0.kind"),
    ],
)
def test_bad_snapshots_change_nothing(api: Api, items: list[Any], code: str, path: str) -> None:
    api.customer()
    api.items("C100", [inv("KEEP", "5.00")])
    r = api.items("C100", items, "2026-11-22T10:00:00+00:00")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code
    assert path in [d["field"] for d in r.json()["error"]["details"]]
    exp = api.get("/v1/customers/C100/exposure").json()
    assert [i["item_id"] for i in exp["items"]] == ["KEEP"]


def test_naive_as_of_is_rejected(api: Api) -> None:
    api.customer()
    r = api.put("/v1/customers/C100/open-items", {"as_of": "2026-11-22T09:00:00", "items": []})
    assert r.status_code == 422


def test_foreign_currency_items_are_converted(api: Api) -> None:
    api.customer()
    api.items("C100", [inv("I1", "1085.00", currency="USD")])
    exp = api.get("/v1/customers/C100/exposure").json()
    assert exp["exposure"]["open_items"] == "1000.00"
    assert exp["items"][0]["amount"] == "1085.00"


def test_invoices_consume_the_reservation_for_good(api: Api) -> None:
    api.customer()
    assert api.check("O1", "4000.00").json()["outcome"] == "release"
    # A partial invoice for the order: the reservation shrinks by it.
    api.items(
        "C100", [inv("INV1", "1500.00", order_id="O1", erp="sap")], "2026-11-22T10:00:00+00:00"
    )
    exp = api.get("/v1/customers/C100/exposure").json()
    assert exp["exposure"]["open_orders"] == "2500.00"
    assert exp["exposure"]["open_items"] == "1500.00"
    # The same invoice again changes nothing.
    api.items("C100", [inv("INV1", "1500.00", order_id="O1")], "2026-11-22T11:00:00+00:00")
    assert api.get("/v1/customers/C100/exposure").json()["exposure"]["open_orders"] == "2500.00"
    # Paid: gone from the snapshot, and the reservation does not come back.
    api.items("C100", [], "2026-11-22T12:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert (exp["open_orders"], exp["open_items"]) == ("2500.00", "0.00")
    # The rest invoiced: nothing reserved any more.
    api.items("C100", [inv("INV2", "2500.00", order_id="O1")], "2026-11-22T13:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()
    assert exp["exposure"]["open_orders"] == "0.00"
    assert exp["orders"] == []


def test_an_invoice_for_an_order_id_two_erps_use_consumes_neither_until_it_names_one(
    api: Api,
) -> None:
    """Which order it invoices is unknown: both keep their reservation while the
    invoice counts too (exposure over, never under); naming the ERP settles it."""
    api.customer()
    assert api.check("1001", "5000.00", erp="sap").json()["outcome"] == "release"
    assert api.check("1001", "5000.00", erp="baan").json()["outcome"] == "release"
    api.items("C100", [inv("I1", "5000.00", order_id="1001")], "2026-11-22T10:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert (exp["open_orders"], exp["open_items"]) == ("10000.00", "5000.00")
    named = inv("I1", "5000.00", order_id="1001", erp="baan")
    api.items("C100", [named], "2026-11-22T11:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()
    assert exp["exposure"]["open_orders"] == "5000.00"
    assert [(o["erp"], o["order_id"]) for o in exp["orders"]] == [("sap", "1001")]


def test_an_invoice_without_its_erp_stays_with_the_order_it_consumed(api: Api) -> None:
    """Once consumed by the one order that had its id, an invoice stays with it, though
    a namesake of another ERP comes later; a cancelled namesake still makes the id
    ambiguous (consumed by none: over, never under)."""
    api.customer()
    assert api.check("1002", "3000.00", erp="baan").json()["outcome"] == "release"
    snapshot = [inv("I2", "3000.00", order_id="1002")]
    api.items("C100", snapshot, "2026-11-22T10:00:00+00:00")  # baan's, the only 1002
    assert api.check("1002", "4000.00", erp="sap").json()["outcome"] == "release"
    assert api.check("1002", "9000.00", erp="baan", revision=2).json()["outcome"] == "hold"
    api.items("C100", snapshot, "2026-11-22T11:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert (exp["open_orders"], exp["open_items"]) == ("4000.00", "3000.00")

    assert api.check("1001", "1000.00", erp="sap").json()["outcome"] == "release"
    assert api.check("1001", "500.00", erp="baan").json()["outcome"] == "release"
    assert api.post("/v1/orders/baan/1001/cancel").status_code == 200
    snapshot.append(inv("I1", "1000.00", order_id="1001"))
    api.items("C100", snapshot, "2026-11-22T12:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert (exp["open_orders"], exp["open_items"]) == ("5000.00", "4000.00")


def test_an_invoice_consumes_the_order_it_first_consumed_whatever_it_names_later(
    api: Api,
) -> None:
    """An invoice counted against one order is never counted against a second (exposure
    would be under): a later snapshot naming another ERP or order changes nothing, and
    the same invoice grown consumes more of its first order."""
    api.customer()
    assert api.check("1001", "3000.00", erp="sap").json()["outcome"] == "release"
    api.items("C100", [inv("I1", "1000.00", order_id="1001")], "2026-11-22T10:00:00+00:00")
    assert api.check("1001", "3000.00", erp="baan").json()["outcome"] == "release"
    assert api.check("2001", "500.00", erp="sap").json()["outcome"] == "release"
    renamed = [inv("I1", "1000.00", order_id="1001", erp="baan")]
    api.items("C100", renamed, "2026-11-22T11:00:00+00:00")
    api.items("C100", [inv("I1", "1000.00", order_id="2001")], "2026-11-22T12:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exp["open_orders"] == "5500.00"  # sap/1001 2000, baan/1001 3000, sap/2001 500
    api.items("C100", [inv("I1", "2000.00", order_id="1001")], "2026-11-22T13:00:00+00:00")
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exp["open_orders"] == "4500.00"  # sap/1001 1000


def test_credit_currency_cannot_change_under_exposure(api: Api) -> None:
    api.customer()
    api.check("O1", "100.00")
    r = api.put(
        "/v1/customers/C100",
        {
            "name": "X",
            "credit_limit": "1000",
            "currency": "USD",
            "grade": "B",
            "payment_terms_days": 30,
        },
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "CURRENCY_CHANGE_NOT_ALLOWED"


def test_credit_currency_cannot_change_under_invoiced_orders_or_open_approvals(
    api: Api,
) -> None:
    """What is invoiced of an order, and an approval's figures and token, are in the old
    currency: a new revision or a redeemed token would mix the two."""

    def change_to_jpy() -> Any:
        body = {"name": "X", "credit_limit": "3000000", "currency": "JPY", "grade": "A"}
        return api.put("/v1/customers/C100", {**body, "payment_terms_days": 30})

    api.customer(credit_limit="20000.00")
    assert api.check("O1", "4000.00").json()["outcome"] == "release"
    api.items("C100", [inv("I1", "4000.00", order_id="O1")], "2026-11-22T10:00:00+00:00")
    api.items("C100", [], "2026-11-22T11:00:00+00:00")  # paid: nothing reserved, no items
    r = change_to_jpy()
    assert (r.status_code, r.json()["error"]["code"]) == (409, "CURRENCY_CHANGE_NOT_ALLOWED")

    api.customer("C200", credit_limit="1000.00")
    held = api.check("O2", "5000.00", customer_id="C200").json()
    assert held["outcome"] == "hold"
    body = {"decision_id": held["decision_id"], "condition": "other", "justification": "ok"}
    assert api.post("/v1/unfreeze-requests", body, who="sales").status_code == 201
    body = {"name": "Y", "credit_limit": "3000000", "currency": "JPY", "grade": "A"}
    r = api.put("/v1/customers/C200", {**body, "payment_terms_days": 30})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "CURRENCY_CHANGE_NOT_ALLOWED")
    pending = api.get("/v1/unfreeze-requests", who="admin").json()["requests"][0]
    rid = pending["request_id"]
    for role in pending["required_roles"]:
        r = api.post(f"/v1/unfreeze-requests/{rid}/approve", {"comment": "ok"}, who=role)
        assert r.status_code == 200, r.text
    assert r.json()["token_status"] == "issued"
    r = api.put("/v1/customers/C200", {**body, "payment_terms_days": 30})  # a token issued
    assert (r.status_code, r.json()["error"]["code"]) == (409, "CURRENCY_CHANGE_NOT_ALLOWED")


def test_exposure_of_unknown_customer_is_404(api: Api) -> None:
    r = api.get("/v1/customers/NOPE/exposure")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"
