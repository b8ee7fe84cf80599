"""Process settings from the environment, validated before anything starts."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from gateway.auth import ApiKey, parse_api_keys
from gateway.db.engine import DEFAULT_POOL, SQLITE_SYNC_MODES, PoolLimits

MIN_SECRET_LENGTH = 32
DEFAULT_DATABASE_URL = "sqlite:///./var/gateway.db"
DEFAULT_CONFIG = "config/gateway.toml"
# Checks that run on threads (PostgreSQL; the ERP adapter routes) at once, per process.
# Measured on two cores (bench/RESULTS.md): 4-8 beat 16 and more, which only fight
# over the GIL while they wait for the database; a remote database may want more.
DEFAULT_CHECK_THREADS = 6
MAX_CHECK_THREADS = 64
MAX_POOL_SIZE = 1000
POOL_TIMEOUT_RANGE = (0.1, 60.0)
# Which checks get a log line: a plain release is counted in metrics and stored in the
# database (the record of truth); holds and override releases are what people read.
DECISION_LOG_MODES = ("all", "holds", "none")


class SettingsError(ValueError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    config_path: Path
    api_keys: tuple[ApiKey, ...]
    token_secret: str
    check_threads: int = DEFAULT_CHECK_THREADS
    pool: PoolLimits = DEFAULT_POOL
    sqlite_synchronous: str = "FULL"
    api_docs: bool = True  # /docs, /redoc and /openapi.json, served without a key
    decision_log: str = "holds"  # one of DECISION_LOG_MODES

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
        mode = env.get("GATEWAY_SQLITE_SYNCHRONOUS", "").strip().upper() or "FULL"
        if mode not in SQLITE_SYNC_MODES:
            raise SettingsError(
                f"GATEWAY_SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNC_MODES)} "
                "(FULL by default)"
            )
        raw_docs = env.get("GATEWAY_API_DOCS", "").strip()
        docs = raw_docs.lower() or "on"
        if docs not in ("on", "off"):
            raise SettingsError(
                f"GATEWAY_API_DOCS must be on or off (on by default), got {raw_docs!r}"
            )
        raw_log = env.get("GATEWAY_DECISION_LOG", "").strip()
        decision_log = raw_log.lower() or "holds"
        if decision_log not in DECISION_LOG_MODES:
            raise SettingsError(
                f"GATEWAY_DECISION_LOG must be one of {', '.join(DECISION_LOG_MODES)} "
                f"(holds by default), got {raw_log!r}"
            )
        threads = _number(
            env, "GATEWAY_CHECK_THREADS", DEFAULT_CHECK_THREADS, 1, MAX_CHECK_THREADS, int
        )
        return cls(
            database_url=cls.database_url_from_env(env),
            config_path=cls.config_path_from_env(env),
            api_keys=keys,
            token_secret=secret,
            check_threads=threads,
            pool=_pool_limits(env, threads),
            sqlite_synchronous=mode,
            api_docs=docs == "on",
            decision_log=decision_log,
        )


N = TypeVar("N", int, float)


def _number(
    env: Mapping[str, str],
    name: str,
    default: N,
    low: N,
    high: N,
    parse: Callable[[str], N],
) -> N:
    """The setting `name` read with `parse` (int or float), within [low, high]; NaN is
    refused too."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        kind = "a whole number" if parse is int else "a number"
        raise SettingsError(f"{name} must be {kind}, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def _pool_limits(env: Mapping[str, str], check_threads: int) -> PoolLimits:
    size = _number(env, "GATEWAY_DB_POOL_SIZE", DEFAULT_POOL.size, 2, MAX_POOL_SIZE, int)
    if size < check_threads:
        # Each check on a thread holds a connection: with fewer, checks would wait for
        # one another's connections (and time out) instead of for the database.
        raise SettingsError(
            f"GATEWAY_DB_POOL_SIZE ({size}) must be at least GATEWAY_CHECK_THREADS "
            f"({check_threads})"
        )
    low, high = POOL_TIMEOUT_RANGE  # seconds
    timeout = _number(env, "GATEWAY_DB_POOL_TIMEOUT", DEFAULT_POOL.timeout, low, high, float)
    return PoolLimits(size, timeout)
