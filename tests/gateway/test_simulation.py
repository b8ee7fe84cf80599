"""Policy simulation (DESIGN §3b): recorded checks decided again, by API and CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from gateway import cli
from tests.gateway.conftest import ROOT, Api, FakeClock
from tests.gateway.test_unfreeze import approved_token

CURRENT = (ROOT / "config" / "gateway.toml").read_text()
# The shipped config with the credit_limit check taken out of [decision] checks.
NO_LIMIT = re.sub(r'"credit_limit",\s*', "", CURRENT)


def history(api: Api, clock: FakeClock) -> dict[str, list[str]]:
    """Checks of every kind; returns decision ids by what holds them."""
    api.customer("C1", credit_limit="10000.00")
    api.customer("C2", credit_limit="5000.00", blocked=True)
    api.customer("C3", credit_limit="8000.00", grade="C")
    api.items(
        "C3",
        [
            {
                "item_id": "INV-9",
                "kind": "invoice",
                "amount": "900.00",
                "currency": "EUR",
                "due_date": "2026-09-01",
                "order_id": "OLD-1",
            }
        ],
    )
    ids: dict[str, list[str]] = {"limit_only": [], "other": [], "release": []}

    def check(order_id: str, amount: str, cid: str, kind: str, **kw: Any) -> None:
        r = api.check(order_id, amount, customer_id=cid, **kw)
        assert r.status_code == 200, r.text
        body = r.json()
        codes = [x["code"] for x in body["reasons"]]
        assert (codes == ["CREDIT_LIMIT_EXCEEDED"]) == (kind == "limit_only"), (kind, codes)
        assert (body["outcome"] == "release") == (kind == "release"), (kind, body)
        ids[kind].append(body["decision_id"])

    check("O1", "8000.00", "C1", "release")
    check("O2", "5000.00", "C1", "limit_only")
    clock.advance(hours=2)
    check("O3", "2500.00", "C1", "limit_only")
    check("O2", "1500.00", "C1", "release", revision=2)
    check("O4", "100.00", "C2", "other")  # blocked
    check("O5", "9000.00", "C2", "other")  # blocked and over the limit
    check("O6", "100.00", "C3", "other")  # overdue
    check("O7", "9900.00", "C3", "other")  # overdue and over the limit
    check("O8", "10.00", "C-UNKNOWN", "other")
    return ids


def simulate_api(api: Api, config: str, who: str = "credit_controller", **kw: Any) -> Any:
    return api.post("/v1/simulations", {"config_toml": config, **kw}, who=who)


def test_the_running_config_reproduces_every_decision(api: Api, clock: FakeClock) -> None:
    ids = history(api, clock)
    r = simulate_api(api, CURRENT)
    assert r.status_code == 200, r.text
    report = r.json()
    total = sum(len(v) for v in ids.values())
    assert report["replayed"] == report["unchanged"] == total
    assert (report["release_to_hold"], report["hold_to_release"]) == (0, 0)
    assert report["by_reason"] == {} and report["samples"] == []


def test_without_the_limit_check_exactly_the_limit_only_holds_flip(
    api: Api, clock: FakeClock
) -> None:
    ids = history(api, clock)
    report = simulate_api(api, NO_LIMIT, who="finance_manager").json()
    assert report["hold_to_release"] == len(ids["limit_only"]) == 2
    assert report["release_to_hold"] == 0
    assert {s["decision_id"] for s in report["samples"]} == set(ids["limit_only"])
    assert report["by_reason"] == {"CREDIT_LIMIT_EXCEEDED": 2}
    assert report["amount_to_release"] == "7500.00"
    assert report["amount_to_hold"] == "0.00"
    assert report["by_grade"]["B"]["hold_to_release"] == 2
    assert report["top_customers"][0]["customer_id"] == "C1"
    # Held orders reserved nothing and were never invoiced.
    assert report["outcomes"]["hold_to_release"]["not_invoiced"]["count"] == 2


def test_the_window_limits_the_replay(api: Api, clock: FakeClock) -> None:
    history(api, clock)
    report = simulate_api(api, NO_LIMIT, since="2026-11-23").json()
    assert report["replayed"] == 0
    report = simulate_api(api, NO_LIMIT, since="2026-11-22", until="2026-11-22").json()
    assert report["hold_to_release"] == 2


def test_override_releases_are_replayed_apart(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    held = api.check("O1", "12000.00").json()
    _, token = approved_token(api, held["decision_id"])
    released = api.check("O1", "12000.00", override_token=token).json()
    assert released["outcome"] == "release" and released["override"] is not None
    report = simulate_api(api, CURRENT).json()
    assert report["replayed"] == 2 and report["unchanged"] == 1
    assert report["overridden"] == {"count": 1, "would_hold": 1, "would_release": 0}
    report = simulate_api(api, NO_LIMIT).json()
    assert report["hold_to_release"] == 1  # the first check; the override stays apart
    assert report["overridden"]["would_release"] == 1


def test_a_rejected_token_is_replayed_as_rejected(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    api.check("O1", "12000.00")
    r = api.check("O1", "12000.00", override_token="not-a-token")
    assert [x["code"] for x in r.json()["reasons"]][-1] == "OVERRIDE_REJECTED"
    report = simulate_api(api, CURRENT).json()
    assert report["unchanged"] == report["replayed"] == 2


def test_what_became_of_flipped_orders(api: Api, clock: FakeClock) -> None:
    api.customer("C1", credit_limit="10000.00")
    assert api.check("P1", "6000.00", customer_id="C1").json()["outcome"] == "release"
    assert api.check("P2", "3000.00", customer_id="C1").json()["outcome"] == "release"
    invoice = {"kind": "invoice", "currency": "EUR", "due_date": "2026-11-30"}
    api.items(
        "C1",
        [
            {"item_id": "I1", "amount": "6000.00", "order_id": "P1", **invoice},
            {"item_id": "I2", "amount": "3000.00", "order_id": "P2", **invoice},
        ],
        as_of="2026-11-23T09:00:00+00:00",
    )
    # P1 paid on time; P2 paid 10 days late.
    api.items(
        "C1",
        [{"item_id": "I2", "amount": "3000.00", "order_id": "P2", **invoice}],
        as_of="2026-11-29T09:00:00+00:00",
    )
    api.items("C1", [], as_of="2026-12-10T09:00:00+00:00")
    strict = CURRENT.replace('max_order_value = "500000.00"', 'max_order_value = "1000.00"')
    report = simulate_api(api, strict).json()
    assert report["release_to_hold"] == 2
    assert report["amount_to_hold"] == "9000.00"
    seen = report["outcomes"]["release_to_hold"]
    assert seen["invoiced"] == {"count": 2, "amount": "9000.00"}
    assert seen["paid_on_time"] == {"count": 1, "amount": "6000.00"}
    assert seen["paid_late"] == {"count": 1, "amount": "3000.00", "days_late": {"1-30": 1}}
    assert report["by_reason"] == {"ORDER_VALUE_EXCEEDED": 2}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"config_toml": "[decision\n"}, "INVALID_CONFIG"),
        ({"config_toml": '[decision]\nchecks = ["nope"]\n'}, "INVALID_CONFIG"),
        ({"config_toml": CURRENT, "since": "2026-12-02", "until": "2026-12-01"}, "INVALID_WINDOW"),
    ],
)
def test_invalid_candidates_are_refused(api: Api, body: dict[str, Any], code: str) -> None:
    r = api.post("/v1/simulations", body, who="admin")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code


def test_simulation_roles(api: Api) -> None:
    assert simulate_api(api, CURRENT, who="erp").status_code == 403
    assert simulate_api(api, CURRENT, who="sales").status_code == 403
    assert simulate_api(api, CURRENT, who=None).status_code == 401
    assert simulate_api(api, CURRENT, who="admin").status_code == 200


def run_cli(
    args: list[str], database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> tuple[int, str, str]:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", database_url)
    monkeypatch.setenv("GATEWAY_CONFIG", str(ROOT / "config" / "gateway.toml"))
    code = cli.main(["simulate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_current_and_a_candidate(
    api: Api,
    clock: FakeClock,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    ids = history(api, clock)
    capsys.readouterr()
    code, out, _ = run_cli(["--check-current", "--json"], database_url, monkeypatch, capsys)
    assert code == 0
    assert json.loads(out)["unchanged"] == sum(len(v) for v in ids.values())
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(NO_LIMIT)
    code, out, _ = run_cli(
        ["--config", str(candidate), "--json"], database_url, monkeypatch, capsys
    )
    assert code == 0
    report = json.loads(out)
    assert {s["decision_id"] for s in report["samples"]} == set(ids["limit_only"])
    code, out, _ = run_cli(["--config", str(candidate)], database_url, monkeypatch, capsys)
    assert code == 0 and "2 hold->release" in out
    candidate.write_text('[decision]\nchecks = ["nope"]\n')
    code, _, err = run_cli(["--config", str(candidate)], database_url, monkeypatch, capsys)
    assert code == 2 and "checks" in err
    code, _, err = run_cli([], database_url, monkeypatch, capsys)
    assert code == 2


def test_cli_check_current_fails_when_a_decision_differs(
    api: Api,
    clock: FakeClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    history(api, clock)
    engine = api.client.app.state.resources.engine  # type: ignore[attr-defined]
    from sqlalchemy import text

    from gateway.db.engine import write_tx

    with write_tx(engine) as conn:  # a record missing an input: its amount was another
        conn.execute(
            text(
                "UPDATE decisions SET inputs = REPLACE(inputs, '\"8000.00\"', '\"18000.00\"') "
                "WHERE order_id = 'O1'"
            )
        )
    capsys.readouterr()
    code, out, _ = run_cli(["--check-current"], database_url, monkeypatch, capsys)
    assert code == 1 and "DIFFERENT" in out


def test_a_record_missing_an_input_is_reported_not_a_crash(
    api: Api,
    clock: FakeClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    history(api, clock)
    engine = api.client.app.state.resources.engine  # type: ignore[attr-defined]
    from sqlalchemy import text

    from gateway.db.engine import write_tx

    with write_tx(engine) as conn:  # as if evaluate had gained an input after recording
        conn.execute(
            text(
                "UPDATE decisions SET inputs = REPLACE(inputs, '\"today\"', '\"day\"') "
                "WHERE order_id = 'O3'"
            )
        )
    report = simulate_api(api, CURRENT).json()
    assert report["unreplayable"] == 1
    assert report["unreplayable_samples"][0]["cause"].startswith("TypeError")
    assert report["replayed"] == report["unchanged"]
    capsys.readouterr()
    code, out, _ = run_cli(["--check-current"], database_url, monkeypatch, capsys)
    assert code == 1 and "could not be decided again" in out


def test_an_unchanged_snapshot_keeps_its_etag_and_one_copy(api: Api) -> None:
    api.customer("C1")
    item = {
        "item_id": "I1",
        "kind": "invoice",
        "amount": "10.00",
        "currency": "EUR",
        "due_date": "2026-12-31",
        "order_id": "P1",
    }
    engine = api.client.app.state.resources.engine  # type: ignore[attr-defined]
    from sqlalchemy import text

    def etag_and_copies() -> tuple[str, int]:
        with engine.connect() as conn:
            etag = conn.execute(text("SELECT items_etag FROM customers")).scalar_one()
            copies = conn.execute(text("SELECT COUNT(*) FROM item_snapshots")).scalar_one()
        return etag, copies

    api.items("C1", [item], as_of="2026-11-22T09:00:00+00:00")
    first = etag_and_copies()
    api.items("C1", [item], as_of="2026-11-22T10:00:00+00:00")
    assert etag_and_copies() == first
    api.items("C1", [{**item, "amount": "11.00"}], as_of="2026-11-22T11:00:00+00:00")
    etag, copies = etag_and_copies()
    assert etag != first[0] and copies == first[1] + 1
    with engine.connect() as conn:
        seen = conn.execute(text("SELECT first_seen, last_seen FROM invoice_sightings")).one()
    assert seen[0] < seen[1]  # followed through the unchanged snapshot too


def test_releases_by_validity_and_by_the_controller_are_replayed_apart(api: Api) -> None:
    """Every way out of a hold is an override the current config reproduces: a token's
    release, a later revision kept released by release validity, a controller's."""
    from tests.gateway.test_release import held_request, release

    api.customer("C100", credit_limit="10000.00")
    rid = held_request(api, "O1", "12000.00")
    token = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token"]
    assert api.check("O1", "12000.00", override_token=token).json()["outcome"] == "release"
    kept = api.check("O1", "11000.00", revision=2).json()
    assert kept["outcome"] == "release" and kept["override"]["valid_until"]
    rid2 = held_request(api, "O2", "3000.00")
    assert release(api, rid2).status_code == 200, "the controller releases O2"
    report = simulate_api(api, CURRENT).json()
    # O1 held, O1 by token, O1 rev 2 by validity, O2 held, O2 by the controller.
    assert report["replayed"] == 5
    assert report["unchanged"] == 2
    assert report["overridden"]["count"] == 3
    assert report["differences"] == []  # --check-current would pass
