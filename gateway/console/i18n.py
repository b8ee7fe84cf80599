"""The console speaks English and Chinese (zh-CN): gettext catalogs, locale choice,
and amounts and times written as the reader's locale writes them.

Templates mark text with `_()` (Jinja2's i18n extension, new-style: `_("%(n)s days",
n=3)`); Python marks labels with `N_()` and templates translate them with `_()`.
Catalogs are `locale/<locale>/LC_MESSAGES/console.po`, compiled in memory at import
(Babel), so no binary `.mo` lives in the repository. `tests/console/test_console_i18n.py`
fails when a marked string has no translation.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from fastapi import Request

LOCALES = {"en": "English", "zh_CN": "中文"}
DEFAULT_LOCALE = "en"
COOKIE = "gateway_console_lang"
CATALOGS = Path(__file__).parent / "locale"

_locale: ContextVar[str] = ContextVar("console_locale", default=DEFAULT_LOCALE)
_zone: ContextVar[tzinfo | None] = ContextVar("console_zone", default=None)


def N_(message: str) -> str:
    """Mark a label for the catalog; templates translate it when they show it."""
    return message


def _compile(locale: str) -> NullTranslations:
    path = CATALOGS / locale / "LC_MESSAGES" / "console.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


_BY_LANGUAGE = {"en": "en", "zh": "zh_CN"}
_TRANSLATIONS: dict[str, NullTranslations] = {name: _compile(name) for name in LOCALES}


def use(locale: str, zone: tzinfo) -> None:
    """The locale and business time zone of the page being rendered (this request)."""
    _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    _zone.set(zone)


def current() -> str:
    return _locale.get()


def gettext(message: str) -> str:
    return _TRANSLATIONS[_locale.get()].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _TRANSLATIONS[_locale.get()].ngettext(singular, plural, n)


def choose(request: Request) -> str:
    """The reader's locale: the console's switch (a cookie), else Accept-Language."""
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LOCALES:
        return chosen
    wanted = []
    for part in request.headers.get("accept-language", "").split(",")[:20]:
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag:
            wanted.append((weight, tag.strip()))
    for _, tag in sorted(wanted, key=lambda w: -w[0]):
        language = tag.lower().replace("_", "-").split("-")[0]
        if language in _BY_LANGUAGE:  # zh, zh-CN, zh-Hans...: the Chinese console
            return _BY_LANGUAGE[language]
    return DEFAULT_LOCALE


def money(value: Any) -> str:
    """An amount with grouping and two decimals, as the reader's locale writes it."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_decimal(amount, format="#,##0.00", locale=_locale.get())


# An amount as the API writes it in a message: digits, a point, decimals (an order number
# or a date has no point, so it is left as it is).
_AMOUNT_IN_TEXT = re.compile(r"(?<![\w.-])(\d{4,})(\.\d+)(?![\w.])")


def figures(text: Any) -> str:
    """A message from the API with its amounts written for the reader: "exposure EUR
    12500.00 exceeds limit EUR 10000.00" reads "EUR 12,500.00" and "EUR 10,000.00".
    The whole part is grouped; the decimals stay as written."""

    def grouped(match: re.Match[str]) -> str:
        whole = format_decimal(Decimal(match.group(1)), format="#,##0", locale=_locale.get())
        return whole + match.group(2)

    return _AMOUNT_IN_TEXT.sub(grouped, str(text))


def when(value: Any) -> str:
    """A moment in the business time zone, with its zone, in the reader's locale."""
    if value in (None, ""):
        return "-"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        local = moment.astimezone(_zone.get() or UTC)
        locale = _locale.get()
        return (
            f"{format_skeleton('yMMMd', local, locale=locale)} "
            f"{format_skeleton('Hm', local, locale=locale)} {local.tzname()}"
        )
    if isinstance(value, date):
        return day(value)
    return str(value)


def day(value: Any) -> str:
    """A calendar day in the reader's locale."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, date):
        return format_skeleton("yMMMd", value, locale=_locale.get())
    return "-" if value is None else str(value)
