"""The console's policy lab: a candidate replayed as a page, a chart and a CSV."""

from __future__ import annotations

from tests.gateway.conftest import Api
from tests.gateway.test_simulation import CURRENT, NO_LIMIT
from tests.support.console import csrf, sign_in


def test_the_lab_replays_a_candidate(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    held = api.check("O1", "12000.00").json()
    sign_in(api, "credit_controller")
    page = api.client.get("/console/policy-lab")
    assert page.status_code == 200 and 'name="config_toml"' in page.text
    assert "No <code>[shadow]</code> policy" in page.text
    token = csrf(page.text)
    form = {"csrf": token, "config_toml": NO_LIMIT, "since": "", "until": ""}
    r = api.client.post("/console/policy-lab", data={**form, "format": "html"})
    assert r.status_code == 200, r.text
    assert "1 hold to release" in r.text and "<svg" in r.text and "sap/O1" in r.text
    r = api.client.post("/console/policy-lab", data={**form, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("decision_id,") and lines[1].startswith(held["decision_id"])
    r = api.client.post("/console/policy-lab", data={**form, "config_toml": "[decision"})
    assert r.status_code == 422 and "not valid TOML" in r.text
    r = api.client.post(
        "/console/policy-lab", data={**form, "since": "2026-12-02", "until": "2026-12-01"}
    )
    assert r.status_code == 422
    r = api.client.post("/console/policy-lab", data={**form, "csrf": "forged"})
    assert r.status_code == 422 and "stale" in r.text


def test_the_lab_is_for_finance_and_credit_control(api: Api) -> None:
    sign_in(api, "sales")
    assert api.client.get("/console/policy-lab").status_code == 403
    assert "Policy lab" not in api.client.get("/console/held").text
    sign_in(api, "finance_manager")
    assert "Policy lab" in api.client.get("/console/held").text
    page = api.client.get("/console/policy-lab").text
    assert CURRENT.splitlines()[0] in page
