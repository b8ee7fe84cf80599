"""The controller's archive as CSV: one row per request, with the request form's
figures at filing and at release (seed 4.1: approved requests are filed by date)."""

from __future__ import annotations

import csv
import io
from typing import Any

FIGURES = (
    "credit_limit",
    "open_items",
    "open_orders",
    "over_limit",
    "overdue_amount",
    "oldest_overdue_days",
    "order_amount",
    "payment_terms_days",
)
COLUMNS = (
    "request_id",
    "status",
    "erp",
    "order_id",
    "revision",
    "customer_id",
    "currency",
    "amount",
    "condition",
    "justification",
    "requester",
    "approved_by",
    "created_at",
    "released_at",
    "released_by",
    "release_decision_id",
    "bank_reference",
    *(f"filing_{f}" for f in FIGURES),
    "filing_reasons",
    *(f"release_{f}" for f in FIGURES),
    "release_reasons",
)
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
}


def wants_csv(accept: str) -> bool:
    return any(part.split(";")[0].strip().lower() == "text/csv" for part in accept.split(","))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not read a cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(requests: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in requests:
        filing = r.get("figures") or {}
        release = r.get("release_figures") or {}
        row = {
            **{c: r.get(c) for c in COLUMNS},
            "approved_by": " ".join(a["principal"] for a in r["approvals"]),
            **{f"filing_{f}": filing.get(f) for f in FIGURES},
            "filing_reasons": " ".join(filing.get("reasons", [])),
            **{f"release_{f}": release.get(f) for f in FIGURES},
            "release_reasons": " ".join(release.get("reasons", [])),
        }
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
