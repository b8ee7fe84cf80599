"""The portfolio and committee pages: charts drawn by the server, the printable report,
its CSV, the roles, the Chinese titles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.gateway.conftest import START, Api
from tests.support.console import sign_in

TODAY = START.date()


def seed(api: Api) -> None:
    api.customer("C100", name="Muster GmbH", credit_limit="10000.00")
    api.customer("C200", name="Huang Trading", credit_limit="5000.00")
    due = (TODAY - timedelta(days=200)).isoformat()
    items = [
        {"item_id": "I1", "kind": "invoice", "amount": "9000.00", "currency": "EUR",
         "due_date": TODAY.isoformat()},
        {"item_id": "I2", "kind": "invoice", "amount": "400.00", "currency": "EUR",
         "due_date": due},
        {"item_id": "N1", "kind": "note", "amount": "250.00", "currency": "EUR", "due_date": due},
    ]  # fmt: skip
    assert api.items("C100", items).status_code == 200
    periods = [{"month": f"2026-{m:02d}", "amount": "10000.00"} for m in range(3, 11)]
    assert api.put("/v1/customers/C100/sales", {"periods": periods}).status_code == 200
    assert api.check("4500000001", "3000.00").json()["outcome"] == "hold"


def test_portfolio_page_draws_its_charts(api: Api) -> None:
    seed(api)
    sign_in(api, "finance_manager")
    r = api.client.get("/console/portfolio", headers={"Accept-Language": "en"})
    assert r.status_code == 200, r.text
    html = r.text
    for section in ("aging-chart", "dso-chart", "exposure-chart", "held-chart"):
        assert f'id="{section}"' in html
    assert html.count("<svg") == 4
    assert "cdn" not in html.lower() and "<script" not in html
    # The aging chart: a bar for each bucket and series; the over-180 figures shown.
    aging = html.split('id="aging-chart"')[1].split("</section>")[0]
    assert len(re.findall(r"<rect ", aging)) == 12
    assert "400.00" in aging and "250.00" in aging
    # The DSO line: six months, each with its point.
    dso = html.split('id="dso-chart"')[1].split("</section>")[0]
    assert dso.count("<circle") == 6 and "2026-10" in dso and "2026-05" in dso
    assert "Muster GmbH" in html  # over 180 days and near the limit
    assert 'href="/console/portfolio"' in html  # the nav link


def test_chinese_titles(api: Api) -> None:
    sign_in(api, "general_manager")
    html = api.client.get("/console/portfolio", headers={"Accept-Language": "zh-CN"}).text
    assert "<h2>应收账款及应收票据账龄分析</h2>" in html
    report = api.client.get(
        "/console/reports/credit-committee?month=2026-10", headers={"Accept-Language": "zh-CN"}
    ).text
    assert "信用委员会报告 2026-10" in report


@pytest.mark.parametrize("who", ["sales", "sales_manager"])
def test_other_roles_are_refused(api: Api, who: str) -> None:
    sign_in(api, who)
    assert api.client.get("/console/portfolio").status_code == 403
    assert api.client.get("/console/reports/credit-committee").status_code == 403
    assert 'href="/console/portfolio"' not in api.client.get("/console/held").text


def test_committee_page_is_printable_with_its_csv(api: Api) -> None:
    seed(api)
    sign_in(api, "cfo")
    r = api.client.get("/console/reports/credit-committee?month=2026-11")
    assert r.status_code == 200, r.text
    assert "@media print" in r.text
    assert 'href="/console/reports/credit-committee?month=2026-11&amp;format=csv"' in r.text
    assert "Muster GmbH" in r.text and "Huang Trading" in r.text
    # Without a month: the month before this one.
    assert "2026-10" in api.client.get("/console/reports/credit-committee").text
    csv = api.client.get("/console/reports/credit-committee?month=2026-11&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert len(lines) == 3 and lines[1].startswith("C100,Muster GmbH")


@pytest.mark.parametrize("month", ["2026-13", "garbage", "2030-01"])
def test_committee_page_with_a_bad_month(api: Api, month: str) -> None:
    sign_in(api, "finance_manager")
    r = api.client.get(f"/console/reports/credit-committee?month={month}")
    assert r.status_code == 422
    assert 'class="error"' in r.text


def test_a_currency_without_a_rate_shows_a_message(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.console import portfolio
    from policies.money import UnsupportedCurrencyError

    def no_rate(*_: object) -> None:
        raise UnsupportedCurrencyError("no rate")

    monkeypatch.setattr(portfolio, "_report", no_rate)
    monkeypatch.setattr(portfolio, "_portfolio_page", no_rate)
    sign_in(api, "admin")
    for path in ("/console/portfolio", "/console/reports/credit-committee?month=2026-10"):
        r = api.client.get(path)
        assert r.status_code == 409 and "Exchange rate missing" in r.text
