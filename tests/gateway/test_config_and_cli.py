"""Configuration validation and the process's refusal to start without what it needs."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as SATimeout

from gateway.app import create_app
from gateway.config import ConfigError, parse_config
from gateway.db.engine import PoolLimits, build_engine
from gateway.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = tomllib.loads((ROOT / "config" / "gateway.toml").read_text(), parse_float=Decimal)


def with_change(path: str, value: Any) -> dict[str, Any]:
    data = tomllib.loads((ROOT / "config" / "gateway.toml").read_text(), parse_float=Decimal)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[p]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return data


def test_shipped_config_is_valid() -> None:
    parse_config(SHIPPED)


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("decision.near_limit_ratio", "1.5", "decision.near_limit_ratio"),
        ("decision.timezone", "Mars/Olympus", "decision.timezone"),
        ("decision.checks", ["credit_limit", "astrology"], "decision.checks"),
        ("decision.stale_action", "panic", "decision.stale_action"),
        ("grades.B.overdue_tolerance_days", -1, "grades.B.overdue_tolerance_days"),
        ("grades.C.max_order_value", "-5", "grades.C.max_order_value"),
        ("grades.D", None, "grades"),
        ("fx.rates", {"USD": "0"}, "fx.rates.USD"),
        ("fx.rates", {"ZZZ": "1.1"}, "fx.rates"),
        ("adapters.sap.base_url", "ftp://x", "adapters.sap.base_url"),
        ("adapters.sap.max_attempts", 0, "adapters.sap.max_attempts"),
        ("decision.typo_key", 1, "decision.typo_key"),
    ],
)
def test_invalid_config_names_the_key(path: str, value: Any, named: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(with_change(path, value))
    assert named in str(err.value)


@pytest.mark.parametrize("role", ["credit_controller", "cfo", "erp"])
def test_the_approval_matrix_names_approver_roles_only(role: str) -> None:
    # Valid roles for keys, not (yet) approvers: refused with the reason, not as unknown.
    tiers = [{"min_amount": "0", "roles": [role]}]
    with pytest.raises(ConfigError) as err:
        parse_config(with_change("approval.tiers", tiers))
    assert str(err.value).endswith(
        f"only approver roles may approve, not {role} "
        "(approvers: sales_manager, finance_manager, general_manager)"
    )


GOOD_ENV = {"GATEWAY_API_KEYS": "e:erp:0123456789abcdef0123", "GATEWAY_TOKEN_SECRET": "s" * 32}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "GATEWAY_API_KEYS is not set"),
        ({"GATEWAY_API_KEYS": "e:erp:0123456789abcdef0123"}, "GATEWAY_TOKEN_SECRET"),
        ({**GOOD_ENV, "GATEWAY_TOKEN_SECRET": "short"}, "at least 32"),
        ({**GOOD_ENV, "GATEWAY_API_KEYS": "e:pilot:0123456789abcdef0123"}, "unknown role"),
        ({**GOOD_ENV, "GATEWAY_API_KEYS": "e:erp"}, "principal:role:key"),
        ({**GOOD_ENV, "GATEWAY_API_KEYS": "e:erp:short"}, "shorter than 16"),
        ({**GOOD_ENV, "GATEWAY_API_KEYS": "r:sales/sap:0123456789abcdef0123"}, "only erp keys"),
        ({**GOOD_ENV, "GATEWAY_API_KEYS": "e:erp/SAP:0123456789abcdef0123"}, "not an ERP name"),
        ({**GOOD_ENV, "GATEWAY_CHECK_THREADS": "six"}, "GATEWAY_CHECK_THREADS"),
        ({**GOOD_ENV, "GATEWAY_CHECK_THREADS": "0"}, "between 1 and 64"),
        ({**GOOD_ENV, "GATEWAY_CHECK_THREADS": "65"}, "between 1 and 64"),
        ({**GOOD_ENV, "GATEWAY_DB_POOL_SIZE": "forty"}, "GATEWAY_DB_POOL_SIZE"),
        ({**GOOD_ENV, "GATEWAY_DB_POOL_SIZE": "1001"}, "between 2 and 1000"),
        # Fewer connections than check threads: checks would wait for one another.
        ({**GOOD_ENV, "GATEWAY_DB_POOL_SIZE": "4"}, "at least GATEWAY_CHECK_THREADS"),
        ({**GOOD_ENV, "GATEWAY_DB_POOL_TIMEOUT": "soon"}, "GATEWAY_DB_POOL_TIMEOUT"),
        ({**GOOD_ENV, "GATEWAY_DB_POOL_TIMEOUT": "0"}, "between 0.1 and 60"),
        ({**GOOD_ENV, "GATEWAY_DB_POOL_TIMEOUT": "nan"}, "between 0.1 and 60"),
        ({**GOOD_ENV, "GATEWAY_DB_POOL_TIMEOUT": "120"}, "between 0.1 and 60"),
        ({**GOOD_ENV, "GATEWAY_SQLITE_SYNCHRONOUS": "OFF"}, "one of FULL, NORMAL"),
        ({**GOOD_ENV, "GATEWAY_API_DOCS": "maybe"}, "GATEWAY_API_DOCS must be on or off"),
        ({**GOOD_ENV, "GATEWAY_API_DOCS": "false"}, "GATEWAY_API_DOCS must be on or off"),
    ],
)
def test_settings_refuse_bad_environments(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_check_threads_default_and_setting() -> None:
    assert Settings.from_env(GOOD_ENV).check_threads == 6
    assert Settings.from_env({**GOOD_ENV, "GATEWAY_CHECK_THREADS": " 12 "}).check_threads == 12


def test_pool_limits_default_and_setting() -> None:
    assert Settings.from_env(GOOD_ENV).pool == PoolLimits(size=40, timeout=5.0)
    env = {**GOOD_ENV, "GATEWAY_DB_POOL_SIZE": "8", "GATEWAY_DB_POOL_TIMEOUT": " 1.5 "}
    assert Settings.from_env(env).pool == PoolLimits(size=8, timeout=1.5)


def test_sqlite_synchronous_default_and_setting() -> None:
    assert Settings.from_env(GOOD_ENV).sqlite_synchronous == "FULL"
    env = {**GOOD_ENV, "GATEWAY_SQLITE_SYNCHRONOUS": " normal "}
    assert Settings.from_env(env).sqlite_synchronous == "NORMAL"


def test_api_docs_default_and_setting() -> None:
    assert Settings.from_env(GOOD_ENV).api_docs is True
    assert Settings.from_env({**GOOD_ENV, "GATEWAY_API_DOCS": " OFF "}).api_docs is False
    assert Settings.from_env({**GOOD_ENV, "GATEWAY_API_DOCS": "on"}).api_docs is True


@pytest.mark.parametrize("docs", ["on", "off"])
def test_the_api_docs_are_served_unless_turned_off(docs: str, tmp_path: Path) -> None:
    env = {**GOOD_ENV, "GATEWAY_API_DOCS": docs}
    settings = replace(Settings.from_env(env), database_url=f"sqlite:///{tmp_path}/d.db")
    with TestClient(create_app(settings, run_sync_loops=False)) as client:
        paths = (
            "/docs",
            "/docs/oauth2-redirect",
            "/redoc",
            "/openapi.json",
            "/docs/assets/swagger-ui-bundle.js",
        )
        expected = [200] * 5 if docs == "on" else [404] * 5
        assert [client.get(p).status_code for p in paths] == expected
        assert client.get("/healthz").status_code == 200
        if docs == "on":
            page = client.get("/docs").text
            # Offline: every asset the page loads is the gateway's own.
            assert "/docs/assets/swagger-ui-bundle.js" in page
            assert "cdn" not in page.lower() and "https://" not in page


@pytest.mark.parametrize(("mode", "level"), [("FULL", 2), ("NORMAL", 1)])
def test_every_sqlite_connection_syncs_as_set(
    mode: str, level: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine takes the mode it is given, not the environment's (Settings read it).
    monkeypatch.setenv("GATEWAY_SQLITE_SYNCHRONOUS", "NORMAL" if mode == "FULL" else "FULL")
    engine = build_engine(f"sqlite:///{tmp_path}/s.db", synchronous=mode)
    try:
        held = [engine.connect() for _ in range(3)]
        assert [c.exec_driver_sql("PRAGMA synchronous").scalar() for c in held] == [level] * 3
        for conn in held:
            conn.close()
    finally:
        engine.dispose()


def test_the_app_opens_sqlite_with_its_settings_sync_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GATEWAY_SQLITE_SYNCHRONOUS", raising=False)
    env = {**GOOD_ENV, "GATEWAY_SQLITE_SYNCHRONOUS": "NORMAL"}
    settings = replace(Settings.from_env(env), database_url=f"sqlite:///{tmp_path}/a.db")
    app = create_app(settings, run_sync_loops=False)
    with TestClient(app), app.state.resources.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1


@pytest.mark.parametrize("size", [2, 7, 40])
def test_an_engine_opens_at_most_its_pool_size(size: int, tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path}/p.db", PoolLimits(size=size, timeout=0.1))
    try:
        held = [engine.connect() for _ in range(size)]
        with pytest.raises(SATimeout):
            engine.connect()
        for conn in held:
            conn.close()
        assert engine.pool.timeout() == 0.1
    finally:
        engine.dispose()


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_refuses_to_start_without_keys(tmp_path: Path) -> None:
    r = run_cli("serve", "--port", "1", env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 2
    assert "refusing to start" in r.stderr and "GATEWAY_API_KEYS" in r.stderr


def test_serve_refuses_an_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[decision]\nnear_limit_ratio = "2"\n')
    r = run_cli("serve", env={**GOOD_ENV, "GATEWAY_CONFIG": str(bad), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 2
    assert "near_limit_ratio" in r.stderr


def test_serve_refuses_a_key_listed_twice_naming_both_principals(tmp_path: Path) -> None:
    key = "shared-key-0123456789abcdef"
    keys = (
        f"erp1:erp:erp-key-0123456789abcdef,rep1:sales:{key},"
        f"sm1:sales_manager:sm-key-0123456789abcdef,adm1:admin:adm-key-0123456789abcdef,"
        f"fm1:finance_manager:{key}"
    )
    env = {
        **GOOD_ENV,
        "GATEWAY_API_KEYS": keys,
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path}/g.db",  # were it to start after all
        "PATH": "/usr/bin:/bin",
    }
    r = run_cli("serve", "--port", "0", env=env)
    assert r.returncode == 2
    assert "refusing to start" in r.stderr
    assert "entries 2 (rep1) and 5 (fm1) share one key" in r.stderr
    assert key not in r.stderr + r.stdout


def test_check_config_command(tmp_path: Path) -> None:
    ok = run_cli("check-config", "--config", str(ROOT / "config" / "gateway.toml"), env={})
    assert ok.returncode == 0, ok.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = not = toml")
    r = run_cli("check-config", "--config", str(broken), env={})
    assert r.returncode == 2
    assert "not valid TOML" in r.stderr


def test_the_cli_creates_no_metric_before_serve_sets_the_multiprocess_directory() -> None:
    """prometheus_client opens its files in PROMETHEUS_MULTIPROC_DIR when a metric is
    created: the CLI (every subcommand's module, `simulate` included) must import none
    before `serve` has made that directory."""
    probe = "import sys, gateway.cli; sys.exit('gateway.metrics' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0
