"""The credit controller's console: the release button, the archive and its CSV, and
a rejection's reason shown to the requester (DESIGN.md §3b)."""

from __future__ import annotations

import csv
import io

from tests.gateway.conftest import Api
from tests.gateway.test_release import file, held_request
from tests.support.console import csrf, sign_in


def test_the_controller_releases_by_button_and_files_it(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = held_request(api, "O1", "12000.00")
    sign_in(api, "credit_controller")
    page = api.client.get(f"/console/requests/{rid}")
    assert page.status_code == 200 and 'id="release"' in page.text
    forged = api.client.post(f"/console/requests/{rid}/release", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["status"] == "approved"
    done = api.client.post(f"/console/requests/{rid}/release", data={"csrf": csrf(page.text)})
    assert done.status_code == 200 and 'id="release-info"' in done.text
    assert 'id="release"' not in done.text
    view = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    assert (view["status"], view["released_by"]) == ("released", "credit_controller")
    assert api.check("O1", "12000.00").json()["outcome"] == "release"
    # The archive, as a page and as CSV.
    archive = api.client.get("/console/requests?status=released&day_from=2026-11-22")
    assert rid[:8] in archive.text
    assert rid[:8] not in api.client.get("/console/requests?status=released&day_to=2026-11-21").text
    exported = api.client.get("/console/requests?status=released&fmt=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["request_id"] for r in rows] == [rid]
    assert rows[0]["release_order_amount"] == "12000.00"


def test_only_the_controller_sees_and_uses_the_button(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = held_request(api, "O1", "12000.00")
    sign_in(api, "finance_manager")
    page = api.client.get(f"/console/requests/{rid}")
    assert 'id="release"' not in page.text
    r = api.client.post(f"/console/requests/{rid}/release", data={"csrf": csrf(page.text)})
    assert r.status_code == 403
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["status"] == "approved"


def test_a_console_rejection_needs_a_reason_which_the_rep_sees(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = file(api, api.check("O1", "12000.00").json()["decision_id"])["request_id"]
    sign_in(api, "sales_manager")
    page = api.client.get(f"/console/requests/{rid}")
    blank = api.client.post(
        f"/console/requests/{rid}/reject", data={"csrf": csrf(page.text), "comment": "  "}
    )
    assert blank.status_code == 422 and "needs a comment" in blank.text
    api.client.post(
        f"/console/requests/{rid}/reject", data={"csrf": csrf(page.text), "comment": "no plan"}
    )
    sign_in(api, "sales")
    mine = api.client.get(f"/console/requests/{rid}").text
    assert 'id="rejection"' in mine and "no plan" in mine and "sales_manager" in mine


def test_the_order_page_shows_what_would_release_it(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    api.check("O1", "12000.00")
    sign_in(api, "sales")
    page = api.client.get("/console/orders/sap/O1").text
    assert 'id="remedies"' in page
    assert "A smaller order: EUR 10,000.00" in page or "A smaller order: EUR 10000.00" in page
    assert "A deposit" in page
