"""Credit applications in a real browser: a sales rep files one for a new customer (the
suggested limit and score shown as they type), the three approvers approve it from their
queues, finance sees the reviews due. Screenshots under test-artifacts/console/."""

from __future__ import annotations

from typing import Any

import httpx

from tests.console.test_console_browser import (  # noqa: F401  (fixtures)
    browser,
    gateway,
    shot,
    sign_in,
    sign_out,
)
from tests.gateway.conftest import KEYS
from tests.support.processes import ServerProcess

ADMIN = {"Authorization": f"Bearer {KEYS['admin']}"}


def test_a_new_customer_application_by_clicking(gateway: ServerProcess, browser: Any) -> None:  # noqa: F811
    url = gateway.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, url, "sales")
    with page.expect_navigation():
        page.get_by_role("link", name="Credit applications").click()
    with page.expect_navigation():
        page.get_by_role("link", name="New customer credit application").click()

    page.get_by_label("Customer id").fill("N1")
    page.get_by_label("Name").fill("Neu GmbH")
    page.get_by_label("Credit limit").fill("45000.00")
    page.get_by_label("Payment terms (days)").fill("30")
    page.get_by_label("Forecast monthly sales (VAT incl.)").fill("20000")
    assert page.locator("#suggested-limit").inner_text() == "EUR 40,000.00"
    page.get_by_label("Terms basis").select_option("month_end")
    assert page.locator("#suggested-limit").inner_text() == "EUR 60,000.00"
    page.get_by_label("Terms basis").select_option("invoice")
    page.get_by_label("Debt ratio (max 15)").fill("15")
    page.get_by_label("Payment history (max 15)").fill("14")
    assert page.locator("#score-total").inner_text() == "29 (grade D)"
    page.get_by_label("Justification").fill("three months of cash trading, all on time")

    # Bad input: points above a factor's maximum are refused, nothing is filed.
    page.get_by_label("Reputation (max 10)").fill("11")
    with page.expect_navigation():
        page.get_by_role("button", name="File application").click()
    assert "above its maximum" in page.locator("#form-error").inner_text()
    assert httpx.get(f"{url}/v1/credit-applications", headers=ADMIN).json() == {"applications": []}
    page.get_by_label("Reputation (max 10)").fill("10")
    with page.expect_navigation():
        page.get_by_role("button", name="File application").click()
    assert page.locator("#application-status").inner_text() == "Waiting for approval"
    assert page.locator("#warning-ABOVE_SUGGESTED_LIMIT").count() == 1
    assert page.locator("#warning-NEW_CUSTOMER_CREDIT").count() == 1
    shot(page, "20-application-pending")
    application_url = page.url
    sign_out(page)

    for approver in ("finance_manager", "sales_manager", "general_manager"):
        sign_in(page, url, approver)
        with page.expect_navigation():
            page.get_by_role("link", name="Credit applications").click()
        assert "waiting for me" in page.content()
        with page.expect_navigation():
            page.get_by_role("link", name=application_url.rsplit("/", 1)[1][:8]).click()
        page.get_by_label("Comment").fill(f"ok from {approver}")
        with page.expect_navigation():
            page.get_by_role("button", name="Approve as").click()
        shot(page, f"21-application-approved-by-{approver}")
        sign_out(page)

    sign_in(page, url, "sales", application_url.removeprefix(url))
    assert page.locator("#application-status").inner_text() == "Applied, awaiting ratification"
    exposure = httpx.get(f"{url}/v1/customers/N1/exposure", headers=ADMIN).json()
    assert exposure["exposure"]["credit_limit"] == "45000.00"
    sign_out(page)

    sign_in(page, url, "credit_controller", "/console/reviews")
    assert page.locator("#reviews").count() == 1
    assert "No reviews due." in page.content()  # N1's review is a year away (grade C)
    shot(page, "22-reviews-due")
