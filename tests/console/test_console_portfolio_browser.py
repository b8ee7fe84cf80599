"""The portfolio and the committee report in Chromium at desktop and phone width:
the charts are drawn, nothing scrolls sideways, the report prints. Screenshots go to
test-artifacts/console/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.console.test_console_browser import (  # noqa: F401 - fixtures
    browser,
    gateway,
    seed_hold,
    shot,
    sign_in,
)
from tests.support.processes import ServerProcess

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_portfolio_and_committee_pages(
    gateway: ServerProcess,  # noqa: F811
    browser: Any,  # noqa: F811
    width: int,
    height: int,
) -> None:
    seed_hold(gateway.url)
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=width < 600
    )
    page = context.new_page()
    sign_in(page, gateway.url, "finance_manager", "/console/portfolio")
    page.goto(f"{gateway.url}/console/portfolio")
    assert page.locator("h1").inner_text() == "Credit portfolio"
    charts = page.locator("figure.chart svg")
    assert charts.count() == 4
    for n in range(4):
        box = charts.nth(n).bounding_box()
        assert box is not None and box["width"] > 250 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 10
    shot(page, f"20-portfolio-{width}")

    page.get_by_role("link", name="Credit committee report").click()
    page.wait_for_selector("#committee")
    assert "Muster GmbH" in page.locator("#committee").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 10
    csv = page.locator("a#csv").get_attribute("href")
    assert csv is not None and "format=csv" in csv
    shot(page, f"21-committee-{width}")
    page.emulate_media(media="print")
    assert page.locator("header").is_hidden()  # the print CSS takes the chrome away
    assert page.locator("#committee").is_visible()
    context.close()
