"""The in-memory open items: served only under the etag they were read with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gateway.customers.items_cache import OpenItemsCache
from policies import ItemKind, OpenItem

ITEMS = (OpenItem("I1", ItemKind.INVOICE, Decimal("10.00"), date(2026, 12, 1)),)


def test_items_are_served_only_for_the_same_etag() -> None:
    cache = OpenItemsCache()
    cache.put("C1", "e1", ITEMS)
    assert cache.get("C1", "e1") == ITEMS
    assert cache.get("C1", "e2") is None
    assert cache.get("C2", "e1") is None


def test_rows_without_an_etag_are_never_cached() -> None:
    cache = OpenItemsCache()
    cache.put("C1", None, ITEMS)
    assert cache.get("C1", None) is None


def test_the_oldest_customer_leaves_when_full() -> None:
    cache = OpenItemsCache(max_customers=2)
    for cid in ("C1", "C2", "C3"):
        cache.put(cid, "e", ITEMS)
    assert cache.get("C1", "e") is None
    assert cache.get("C2", "e") == ITEMS and cache.get("C3", "e") == ITEMS
    cache.put("C3", "f", ITEMS)  # a newer etag for a present customer evicts no one
    assert cache.get("C2", "e") == ITEMS
