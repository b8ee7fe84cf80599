"""What the demo's traffic talks to: a gateway and two mock ERPs, wherever they run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Desk(Protocol):
    """The addresses and keys the traffic needs (`gateway demo`'s own processes, or the
    services of docker-compose)."""

    @property
    def gateway(self) -> str: ...

    def mock(self, erp: str) -> str: ...

    def headers(self, role: str) -> dict[str, str]: ...


@dataclass(frozen=True)
class RemoteDesk:
    gateway: str
    sap: str
    baan: str
    admin_key: str

    def mock(self, erp: str) -> str:
        return self.sap if erp == "sap" else self.baan

    def headers(self, role: str) -> dict[str, str]:
        if role != "admin":
            raise ValueError(f"the traffic runs with the admin key only, not {role!r}")
        return {"Authorization": f"Bearer {self.admin_key}"}
