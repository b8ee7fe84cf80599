"""The console in Chinese and English: complete catalogs, the reader's locale, the switch."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from gateway.console import i18n
from tests.gateway.conftest import Api
from tests.support.console import sign_in

CONSOLE = Path(i18n.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked_messages() -> set[str]:
    """Every string the console marks for translation: `_()` in templates, `N_()` and
    `_()` in its Python modules."""
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(CONSOLE),
        method_map=[("templates/**.html", "jinja2.ext:babel_extract"), ("*.py", "python")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)},
    ):
        found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def test_every_marked_string_has_a_chinese_translation_with_the_same_placeholders() -> None:
    with (CONSOLE / "locale/zh_CN/LC_MESSAGES/console.po").open("rb") as po:
        catalog = {m.id: m.string for m in read_po(po) if m.id}
    marked = marked_messages()
    assert len(marked) > 100  # the extraction found the templates
    missing = sorted(m for m in marked if not catalog.get(m))
    assert not missing, f"add these to console.po with their translation: {missing}"
    for message in marked:
        translated = catalog[message]
        assert isinstance(translated, str)
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(translated)), message


def test_the_reader_gets_the_language_their_browser_asks_for(api: Api) -> None:
    sign_in(api, "sales")
    english = api.client.get("/console/held", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "<h1>Held orders</h1>" in english.text and 'lang="en"' in english.text
    chinese = api.client.get(
        "/console/held", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    )
    assert "<h1>被冻结订单</h1>" in chinese.text and 'lang="zh-CN"' in chinese.text
    plain_zh = api.client.get("/console/held", headers={"Accept-Language": "zh"})
    assert "被冻结订单" in plain_zh.text
    nonsense = api.client.get("/console/held", headers={"Accept-Language": "x;q=abc,,;"})
    assert nonsense.status_code == 200 and "Held orders" in nonsense.text


def test_the_switch_is_kept_and_only_leads_inside_the_console(api: Api) -> None:
    sign_in(api, "sales")
    r = api.client.get(
        "/console/lang", params={"to": "zh_CN", "next": "/console/held"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/held"
    page = api.client.get("/console/held", headers={"Accept-Language": "en"})
    assert "被冻结订单" in page.text  # the switch wins over the browser's language
    assert ">English</a>" in page.text  # and offers the way back
    r = api.client.get(
        "/console/lang",
        params={"to": "en", "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/console"
    assert "Held orders" in api.client.get("/console/held").text
    r = api.client.get("/console/lang", params={"to": "xx"}, follow_redirects=False)
    assert r.status_code == 303 and "set-cookie" not in r.headers


def test_amounts_and_times_are_written_for_the_reader() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    i18n.use("zh_CN", ZoneInfo("Europe/Berlin"))
    assert i18n.money("12000.5") == "12,000.50"
    assert i18n.when(datetime(2026, 12, 7, 22, 10, tzinfo=UTC)) == "2026年12月7日 23:10 CET"
    i18n.use("en", ZoneInfo("Europe/Berlin"))
    assert i18n.when("2026-07-01T10:00:00+00:00") == "Jul 1, 2026 12:00 CEST"
    assert i18n.day("2026-07-01") == "Jul 1, 2026"
    assert i18n.money("not a number") == "not a number"


def test_amounts_in_the_apis_messages_are_grouped_for_the_reader() -> None:
    from zoneinfo import ZoneInfo

    i18n.use("en", ZoneInfo("Europe/Berlin"))
    text = "exposure EUR 12500.00 exceeds limit EUR 10000.00 by EUR 2500.00 (order 4500012345)"
    assert i18n.figures(text) == (
        "exposure EUR 12,500.00 exceeds limit EUR 10,000.00 by EUR 2,500.00 (order 4500012345)"
    )
    assert i18n.figures("due 2026-12-01, 690 days, 999.50") == "due 2026-12-01, 690 days, 999.50"
