"""Open items kept in memory, keyed by the etag on the customer row.

A check reads (and on PostgreSQL locks) the customer row anyway; the row's
`items_etag` changes, to a fresh random value, in the same transaction as every
replacement of the customer's open items that changes them (see the repository; a
replacement with the same items keeps the etag, under which the same items are
cached). So items cached under the etag the row carries now are exactly the stored
items, in every process, and a rolled-back replacement can never leave a reusable
etag behind.
"""

from __future__ import annotations

import threading

from policies import OpenItem

Items = tuple[OpenItem, ...]


class OpenItemsCache:
    def __init__(self, max_customers: int = 50_000) -> None:
        self._max = max_customers
        self._entries: dict[str, tuple[str, Items]] = {}
        self._lock = threading.Lock()  # PostgreSQL checks run on several threads

    def get(self, customer_id: str, etag: str | None) -> Items | None:
        entry = self._entries.get(customer_id)
        return entry[1] if entry is not None and etag is not None and entry[0] == etag else None

    def etag_of(self, customer_id: str) -> str | None:
        """The etag the customer's items are kept under, if any."""
        entry = self._entries.get(customer_id)
        return entry[0] if entry is not None else None

    def put(self, customer_id: str, etag: str | None, items: Items) -> None:
        if etag is None:  # items stored before etags existed: always read them
            return
        with self._lock:
            if customer_id not in self._entries and len(self._entries) >= self._max:
                del self._entries[next(iter(self._entries))]  # the oldest entry
            self._entries[customer_id] = (etag, items)
