"""structlog set-up: JSON lines in production, readable console output in development."""

from __future__ import annotations

import json
import logging
import os
import sys
from decimal import Decimal
from typing import Any

import orjson
import structlog

_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def _fallback(value: Any) -> Any:
    # What orjson does not know is logged as structlog's own JSON renderer logs it (by
    # its repr), never by failing the call; an amount as the decimal it is.
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)


def dumps(event: Any, **_: Any) -> str:
    """One JSON log line, rendered by orjson (a few times faster than `json` on the
    per-decision lines); an event orjson refuses (an integer beyond 64 bits, say) falls
    back to the standard encoder rather than lose the line or fail the request."""
    try:
        return orjson.dumps(event, default=_fallback, option=_ORJSON_OPTIONS).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(event, default=_fallback)


def configure_logging(fmt: str | None = None, level: str | None = None) -> None:
    fmt = (
        fmt
        or os.environ.get("GATEWAY_LOG_FORMAT")
        or ("console" if sys.stderr.isatty() else "json")
    )
    level_no = logging.getLevelName((level or os.environ.get("GATEWAY_LOG_LEVEL", "INFO")).upper())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=dumps)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            level_no if isinstance(level_no, int) else logging.INFO
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
