"""Payment terms as the seed writes them (seed 004 §2.1.5, §3.0): due dates from a
document date, and the 30/360 day count notes receivable are aged by.

Pure date arithmetic: values in, values out.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum


class TermsBasis(StrEnum):
    INVOICE = "invoice"  # 开票后XX天 / 发货后XX天: due = document date + terms
    MONTH_END = "month_end"  # 月结: due = the closing day on or after the document date + terms


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def closing_date(on_or_after: date, closing_day: int | None) -> date:
    """The first closing day on or after `on_or_after`: day `closing_day` (1-28) of a
    month, or the month's last day when `closing_day` is None."""
    year, month = on_or_after.year, on_or_after.month
    day = last_day(year, month) if closing_day is None else closing_day
    if on_or_after.day <= day:
        return date(year, month, day)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, last_day(year, month) if closing_day is None else closing_day)


def due_date(
    document_date: date,
    terms_days: int,
    basis: TermsBasis = TermsBasis.INVOICE,
    closing_day: int | None = None,
) -> date:
    """The due date of a document dated `document_date` under the customer's terms.

    `invoice`: document date + terms. `month_end` (月结): the customer's next closing day
    on or after the document date (the statement that collects it), + terms.
    Raises OverflowError past the calendar's end (year 9999).
    """
    if basis is TermsBasis.MONTH_END:
        return closing_date(document_date, closing_day) + timedelta(days=terms_days)
    return document_date + timedelta(days=terms_days)


def days360(start: date, end: date) -> int:
    """Days from `start` to `end` on a 30/360 basis, as Excel's DAYS360 (US/NASD method)
    counts them: a start on the 31st or on February's last day counts as the 30th; an
    end on the 31st counts as the 30th when the (adjusted) start is the 30th, else as
    the 1st of the next month. Negative when `end` is before `start`."""
    d1 = start.day
    if d1 == 31 or (start.month == 2 and d1 == last_day(start.year, 2)):
        d1 = 30
    d2 = end.day
    if d2 == 31 and d1 == 30:
        d2 = 30  # (a 31 left as is counts as the next month's 1st: 30 x month + 31)
    return (end.year - start.year) * 360 + (end.month - start.month) * 30 + (d2 - d1)


def note_days_past_term(
    invoice_date: date,
    maturity: date,
    terms_days: int,
    basis: TermsBasis = TermsBasis.INVOICE,
    closing_day: int | None = None,
) -> int:
    """A note receivable's days past the invoice's term (seed 004 §3.0: maturity minus
    invoice date minus terms, on 30/360): invoice 2010-01-20, 60 days, note maturing
    2010-06-20 -> 150 - 60 = 90 days, column 61-90. On `month_end` terms the invoice's
    due date comes from the closing day, and the days run from it to the maturity."""
    if basis is TermsBasis.MONTH_END:
        return days360(due_date(invoice_date, terms_days, basis, closing_day), maturity)
    return days360(invoice_date, maturity) - terms_days
