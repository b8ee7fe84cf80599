"""schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by tests/fuzz/test_schemathesis.py).

One rule of the API no JSON Schema can state: a snapshot's items have distinct item ids
(422 DUPLICATE_ITEM otherwise; `uniqueItems` compares whole items). Generated snapshots
keep the first item of each id, so a schema-valid body is a valid one.
"""

from __future__ import annotations

from typing import Any

import schemathesis

SNAPSHOT = "/v1/customers/{customer_id}/open-items"


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    if context.operation is None or context.operation.path != SNAPSHOT:
        return body
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return body
    seen: set[Any] = set()
    kept = []
    for item in items:
        key = item.get("item_id") if isinstance(item, dict) else None
        if isinstance(key, str):
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return {**body, "items": kept}
