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
any string, not where they break it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import schemathesis

SNAPSHOT = "/v1/customers/{customer_id}/open-items"
APPLICATIONS = "/v1/credit-applications"
SIMULATIONS = "/v1/simulations"
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
