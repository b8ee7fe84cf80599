"""policies/ stays a pure core: no I/O imports, no clock or environment reads."""

from __future__ import annotations

import ast
from pathlib import Path

POLICIES = Path(__file__).resolve().parents[2] / "policies"
FORBIDDEN_IMPORTS = {
    "os",
    "time",
    "random",
    "fastapi",
    "httpx",
    "sqlalchemy",
    "sqlmodel",
    "structlog",
    "prometheus_client",
    "gateway",
    "adapters",
    "socket",
    "uuid",
    "http",
    "starlette",
    "urllib",
}
FORBIDDEN_CALLS = {"now", "today", "utcnow", "getenv"}


def test_policies_import_nothing_with_io() -> None:
    for path in POLICIES.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN_IMPORTS, f"{path.name} imports {name}"


def test_policies_read_no_clock() -> None:
    for path in POLICIES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in FORBIDDEN_CALLS, (
                    f"{path.name} calls .{node.func.attr}()"
                )


HTTP_WORDS = ("http", "status_code")


def test_policies_know_no_http() -> None:
    """HTTP statuses are the shell's: no name, attribute or argument in policies/ says
    http, and no integer 400-599 is passed to an exception."""
    for path in POLICIES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Name):
                names = [node.id]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
                names = [node.arg]
            for name in names:
                assert not any(w in name.lower() for w in HTTP_WORDS), f"{path.name} names {name}"
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                for arg in node.exc.args:
                    assert not (
                        isinstance(arg, ast.Constant)
                        and isinstance(arg.value, int)
                        and 400 <= arg.value < 600
                    ), f"{path.name} raises with status {arg.value}"
