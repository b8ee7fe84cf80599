"""What the gateway needs from an ERP adapter: pull balances, push releases."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class ErpSource(Protocol):
    """One ERP, seen through its adapter. Bodies are the gateway's own PUT bodies."""

    erp: str

    async def fetch_master_data(self) -> list[tuple[str, dict[str, Any]]]:
        """Every customer the ERP manages: (customer_id, PUT /v1/customers body)."""
        ...

    async def fetch_open_items(self, customer_id: str, as_of: datetime) -> dict[str, Any]:
        """The customer's open items as read at `as_of` (the gateway's clock, just before
        the call): a PUT /v1/customers/{id}/open-items body."""
        ...

    async def notify_release(self, answer: dict[str, Any]) -> None:
        """Tell the ERP that a held order was released (the check answer)."""
        ...

    async def aclose(self) -> None: ...
