"""The console in a real browser (Debian's chromium driven by Playwright): the whole
unfreeze story by clicking, plus bad input and keyboard use. Screenshots of the main
pages are saved under test-artifacts/console/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.gateway.conftest import KEYS
from tests.support.processes import ServerProcess, gateway_process

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "console"
CHROMIUM = "/usr/bin/chromium"
ERP = {"Authorization": f"Bearer {KEYS['erp']}"}


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[ServerProcess]:
    server = gateway_process(tmp_path, f"sqlite:///{tmp_path}/gw.db")
    with server:
        yield server


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium")
        pytest.skip("Debian chromium not installed")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def seed_hold(url: str) -> str:
    httpx.put(
        f"{url}/v1/customers/C100",
        headers=ERP,
        json={
            "name": "Muster GmbH",
            "credit_limit": "10000.00",
            "currency": "EUR",
            "grade": "B",
            "payment_terms_days": 30,
        },
    ).raise_for_status()
    httpx.put(
        f"{url}/v1/customers/C100/open-items",
        headers=ERP,
        json={
            "as_of": datetime.now(UTC).isoformat(),
            "items": [
                {
                    "item_id": "INV-1",
                    "kind": "invoice",
                    "amount": "2500.00",
                    "currency": "EUR",
                    "due_date": "2099-01-31",
                }
            ],
        },
    ).raise_for_status()
    answer = check(url)
    assert answer["outcome"] == "hold"
    return str(answer["decision_id"])


def check(url: str, token: str | None = None) -> dict[str, Any]:
    r = httpx.post(
        f"{url}/v1/orders/check",
        headers=ERP,
        json={
            "erp": "sap",
            "order_id": "4500012345",
            "revision": 1,
            "customer_id": "C100",
            "amount": "9000.00",
            "currency": "EUR",
            "override_token": token,
        },
    )
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


def sign_in(page: Any, url: str, who: str, path: str = "/console") -> None:
    page.goto(f"{url}{path}")
    page.get_by_label("Your API key").fill(KEYS[who])
    with page.expect_navigation():
        page.keyboard.press("Enter")  # forms work with the keyboard


def sign_out(page: Any) -> None:
    with page.expect_navigation(url="**/console/login"):
        page.get_by_role("button", name="Sign out").click()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_unfreeze_story_by_clicking(gateway: ServerProcess, browser: Any) -> None:
    url = gateway.url
    seed_hold(url)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    sign_in(page, url, "sales")
    assert "/console/held" in page.url
    shot(page, "01-held-orders")
    with page.expect_navigation():
        page.get_by_role("link", name="sap/4500012345").click()
    assert page.locator("#order-outcome").inner_text() == "Held"
    assert "above the approved credit limit" in page.content()
    shot(page, "02-order-held")

    # No condition is chosen for the rep, and (A) is not offered when nothing is overdue.
    assert page.locator("#condition").input_value() == ""
    assert page.locator("#condition option[value=paid_overdue]").is_disabled()

    # Bad input: a repayment plan without installments is refused and changes nothing.
    page.get_by_label("Condition").select_option("repayment_plan")
    page.get_by_label("Justification").fill("will pay in December")
    with page.expect_navigation():
        page.get_by_role("button", name="Request unfreeze").click()
    assert "needs the plan" in page.locator("#form-error").inner_text()
    assert (
        httpx.get(
            f"{url}/v1/unfreeze-requests", headers={"Authorization": f"Bearer {KEYS['admin']}"}
        ).json()["requests"]
        == []
    )

    page.get_by_label("Condition").select_option("repayment_plan")
    page.get_by_label("Justification").fill("pays 1500 on 15 Dec, CFO informed")
    page.get_by_label("Installment 1 due").fill("2099-12-15")
    page.get_by_label("Amount (EUR)").first.fill("1500.00")
    with page.expect_navigation():
        page.get_by_role("button", name="Request unfreeze").click()
    assert page.locator("#request-status").inner_text() == "Waiting for approval"
    shot(page, "03-request-pending")
    request_url = page.url
    sign_out(page)

    for approver in ("sales_manager", "finance_manager", "general_manager"):  # seed 004 4.1
        sign_in(page, url, approver)
        assert "Waiting for my approval" in page.content()
        with page.expect_navigation():
            page.get_by_role("link", name=request_url.rsplit("/", 1)[1][:8]).click()
        page.get_by_label("Comment").fill(f"ok from {approver}")
        with page.expect_navigation():
            page.get_by_role("button", name="Approve as").click()
        notice = page.locator("#decision-notice").inner_text()
        assert notice.startswith("Your approval is recorded.")  # said, not guessed
        if approver == "sales_manager":
            assert "Still waiting for: Finance manager" in notice
            assert page.locator("#request-status").inner_text() == "Waiting for approval"
        shot(page, f"04-approved-by-{approver}")
        sign_out(page)

    sign_in(page, url, "sales", request_url.removeprefix(url))
    assert page.locator("#request-status").inner_text() == "Approved"
    token = page.locator("#token").inner_text().strip()
    shot(page, "05-token")

    released = check(url, token)  # the ERP re-sends the order with the token
    assert released["outcome"] == "release"
    page.goto(f"{url}/console/orders/sap/4500012345")
    assert page.locator("#order-outcome").inner_text() == "Released"
    shot(page, "06-order-released")
    sign_out(page)

    sign_in(page, url, "finance_manager", "/console/customers/C100")
    assert "% of the limit used" in page.locator("#utilization-text").inner_text()
    shot(page, "07-customer")
    page.goto(f"{url}/console/audit?day_from=2000-01-01")
    assert "Token used" in page.content()
    shot(page, "08-audit")


def test_phone_layout_and_keyboard_only_sign_in(gateway: ServerProcess, browser: Any) -> None:
    seed_hold(gateway.url)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{gateway.url}/console")
    page.wait_for_selector("#api_key:focus")  # the key field has focus on load
    page.keyboard.type(KEYS["sales"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Held orders" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page must not scroll sideways on a phone"
    why = page.locator("td.why").first.bounding_box()
    assert why is not None and why["x"] + why["width"] <= 390, "the reason is off-screen"
    shot(page, "09-phone-held")
    for path, name in (
        ("/console/orders/sap/4500012345", "10-phone-order"),
        ("/console/requests", "11-phone-requests"),
    ):
        page.goto(f"{gateway.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 400, path
        shot(page, name)


def test_a_chinese_reader_works_in_chinese(gateway: ServerProcess, browser: Any) -> None:
    seed_hold(gateway.url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{gateway.url}/console")
    assert page.locator("h1").inner_text() == "登录"
    page.get_by_label("您的 API 密钥").fill(KEYS["sales"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "被冻结订单"
    assert "超出信用额度" in page.content()  # the reason, not its code
    shot(page, "12-zh-held")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Held orders"  # the switch is kept
    page.goto(f"{gateway.url}/console/orders/sap/4500012345")
    assert "Why it is held" in page.content()


def test_wrong_key_shows_a_message(gateway: ServerProcess, browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{gateway.url}/console/login")
    page.get_by_label("Your API key").fill("not-a-real-key-000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "That key is not valid."
    shutil.rmtree(SHOTS / "tmp", ignore_errors=True)
