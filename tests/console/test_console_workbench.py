"""The held-orders workbench: every held order reachable (paged, with a total), sorted
and searched on the server, its state in the URL, the rep's own requests first."""

from __future__ import annotations

import re

from tests.gateway.conftest import Api
from tests.support.console import sign_in


def hold_many(api: Api, n: int) -> None:
    api.customer("C100", name="Muster GmbH", credit_limit="100.00")
    api.customer("C200", name="Acme Trading", credit_limit="100.00")
    for k in range(n):
        customer = "C200" if k % 10 == 0 else "C100"
        r = api.check(f"45{k:05d}", f"{1000 + k}.00", customer_id=customer)
        assert r.json()["outcome"] == "hold"


def order_ids(html: str) -> list[str]:
    return re.findall(r'href="/console/orders/sap/(\w+)"', html)


def test_every_held_order_is_reachable_page_by_page_with_a_total(api: Api) -> None:
    hold_many(api, 120)
    sign_in(api, "finance_manager")
    first = api.client.get("/console/held").text
    assert "1-50 of 120 held orders" in first
    assert len(order_ids(first)) == 50
    assert order_ids(first)[0] == "4500119"  # newest first
    last = api.client.get("/console/held?page=3").text
    assert "101-120 of 120 held orders" in last and len(order_ids(last)) == 20
    seen = {i for p in (1, 2, 3) for i in order_ids(api.client.get(f"/console/held?page={p}").text)}
    assert len(seen) == 120
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert api.client.get("/console/held?page=0").status_code == 422


def test_search_sort_and_filters_stay_in_the_url(api: Api) -> None:
    hold_many(api, 60)
    sign_in(api, "finance_manager")
    by_number = api.client.get("/console/held", params={"q": "4500017"}).text
    assert order_ids(by_number) == ["4500017"]
    by_name = api.client.get("/console/held", params={"q": "acme"}).text
    assert sorted(order_ids(by_name)) == [f"45000{k}0" for k in range(6)]
    assert "Acme Trading" in by_name
    largest = api.client.get("/console/held", params={"sort": "amount"}).text
    assert order_ids(largest)[:2] == ["4500059", "4500058"]
    oldest = api.client.get("/console/held", params={"sort": "oldest", "q": "muster"}).text
    assert order_ids(oldest)[0] == "4500001"
    # A wildcard typed in the search box is a character, not a pattern.
    assert order_ids(api.client.get("/console/held", params={"q": "%"}).text) == []
    reason = api.client.get("/console/held", params={"reason": "CREDIT_LIMIT_EXCEEDED"}).text
    assert "1-50 of 60 held orders" in reason
    # The next page's link keeps the filter and the sort.
    paged = api.client.get("/console/held", params={"q": "muster", "sort": "amount"}).text
    assert "1-50 of 54 held orders" in paged
    assert "q=muster" in paged and "sort=amount" in paged and "page=2" in paged
    assert order_ids(api.client.get("/console/held", params={"reason": "OVERDUE"}).text) == []


def test_a_reps_own_requests_come_first_with_their_status(api: Api) -> None:
    hold_many(api, 60)
    sign_in(api, "sales")
    decision = api.check("4500001", "1001.00").json()["decision_id"]  # its stored answer
    r = api.post(
        "/v1/unfreeze-requests",
        {"decision_id": decision, "condition": "other", "justification": "key account"},
        who="sales",
    )
    assert r.status_code == 201, r.text
    page = api.client.get("/console/held").text
    assert order_ids(page)[0] == "4500001"  # on page 1 though it is the oldest
    first_row = page.split('<tr class="mine">')[1].split("</tr>")[0]
    assert "Waiting for approval" in first_row and "yours" in first_row
