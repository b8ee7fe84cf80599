"""The audit trail is append-only: no code path updates or deletes its rows."""

from __future__ import annotations

import re
from pathlib import Path

GATEWAY = Path(__file__).resolve().parents[2] / "gateway"
WRITES = re.compile(r"\b(update|delete)\(\s*(audit\.)?audit_events\b")
RAW_SQL = re.compile(r"(UPDATE|DELETE\s+FROM)\s+audit_events", re.IGNORECASE)


def test_no_update_or_delete_of_audit_events() -> None:
    offenders = []
    for path in GATEWAY.rglob("*.py"):
        text = path.read_text()
        if WRITES.search(text) or RAW_SQL.search(text):
            offenders.append(str(path.relative_to(GATEWAY)))
    assert offenders == []


def test_the_check_itself_would_catch_one() -> None:
    assert WRITES.search("conn.execute(update(audit_events).values(kind='x'))")
    assert RAW_SQL.search("DELETE FROM audit_events WHERE 1=1")
