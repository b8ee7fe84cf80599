"""docker-compose.yml and the Dockerfile stay true to the code (Docker cannot run here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from gateway.cli import build_parser
from gateway.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def services() -> dict[str, Any]:
    result: dict[str, Any] = COMPOSE["services"]
    return result


def test_gateway_replicas_run_a_valid_serve_command() -> None:
    for name in ("gateway-1", "gateway-2"):
        svc = services()[name]
        args = build_parser().parse_args(svc["command"])
        assert args.command == "serve"
        assert str(args.port) in DOCKERFILE  # the port the image exposes
        env = svc["environment"]
        assert set(env) >= {
            "GATEWAY_DATABASE_URL",
            "GATEWAY_API_KEYS",
            "GATEWAY_TOKEN_SECRET",
            "GATEWAY_CONFIG",
        }
        assert env["GATEWAY_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_environment_names_are_the_ones_the_code_reads() -> None:
    source = (ROOT / "gateway" / "settings.py").read_text()
    env = services()["gateway-1"]["environment"]
    for key in env:
        if key.startswith("GATEWAY_") and key != "GATEWAY_LOG_FORMAT":
            assert f'"{key}"' in source, f"{key} is not read by gateway/settings.py"
    example = {
        "GATEWAY_API_KEYS": "erp1:erp:example-erp-key-0123",
        "GATEWAY_TOKEN_SECRET": "s" * 32,
    }
    resolved = {k: example.get(k, v) for k, v in env.items()}
    assert env["GATEWAY_TOKEN_SECRET"].endswith(":?export GATEWAY_TOKEN_SECRET}")  # no default
    Settings.from_env(resolved)


def test_image_entrypoint_and_healthcheck() -> None:
    assert 'ENTRYPOINT ["gateway"]' in DOCKERFILE
    cmd = re.search(r"^CMD \[(.*)\]", DOCKERFILE, re.MULTILINE)
    assert cmd is not None
    args = build_parser().parse_args([a.strip().strip('"') for a in cmd.group(1).split(",")])
    assert args.command == "serve" and args.port == 8080
    assert "/healthz" in DOCKERFILE and "USER gateway" in DOCKERFILE


def test_mock_erps_point_at_the_proxy_with_valid_arguments() -> None:
    for name, module in (("sap-mock", "adapters.sap.mock"), ("baan-mock", "adapters.baan.mock")):
        svc = services()[name]
        assert svc["entrypoint"][-1] == module
        args = svc["command"]
        gateway_url = args[args.index("--gateway-url") + 1]
        assert gateway_url == "http://proxy:8080"
        assert args[args.index("--api-key") + 1] == "${ERP_API_KEY:?export ERP_API_KEY}"


def test_proxy_prometheus_and_grafana_mounts_exist_and_agree() -> None:
    nginx = (ROOT / "config/nginx/nginx.conf").read_text()
    for name in ("gateway-1", "gateway-2"):
        assert f"server {name}:8080" in nginx
    for svc in ("proxy", "prometheus", "grafana"):
        for volume in services()[svc]["volumes"]:
            source = volume.split(":")[0]
            assert (ROOT / source).exists(), f"{svc} mounts {source}, which does not exist"
    scrape = yaml.safe_load((ROOT / "config/prometheus/compose.yml").read_text())
    targets = scrape["scrape_configs"][0]["static_configs"][0]["targets"]
    assert targets == ["gateway-1:8080", "gateway-2:8080"]
    assert scrape["scrape_configs"][0]["job_name"] == "order-hold-gateway"  # alerts use it


def test_the_proxy_tells_the_gateway_how_clients_reached_it() -> None:
    # The console marks its session cookie Secure when X-Forwarded-Proto says https
    # (gateway/console/session.py): behind TLS at the proxy, it must be sent.
    nginx = (ROOT / "config/nginx/nginx.conf").read_text()
    for line in (
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header Host $host;",
    ):
        assert line in nginx, line


def test_the_compose_config_is_the_shipped_one_with_both_syncs_on() -> None:
    """The gateways in compose sync both mocks; apart from [adapters] their config is
    config/gateway.toml, so the two cannot drift."""
    import tomllib

    from gateway.config import load_config
    from tests.ops.compose_config import compose_config

    env = services()["gateway-1"]["environment"]
    in_image = env["GATEWAY_CONFIG"]
    assert in_image.startswith("/app/config/")  # the Dockerfile copies config/ there
    path = ROOT / "config" / in_image.removeprefix("/app/config/")
    load_config(path)  # valid, as `serve` would load it
    assert path.read_text() == compose_config(), "run: python -m tests.ops.compose_config"
    compose = tomllib.loads(path.read_text())
    shipped = tomllib.loads((ROOT / "config/gateway.toml").read_text())
    adapters = compose.pop("adapters")
    shipped.pop("adapters")
    assert compose == shipped
    mocks = {"sap": "sap-mock", "baan": "baan-mock"}
    for erp, service in mocks.items():
        section = adapters[erp]
        assert section["enabled"] is True
        args = services()[service]["command"]
        assert section["base_url"] == f"http://{service}:{args[args.index('--port') + 1]}"


def test_compose_documents_a_key_for_every_role_and_runs_the_traffic() -> None:
    from policies.roles import Role

    header = (ROOT / "docker-compose.yml").read_text().split("x-gateway")[0]
    (keys_line,) = [line for line in header.splitlines() if "export GATEWAY_API_KEYS=" in line]
    for role in Role:
        assert f":{role.value}:" in keys_line or f"key {role.value})" in keys_line, role
    traffic = services()["traffic"]
    assert traffic["entrypoint"] == ["python", "-m", "gateway.demo"]
    args = traffic["command"]
    assert args[args.index("--gateway-url") + 1] == "http://proxy:8080"
    for erp, service in (("sap", "sap-mock"), ("baan", "baan-mock")):
        port = services()[service]["command"][services()[service]["command"].index("--port") + 1]
        assert args[args.index(f"--{erp}-url") + 1] == f"http://{service}:{port}"
    assert set(traffic["environment"]) == {"GATEWAY_DEMO_ADMIN_KEY"}
    assert "GATEWAY_DEMO_ADMIN_KEY" in (ROOT / "gateway/demo/__main__.py").read_text()
