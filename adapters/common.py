"""What both ERP styles map to and from: the gateway's own check request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from adapters.errors import PayloadError
from policies.literals import (
    DuplicateKeyError,
    NotPlainAmount,
    integral,
    loads_exact,
    number_value,
    plain_decimal,
)

MAX_PAYLOAD = 256 * 1024
MAX_NUMERIC_ID = 10**15  # order and partner numbers sent as JSON numbers stay below


@dataclass(frozen=True)
class CheckRequest:
    """The neutral order: what `POST /v1/orders/check` takes."""

    erp: str
    order_id: str
    revision: int
    customer_id: str
    amount: Decimal
    currency: str
    override_token: str | None = None
    order_date: str | None = None  # YYYY-MM-DD: the day whose rates convert the amount

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "erp": self.erp,
            "order_id": self.order_id,
            "revision": self.revision,
            "customer_id": self.customer_id,
            "amount": str(self.amount),
            "currency": self.currency,
            "override_token": self.override_token,
        }
        if self.order_date is not None:
            body["order_date"] = self.order_date
        return body


def check_size(raw: bytes) -> None:
    if len(raw) > MAX_PAYLOAD:
        raise PayloadError("PAYLOAD_TOO_LARGE", f"payload over {MAX_PAYLOAD} bytes", 413)


def load_json_object(raw: bytes) -> dict[str, Any]:
    """Parse an ERP's JSON body exactly (numbers as Decimal), or refuse it clearly."""
    check_size(raw)
    try:
        data = loads_exact(raw.decode(json.detect_encoding(raw)))
    except DuplicateKeyError as exc:
        raise PayloadError("DUPLICATE_KEY", exc.msg) from None
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise PayloadError("MALFORMED_PAYLOAD", f"not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict):
        raise PayloadError("MALFORMED_PAYLOAD", "expected a JSON object")
    return data


def text_field(
    data: dict[str, Any],
    name: str,
    *,
    max_len: int = 64,
    required: bool = True,
    numbers: bool = True,
) -> str | None:
    """A text field; with `numbers`, a whole JSON number too (ERPs send numeric order and
    partner numbers as numbers)."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError("MALFORMED_PAYLOAD", f"{name} is missing")
        return None
    if numbers:
        value = integral(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError("MALFORMED_PAYLOAD", f"{name} must be a string")
    if isinstance(value, int) and not (numbers and 0 <= value < MAX_NUMERIC_ID):
        # Numbers any larger are written with an exponent by many JSON encoders.
        raise PayloadError(
            "MALFORMED_PAYLOAD", f"{name} must be a string or a whole number below 10^15"
        )
    text = str(value).strip()
    if not text or len(text) > max_len:
        raise PayloadError("MALFORMED_PAYLOAD", f"{name} must be 1..{max_len} characters")
    return text


def amount_field(value: Any, name: str) -> Decimal:
    """An amount in plain decimal notation (`policies.literals`), as the check takes it.
    Surrounding blanks are trimmed: fixed-width ERP fields (IDoc SUMME) pad with them."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise PayloadError("INVALID_AMOUNT", f"{name} must be a decimal amount")
    try:
        amount = plain_decimal(str(value).strip())
    except NotPlainAmount as exc:
        raise PayloadError("INVALID_AMOUNT", f"{name} {exc}") from None
    # A JSON number by its value (160277.0 JPY is 160277), a string as written.
    return amount if isinstance(value, str) else number_value(amount)


def int_field(value: Any, name: str, default: int | None = None) -> int:
    """A whole number: an integer (2.0 too), or ASCII digits in a string (blanks around
    them trimmed: fixed-width fields pad). No sign, separator or non-ASCII digit, which
    `int()` would all read."""
    if value is None and default is not None:
        return default
    value = integral(value)
    if isinstance(value, str) and (digits := value.strip()).isascii() and digits.isdigit():
        value = int(digits) if len(digits) <= 10 else 2**31
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError("MALFORMED_PAYLOAD", f"{name} must be a whole number")
    if not 0 <= value < 2**31:
        raise PayloadError("MALFORMED_PAYLOAD", f"{name} is out of range")
    return value


def payment_terms_days(key: str | None, default: int = 30) -> int:
    """SAP-style keys carry the days in their digits: NT30 -> 30, Z060 -> 60, 0001 -> 1."""
    digits = "".join(ch for ch in (key or "") if ch.isdigit())
    return min(int(digits), 3650) if digits else default


_ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_COMPACT_DAY = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
# OData v2 Edm.DateTime: milliseconds since 1970 in UTC (13 digits reach the year 2286).
ODATA_V2_DATE = r"^/Date\(([0-9]{1,13})([+-][0-9]{4})?\)/$"
_ODATA_V2 = re.compile(ODATA_V2_DATE)


def date_field(value: Any, name: str, *, compact: bool = False, odata: bool = False) -> str | None:
    """A document date as YYYY-MM-DD; absent or null: None. Written YYYY-MM-DD, or with
    `compact` YYYYMMDD (IDoc DATUM), or with `odata` OData v2's /Date(ms)/ (its UTC day).
    Anything else, a blank included, is refused: the amount's rates depend on it."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError("MALFORMED_PAYLOAD", f"{name} must be a date string")
    try:
        match = _ISO_DAY.fullmatch(value) or (compact and _COMPACT_DAY.fullmatch(value))
        if match:
            return date(*(int(g) for g in match.groups())).isoformat()
        if odata and (match := _ODATA_V2.fullmatch(value)):
            return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        pass
    raise PayloadError("MALFORMED_PAYLOAD", f"{name} is not a date (YYYY-MM-DD)")
