"""Log lines: rendered by orjson with a fallback, and the decision log modes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import structlog

from gateway.logging import dumps
from gateway.orders.context import CheckResult
from gateway.orders.routes import observe
from gateway.orders.schemas import CheckIn
from gateway.settings import Settings, SettingsError


def test_lines_are_json_that_orjson_renders() -> None:
    assert json.loads(dumps({"event": "x", "n": 1, "text": "Müller"})) == {
        "event": "x",
        "n": 1,
        "text": "Müller",
    }


def test_what_orjson_refuses_falls_back_instead_of_failing() -> None:
    # orjson stops at 64-bit integers; the standard encoder does not.
    line = dumps({"event": "x", "big": 2**70, "amount": Decimal("12.50"), 7: "key"})
    assert json.loads(line) == {"event": "x", "big": 2**70, "amount": "12.50", "7": "key"}


def test_unknown_objects_are_logged_by_repr() -> None:
    class Thing:
        def __repr__(self) -> str:
            return "<thing>"

    assert json.loads(dumps({"v": Thing()})) == {"v": "<thing>"}


BODY = CheckIn.model_validate(
    {
        "erp": "sap",
        "order_id": "1",
        "revision": 1,
        "customer_id": "C1",
        "amount": "5.00",
        "currency": "EUR",
    }
)


def _result(outcome: str, reasons: tuple[str, ...]) -> CheckResult:
    return CheckResult(b"{}", False, outcome, reasons, "d-1")


@pytest.mark.parametrize(
    ("mode", "outcome", "reasons", "logged"),
    [
        ("all", "release", (), True),
        ("all", "hold", ("OVERDUE",), True),
        ("holds", "release", (), False),
        ("holds", "hold", ("OVERDUE",), True),
        # An override release keeps the reasons it overrode: people read those.
        ("holds", "release", ("CREDIT_LIMIT_EXCEEDED",), True),
        ("none", "hold", ("OVERDUE",), False),
    ],
)
def test_decision_log_modes(
    mode: str,
    outcome: str,
    reasons: tuple[str, ...],
    logged: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with structlog.testing.capture_logs() as lines:
        # A fresh logger: the module's may be cached already (by an app test before this).
        monkeypatch.setattr("gateway.orders.routes.log", structlog.get_logger())
        observe(BODY, _result(outcome, reasons), 0.0, mode)
    assert [line["event"] for line in lines] == (["order_checked"] if logged else [])


ENV = {"GATEWAY_API_KEYS": "e:erp:key-0123456789abcdef", "GATEWAY_TOKEN_SECRET": "s" * 32}


def test_decision_log_defaults_to_holds_and_refuses_unknown_modes() -> None:
    assert Settings.from_env(ENV).decision_log == "holds"
    assert Settings.from_env({**ENV, "GATEWAY_DECISION_LOG": "ALL"}).decision_log == "all"
    with pytest.raises(SettingsError, match="GATEWAY_DECISION_LOG"):
        Settings.from_env({**ENV, "GATEWAY_DECISION_LOG": "some"})
