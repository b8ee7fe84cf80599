"""schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by tests/fuzz/test_schemathesis.py).

Rules of the API no JSON Schema can state. A credit application's `valid_until` (a
temporary limit: an update above the stored limit, from today) is left out. Snapshots:
their items have distinct item ids (422 DUPLICATE_ITEM otherwise; `uniqueItems` compares
whole items), and their `as_of` is not in the future (422 AS_OF_IN_FUTURE: the server's
clock decides). Generated snapshots keep the first item of each id and are dated at most
now, so a schema-valid body is a valid one. An item's due date computed from its
`document_date` by the customer's terms must stay on the calendar (422 otherwise; the terms
are the customer's, not the body's): generated document dates stay before the year 9000.
Likewise a simulation's `config_toml` must be a valid config and its window run forwards:
generated ones get the shipped config and their dates in order (where the schema allows
any string, not where they break it). An unfreeze request's repayment plan (the check's
`decision_id` links the check to it, so the request may name a real hold) must have
amounts in the held customer's currency's precision, dates from today strictly
increasing, and repay at least the over-limit part, and condition `repayment_plan`
needs one: generated plans get whole amounts, dates from tomorrow (UTC: the server's
today, with a margin for midnight) one day apart, and a last installment as large as
the schema allows (no order exceeds it); such a request without a plan gets one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import schemathesis

SNAPSHOT = "/v1/customers/{customer_id}/open-items"
APPLICATIONS = "/v1/credit-applications"
SIMULATIONS = "/v1/simulations"
UNFREEZE_REQUESTS = "/v1/unfreeze-requests"
# The schema's largest amount (gateway.schemas: below 10^12), whole in every currency.
LARGEST_AMOUNT = 999_999_999_999
_PLAIN_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$")
SHIPPED_CONFIG = (Path(__file__).resolve().parents[2] / "config" / "gateway.toml").read_text()


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    if context.operation is not None and context.operation.path == APPLICATIONS:
        # A temporary limit's `valid_until` is valid only on an update that raises the
        # stored limit, from today: the stored customer and the server's clock decide.
        if isinstance(body, dict) and context.operation.method.upper() == "POST":
            return {k: v for k, v in body.items() if k != "valid_until"}
        return body
    if context.operation is not None and context.operation.path == SIMULATIONS:
        return _simulation(body)
    if context.operation is not None and context.operation.path == UNFREEZE_REQUESTS:
        if context.operation.method.upper() == "POST":
            return repayment_plan(body, datetime.now(UTC).date())
        return body
    if context.operation is None or context.operation.path != SNAPSHOT:
        return body
    if not isinstance(body, dict):
        return body
    if "as_of" in body:
        body = {**body, "as_of": _not_after_now(body["as_of"])}
    items = body.get("items")
    if not isinstance(items, list):
        return body
    seen: set[Any] = set()
    kept = []
    for item in map(_on_the_calendar, items):
        key = item.get("item_id") if isinstance(item, dict) else None
        if isinstance(key, str):
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return {**body, "items": kept}


def repayment_plan(body: Any, today: date) -> Any:
    """The request with its plan made valid where the schema says it is (installments
    the schema refuses stay as generated, for the server to refuse)."""
    if not isinstance(body, dict):
        return body
    plan = body.get("repayment_plan")
    if plan is None or plan == []:
        if body.get("condition") != "repayment_plan":
            return body
        plan = [{"due_date": today.isoformat(), "amount": "1"}]
    if not isinstance(plan, list):
        return body
    valid = [
        n
        for n, item in enumerate(plan)
        if isinstance(item, dict) and _whole(item.get("amount")) and _day(item.get("due_date"))
    ]
    if len(valid) != len(plan):
        return body  # schema-violating installments: refused whatever their figures
    due = today + timedelta(days=1)
    made = []
    for n, item in enumerate(plan):
        amount = LARGEST_AMOUNT if n == len(plan) - 1 else _whole(item["amount"])
        kept = str(amount) if isinstance(item["amount"], str) else amount
        made.append({**item, "due_date": (due + timedelta(days=n)).isoformat(), "amount": kept})
    return {**body, "repayment_plan": made}


def _whole(amount: Any) -> int | None:
    """A schema-valid amount's whole part, at least 1; None for one the schema refuses."""
    if isinstance(amount, bool):
        return None
    if isinstance(amount, str) and _PLAIN_AMOUNT.fullmatch(amount):
        value = Decimal(amount)
    elif isinstance(amount, int | float) and 0 < amount < 10**12:
        value = Decimal(str(amount))
    else:
        return None
    return max(1, int(value)) if value > 0 else None


def _day(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _simulation(body: Any) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("config_toml"), str):
        return body
    if len(body["config_toml"]) > 1_000_000:  # a schema-violating one stays so
        return body
    body = {**body, "config_toml": SHIPPED_CONFIG}
    since, until = body.get("since"), body.get("until")
    if isinstance(since, str) and isinstance(until, str) and since > until:
        body["since"], body["until"] = until, since
    return body


def _not_after_now(as_of: Any) -> Any:
    try:
        when = datetime.fromisoformat(as_of)
    except (TypeError, ValueError):
        return as_of  # not a datetime: the server refuses it, as it should
    try:
        if when.tzinfo is None or when <= datetime.now(UTC):
            return as_of
    except OverflowError:  # off the calendar in UTC: the server refuses it, as it should
        return as_of
    return datetime.now(UTC).isoformat()


def _on_the_calendar(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    document = item.get("document_date")
    if isinstance(document, str) and document[:4].isdigit() and document[:4] >= "9000":
        return {**item, "document_date": "2026-01-01"}
    return item
