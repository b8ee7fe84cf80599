"""Process settings from the environment, validated before anything starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gateway.auth import ApiKey, parse_api_keys

MIN_SECRET_LENGTH = 32
DEFAULT_DATABASE_URL = "sqlite:///./var/gateway.db"
DEFAULT_CONFIG = "config/gateway.toml"
# Checks that run on threads (PostgreSQL; the ERP adapter routes) at once, per process.
# Measured on two cores (bench/RESULTS.md): 4-8 beat 16 and more, which only fight
# over the GIL while they wait for the database; a remote database may want more.
DEFAULT_CHECK_THREADS = 6
MAX_CHECK_THREADS = 64


class SettingsError(ValueError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    config_path: Path
    api_keys: tuple[ApiKey, ...]
    token_secret: str
    check_threads: int = DEFAULT_CHECK_THREADS

    @staticmethod
    def config_path_from_env(env: Mapping[str, str] | None = None) -> Path:
        env = os.environ if env is None else env
        return Path(env.get("GATEWAY_CONFIG") or DEFAULT_CONFIG)

    @staticmethod
    def database_url_from_env(env: Mapping[str, str] | None = None) -> str:
        env = os.environ if env is None else env
        return env.get("GATEWAY_DATABASE_URL") or DEFAULT_DATABASE_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        raw_keys = env.get("GATEWAY_API_KEYS", "").strip()
        if not raw_keys:
            raise SettingsError(
                "GATEWAY_API_KEYS is not set: give comma-separated principal:role:key entries"
            )
        try:
            keys = parse_api_keys(raw_keys)
        except ValueError as exc:
            raise SettingsError(f"GATEWAY_API_KEYS: {exc}") from None
        secret = env.get("GATEWAY_TOKEN_SECRET", "")
        if len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"GATEWAY_TOKEN_SECRET must be set to at least {MIN_SECRET_LENGTH} characters "
                f"(got {len(secret)})"
            )
        mode = env.get("GATEWAY_SQLITE_SYNCHRONOUS", "FULL").upper()
        if mode not in ("FULL", "NORMAL"):
            raise SettingsError("GATEWAY_SQLITE_SYNCHRONOUS must be FULL (default) or NORMAL")
        return cls(
            database_url=cls.database_url_from_env(env),
            config_path=cls.config_path_from_env(env),
            api_keys=keys,
            token_secret=secret,
            check_threads=_check_threads(env),
        )


def _check_threads(env: Mapping[str, str]) -> int:
    raw = env.get("GATEWAY_CHECK_THREADS", "").strip()
    if not raw:
        return DEFAULT_CHECK_THREADS
    try:
        threads = int(raw)
    except ValueError:
        raise SettingsError(f"GATEWAY_CHECK_THREADS must be a whole number, got {raw!r}") from None
    if not 1 <= threads <= MAX_CHECK_THREADS:
        raise SettingsError(
            f"GATEWAY_CHECK_THREADS must be between 1 and {MAX_CHECK_THREADS}, got {threads}"
        )
    return threads
