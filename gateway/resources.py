"""What the app builds once in its lifespan and hands to every request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy import Engine

from gateway.auth import KeyRing
from gateway.config import LoadedConfig
from gateway.orders.service import OverrideRedeemer
from gateway.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Resources:
    settings: Settings
    config: LoadedConfig
    engine: Engine
    keyring: KeyRing
    clock: Callable[[], datetime] = utc_now
    overrides: OverrideRedeemer | None = None
    extras: dict[str, object] = field(default_factory=dict)


def resources(request: Request) -> Resources:
    res: Resources = request.app.state.resources
    return res
