"""POST /v1/orders/check and cancel, point by point against the contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import Api, FakeClock


@pytest.fixture
def c100(api: Api) -> Api:
    api.customer("C100", credit_limit="10000.00")
    return api


def test_release_has_the_contract_shape(c100: Api) -> None:
    r = c100.check("O1", "2500.00")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "decision_id",
        "erp",
        "order_id",
        "revision",
        "customer_id",
        "outcome",
        "reasons",
        "warnings",
        "exposure",
        "remedies",  # §3b: what would release a hold; a release carries []
        "override",
        "decided_at",
    }
    assert (body["outcome"], body["reasons"], body["override"]) == ("release", [], None)
    assert body["remedies"] == []
    assert body["exposure"] == {
        "currency": "EUR",
        "credit_limit": "10000.00",
        "open_items": "0.00",
        "open_orders": "0.00",
        "order_amount": "2500.00",
        "total": "2500.00",
        "available": "10000.00",
        "over_limit": "0.00",
        "overdue_amount": "0.00",
        "oldest_overdue_days": 0,
        "balance_as_of": "2026-11-22T09:00:00+00:00",
    }


def test_hold_reports_reasons_and_figures(c100: Api) -> None:
    c100.check("O1", "7000.00")
    body = c100.check("O2", "3500.00").json()
    assert body["outcome"] == "hold"
    assert [r["code"] for r in body["reasons"]] == ["CREDIT_LIMIT_EXCEEDED"]
    assert "EUR 10500.00" in body["reasons"][0]["message"]
    e = body["exposure"]
    assert (e["open_orders"], e["total"], e["available"], e["over_limit"]) == (
        "7000.00",
        "10500.00",
        "3000.00",
        "500.00",
    )


def test_a_held_order_reserves_nothing(c100: Api) -> None:
    c100.check("O1", "20000.00")
    assert c100.check("O2", "10000.00").json()["outcome"] == "release"


def test_near_limit_warning(c100: Api) -> None:
    body = c100.check("O1", "9500.00").json()
    assert body["outcome"] == "release"
    assert [w["code"] for w in body["warnings"]] == ["LIMIT_NEARLY_USED"]


def test_unknown_customer_has_no_credit(api: Api) -> None:
    body = api.check("O1", "1.00", customer_id="GHOST").json()
    assert body["outcome"] == "hold"
    assert [r["code"] for r in body["reasons"]] == ["NO_CREDIT"]


def test_overdue_item_holds_after_tolerance(c100: Api, clock: FakeClock) -> None:
    c100.items(
        "C100",
        [
            {
                "item_id": "I1",
                "kind": "invoice",
                "amount": "300.00",
                "currency": "EUR",
                "due_date": "2026-11-14",
            }
        ],
    )
    assert c100.check("O1", "10.00").json()["outcome"] == "hold"  # 8 days > B's 7
    body = c100.check("O1", "10.00").json()
    assert body["exposure"]["overdue_amount"] == "300.00"
    assert body["exposure"]["oldest_overdue_days"] == 8


def test_stale_balance_holds(c100: Api, clock: FakeClock) -> None:
    clock.advance(hours=25)
    body = c100.check("O1", "10.00").json()
    assert [r["code"] for r in body["reasons"]] == ["BALANCE_STALE"]


def test_same_request_replays_the_stored_answer(c100: Api, clock: FakeClock) -> None:
    first = c100.check("O1", "6000.00")
    clock.advance(minutes=1)
    again = c100.check("O1", 6000)  # the same amount written as a number
    assert again.status_code == 200
    assert again.content == first.content
    exp = c100.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exp["open_orders"] == "6000.00"  # reserved once


def test_same_revision_different_payload_is_a_conflict(c100: Api) -> None:
    c100.check("O1", "100.00")
    r = c100.check("O1", "100.01")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"


def test_higher_revision_leaves_out_its_own_reservation(c100: Api) -> None:
    assert c100.check("O1", "6000.00").json()["outcome"] == "release"
    body = c100.check("O1", "9000.00", revision=2).json()
    assert body["outcome"] == "release"
    assert body["exposure"]["open_orders"] == "0.00"
    exp = c100.get("/v1/customers/C100/exposure").json()
    assert exp["exposure"]["open_orders"] == "9000.00"
    assert exp["orders"][0]["revision"] == 2


def test_a_held_revision_drops_the_earlier_reservation(c100: Api) -> None:
    c100.check("O1", "6000.00")
    assert c100.check("O1", "12000.00", revision=2).json()["outcome"] == "hold"
    assert c100.get("/v1/customers/C100/exposure").json()["exposure"]["open_orders"] == "0.00"


def test_lower_revision_is_stale(c100: Api) -> None:
    c100.check("O1", "100.00", revision=3)
    r = c100.check("O1", "100.00", revision=2)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "STALE_REVISION"


def test_cancel_frees_the_reservation_and_later_checks_conflict(c100: Api) -> None:
    c100.check("O1", "6000.00")
    r = c100.post("/v1/orders/sap/O1/cancel")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert c100.get("/v1/customers/C100/exposure").json()["exposure"]["open_orders"] == "0.00"
    r = c100.check("O1", "6000.00", revision=2)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "ORDER_CANCELLED"
    assert c100.post("/v1/orders/sap/O1/cancel").status_code == 200  # idempotent


def test_cancel_unknown_order_is_404(api: Api) -> None:
    r = api.post("/v1/orders/sap/NOPE/cancel")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "ORDER_NOT_FOUND"


def test_order_cannot_move_to_another_customer(c100: Api) -> None:
    c100.customer("C200")
    c100.check("O1", "10.00")
    r = c100.check("O1", "10.00", revision=2, customer_id="C200")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "CUSTOMER_MISMATCH"


def test_foreign_currency_is_converted(c100: Api) -> None:
    body = c100.check("O1", "1085.00", currency="USD").json()
    assert body["exposure"]["order_amount"] == "1000.00"
    assert body["exposure"]["currency"] == "EUR"


def test_unknown_currency_pair_is_422(c100: Api) -> None:
    r = c100.check("O1", "10.00", currency="SEK")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "UNSUPPORTED_CURRENCY"


def test_json_numbers_stay_exact(c100: Api) -> None:
    raw = (
        b'{"erp":"sap","order_id":"O1","revision":1,"customer_id":"C100",'
        b'"amount":1234.57,"currency":"EUR"}'
    )
    r = c100.client.post(
        "/v1/orders/check",
        content=raw,
        headers={
            "Authorization": "Bearer erp-key-0123456789abcdef",
            "Content-Type": "application/json",
        },
    )
    assert r.json()["exposure"]["order_amount"] == "1234.57"


@pytest.mark.parametrize(
    ("content_type", "status", "code"),
    [
        (None, 200, None),  # ERP clients that leave the header out are read as JSON
        ("application/json; charset=utf-8", 200, None),
        ("text/plain", 422, "MALFORMED_JSON"),
        ("application/x-www-form-urlencoded", 422, "MALFORMED_JSON"),
        ("application/vnd.erp+json", 200, None),
        ("text/x+json", 422, "MALFORMED_JSON"),
    ],
)
def test_a_check_is_read_as_json_unless_it_says_it_is_something_else(
    c100: Api, content_type: str | None, status: int, code: str | None
) -> None:
    headers = {"Authorization": "Bearer erp-key-0123456789abcdef"}
    if content_type:
        headers["Content-Type"] = content_type
    raw = (
        b'{"erp":"sap","order_id":"O1","revision":1,"customer_id":"C100",'
        b'"amount":"5.00","currency":"EUR"}'
    )
    r = c100.client.post("/v1/orders/check", content=raw, headers=headers)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["error"]["code"] == code
        assert "application/json" in r.json()["error"]["message"]
        # Nothing was recorded: the same order with other figures is a first check.
        headers["Content-Type"] = "application/json"
        again = c100.client.post(
            "/v1/orders/check", content=raw.replace(b"5.00", b"6.00"), headers=headers
        )
        assert again.status_code == 200
    else:
        assert r.json()["exposure"]["order_amount"] == "5.00"


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("amount", "0", "body.amount"),
        ("amount", "-5", "body.amount"),
        ("amount", "1000000000000.01", "body.amount"),
        ("amount", "10.005", "body.amount"),
        ("amount", "abc", "body.amount"),
        ("amount", "Infinity", "body.amount"),
        ("amount", True, "body.amount"),
        ("order_id", "X" * 65, "body.order_id"),
        ("order_id", "", "body.order_id"),
        ("order_id", "a/b", "body.order_id"),
        ("customer_id", "C" * 65, "body.customer_id"),
        ("revision", -1, "body.revision"),
        ("revision", "one", "body.revision"),
        ("revision", True, "body.revision"),  # not read as 1
        ("erp", "SAP PROD", "body.erp"),
        ("currency", "euro", "body.currency"),
    ],
)
def test_bad_check_input_is_422_and_writes_nothing(
    c100: Api, field: str, value: Any, path: str
) -> None:
    fields: dict[str, Any] = {"order_id": "O1", "amount": "10.00", field: value}
    r = c100.check(**fields)
    assert r.status_code == 422, r.text
    assert path in [d["field"] for d in r.json()["error"]["details"]]
    assert c100.get("/v1/customers/C100/exposure").json()["orders"] == []


def test_jpy_allows_no_decimals(c100: Api) -> None:
    assert c100.check("O1", "100.5", currency="JPY").status_code == 422
    assert c100.check("O1", "16200", currency="JPY").json()["exposure"]["order_amount"] == "100.00"


@pytest.mark.parametrize(
    "raw", [b"{bad json", b"[" * 100000, b'{"amount": 1' + b"0" * 5000 + b"}", b"null", b"[]"]
)
def test_malformed_bodies_are_4xx(c100: Api, raw: bytes) -> None:
    r = c100.client.post(
        "/v1/orders/check",
        content=raw,
        headers={
            "Authorization": "Bearer erp-key-0123456789abcdef",
            "Content-Type": "application/json",
        },
    )
    assert 400 <= r.status_code < 500
    assert r.json()["error"]["code"] in {"MALFORMED_JSON", "VALIDATION_ERROR"}


def test_oversized_body_is_413(c100: Api) -> None:
    r = c100.client.post(
        "/v1/orders/check",
        content=b" " * 2_000_000,
        headers={
            "Authorization": "Bearer erp-key-0123456789abcdef",
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    "path", ["/v1/orders/check", "/v1/adapters/sap/sales-orders", "/console/login"]
)
def test_an_oversized_body_without_a_length_is_one_413(c100: Api, path: str) -> None:
    # Chunked: no Content-Length to refuse up front, so the cap trips while a route,
    # or the check's way in (gateway.orders.fast_path), reads the body.
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 65_536

    r = c100.client.post(
        path,
        content=chunks(),
        headers={
            "Authorization": "Bearer erp-key-0123456789abcdef",
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_only_the_erp_role_checks(c100: Api) -> None:
    r = c100.post("/v1/orders/check", {"erp": "sap"}, who="sales")
    assert r.status_code == 403
    assert c100.post("/v1/orders/check", {"erp": "sap"}, who=None).status_code == 401


def test_forged_token_is_rejected_visibly(c100: Api) -> None:
    body = c100.check("O1", "20000.00", override_token="forged").json()
    assert body["outcome"] == "hold"
    assert [r["code"] for r in body["reasons"]] == ["CREDIT_LIMIT_EXCEEDED", "OVERRIDE_REJECTED"]


def test_a_token_never_takes_back_a_release_already_acknowledged(c100: Api) -> None:
    """A token releases a held order; sent with an order already released (a stale,
    used or forged one, after the exposure grew), it changes nothing: the ERP was told
    "release", so the release and its reservation stand, with the same decision id."""
    first = c100.check("O1", "6000.00")
    assert first.json()["outcome"] == "release"
    invoice = {"item_id": "I1", "kind": "invoice", "amount": "5000.00", "currency": "EUR"}
    assert c100.items("C100", [{**invoice, "due_date": "2026-12-31"}]).status_code == 200
    assert c100.check("O2", "6000.00").json()["outcome"] == "hold"  # a fresh check would hold
    again = c100.check("O1", "6000.00", override_token="stale-or-forged")
    assert again.status_code == 200
    assert again.content == first.content
    assert c100.check("O1", "6000.00").content == first.content
    exposure = c100.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exposure["open_orders"] == "6000.00"


def test_an_earlier_token_request_replays_its_answer_and_the_later_release_stands(
    c100: Api,
) -> None:
    """Held with a token that was rejected, then released by a payment (the ERP is
    notified): the exact earlier request replays its stored answer, as the contract
    says, and takes nothing back; without a token the order answers its release."""
    invoice = {"item_id": "I1", "kind": "invoice", "amount": "5000.00", "currency": "EUR"}
    assert c100.items("C100", [{**invoice, "due_date": "2026-12-31"}]).status_code == 200
    held = c100.check("O1", "6000.00", override_token="expired-or-forged")
    assert held.json()["outcome"] == "hold"
    paid = c100.items("C100", [], "2026-11-22T10:00:00+00:00")
    assert paid.json()["released"] == ["sap/O1"]
    assert c100.check("O1", "6000.00", override_token="expired-or-forged").content == held.content
    assert c100.check("O1", "6000.00").json()["outcome"] == "release"
    exposure = c100.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exposure["open_orders"] == "6000.00"


def test_replay_survives_a_restart(settings: Settings, clock: FakeClock) -> None:
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        api.customer()
        first = api.check("O1", "500.00")
    with TestClient(create_app(settings, clock=clock)) as client:
        again = Api(client).check("O1", "500.00")
    assert again.status_code == 200
    assert again.content == first.content


def test_metrics_count_decisions(c100: Api) -> None:
    c100.check("O1", "20000.00")
    text = c100.client.get("/metrics").text
    assert (
        'gateway_decisions_total{erp="sap",outcome="hold",reason="CREDIT_LIMIT_EXCEEDED"}' in text
    )
    assert "gateway_decision_duration_seconds_bucket" in text
    assert "C100" not in text and "O1" not in text


def test_health_and_readiness_need_no_key(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


def test_request_id_is_echoed(api: Api) -> None:
    r = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"


def test_open_items_changed_by_another_process_are_seen_at_once(
    settings: Settings, clock: FakeClock
) -> None:
    """Each app keeps open items in memory; a snapshot pushed to another must not go unseen."""
    item = {"kind": "invoice", "currency": "EUR", "due_date": "2026-12-31"}
    with (
        TestClient(create_app(settings, clock=clock)) as one,
        TestClient(create_app(settings, clock=clock)) as two,
    ):
        a, b = Api(one), Api(two)
        a.customer("C100", credit_limit="10000.00")
        assert a.items("C100", [{**item, "item_id": "I1", "amount": "1000.00"}]).status_code == 200
        first = a.check("O1", "100.00").json()  # `one` now holds C100's items in memory
        assert first["exposure"]["open_items"] == "1000.00"
        clock.advance(minutes=1)
        pushed = b.items(
            "C100",
            [{**item, "item_id": "I2", "amount": "9950.00"}],
            as_of=clock.now.isoformat(),
        )
        assert pushed.status_code == 200
        second = a.check("O2", "100.00").json()
    assert second["exposure"]["open_items"] == "9950.00"
    assert second["outcome"] == "hold"
    assert [r["code"] for r in second["reasons"]] == ["CREDIT_LIMIT_EXCEEDED"]


def test_request_ids_are_made_when_missing_or_unusable(api: Api) -> None:
    made = {api.client.get("/healthz").headers["x-request-id"] for _ in range(5)}
    bad = api.client.get("/healthz", headers={"X-Request-ID": "no spaces allowed"})
    made.add(bad.headers["x-request-id"])
    assert len(made) == 6
    assert all(len(rid) == 24 and rid.isalnum() for rid in made)


def test_the_running_app_keeps_the_cycle_collector_off_the_hot_path(api: Api) -> None:
    import gc

    assert gc.get_threshold()[0] == 20_000
    assert gc.get_freeze_count() > 0


def _request_id_here() -> str:
    from gateway.http import _new_request_id

    return _new_request_id()


def test_a_forked_worker_makes_request_ids_of_its_own() -> None:
    import multiprocessing

    mine = _request_id_here()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child = pool.apply(_request_id_here)
    assert child[:16] != mine[:16]
