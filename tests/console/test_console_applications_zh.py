"""A credit application walked in Chinese (zh-CN), in Chromium, as the seed's company
works: the filing page carries the seed's form name, the rep types the amount as the
pages show it ("40,000.00"), the approvers see the proposal with labels, not codes,
and approve it. At 390 px nothing scrolls sideways. Screenshots under
test-artifacts/console/."""

from __future__ import annotations

from typing import Any

import httpx

from tests.console.test_console_browser import (  # noqa: F401  (fixtures)
    browser,
    gateway,
    shot,
)
from tests.gateway.conftest import KEYS
from tests.support.processes import ServerProcess

ADMIN = {"Authorization": f"Bearer {KEYS['admin']}"}
# codes and English that a Chinese reader must not meet in the page's content (the
# principals' own names, "finance_manager" in the test keys, may appear)
CODES = ("NEW_CUSTOMER_CREDIT", "ABOVE_SUGGESTED_LIMIT", "pending", "Credit limit", "Needs")


def zh_page(chromium: Any, width: int) -> Any:
    context = chromium.new_context(
        viewport={"width": width, "height": 900},
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    return context.new_page()


def sign_in(page: Any, url: str, who: str, path: str) -> None:
    page.goto(f"{url}{path}")
    page.locator("#api_key").fill(KEYS[who])
    with page.expect_navigation():
        page.keyboard.press("Enter")


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"{page.url} is {width}px wide at 390px"


def visible_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_a_credit_application_in_chinese(gateway: ServerProcess, browser: Any) -> None:  # noqa: F811
    url = gateway.url
    desk, phone = zh_page(browser, 1280), zh_page(browser, 390)

    sign_in(desk, url, "sales", "/console/applications/new")
    assert desk.title().startswith("新客户信用申请表")
    assert desk.locator("h1").inner_text() == "新客户信用申请表"
    shot(desk, "30-zh-application-form")
    sign_in(phone, url, "sales", "/console/applications/new")
    assert phone.locator("h1").inner_text() == "新客户信用申请表"
    no_sideways_scroll(phone)
    shot(phone, "30-zh-application-form-390")
    desk.goto(f"{url}/console/applications/new?kind=update")
    assert desk.locator("h1").inner_text() == "更新客户信用条款申请表"

    phone.locator("#customer_id").fill("Z1")
    phone.locator("#name").fill("上海恒通贸易有限公司")
    phone.locator("#credit_limit").fill("abc")
    phone.locator("#forecast_monthly_sales").fill("15,000.00")
    assert phone.locator("#suggested-limit").inner_text() == "EUR 30,000.00"
    phone.locator("#justification").fill("现款交易三个月且付款及时")
    with phone.expect_navigation():
        phone.locator("#application-form button[type=submit]").click()
    error = phone.locator("#form-error").inner_text()
    assert error.startswith("信用额度")  # named as the page names it
    assert "Input should be" not in error and "body." not in error
    assert httpx.get(f"{url}/v1/credit-applications", headers=ADMIN).json() == {"applications": []}

    phone.locator("#credit_limit").fill("40,000.00")
    with phone.expect_navigation():
        phone.locator("#application-form button[type=submit]").click()
    assert phone.locator("#application-status").inner_text() == "待审批"
    assert "新客户信用申请表" in phone.locator("h1").inner_text()
    assert phone.locator("#proposed-limit").inner_text() == "EUR 40,000.00"
    for code in CODES:
        assert code not in visible_text(phone), code
    no_sideways_scroll(phone)
    shot(phone, "31-zh-application-filed-390")
    application_url = phone.url.removeprefix(url)
    application_id = application_url.rsplit("/", 1)[1]
    filed = httpx.get(f"{url}/v1/credit-applications/{application_id}", headers=ADMIN).json()
    assert filed["proposed"]["credit_limit"] == "40000.00"

    for n, approver in enumerate(filed["required_roles"]):
        page = desk if n % 2 == 0 else phone
        page.context.clear_cookies()
        sign_in(page, url, approver, application_url)
        assert page.locator("#proposal").count() == 1
        assert "财务经理" in visible_text(page)  # the roles needed, as labels
        assert page.locator("#proposed-limit").inner_text() == "EUR 40,000.00"
        assert page.locator("#warning-NEW_CUSTOMER_CREDIT").inner_text().startswith("新客户授信")
        for code in CODES:
            assert code not in visible_text(page), code
        if page is phone:
            no_sideways_scroll(page)
        shot(page, f"32-zh-application-{approver}-{'1280' if page is desk else '390'}")
        page.locator("#comment").fill("同意")
        with page.expect_navigation():
            page.locator("form[action$='/approve'] button:not(.danger)").click()
        assert page.locator("p.error[role=alert]").count() == 0
    decided = httpx.get(f"{url}/v1/credit-applications/{application_id}", headers=ADMIN).json()
    assert decided["status"] in ("applied", "ratified")
    desk.reload()
    assert "追认" in desk.locator("#application-status").inner_text()
    shot(desk, "33-zh-application-decided")
    phone.goto(f"{url}/console/applications")
    no_sideways_scroll(phone)
    shot(phone, "34-zh-applications-390")
