"""The `gateway` command: serve, check-config, migrate, demo, simulate."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from gateway.config import ConfigError, load_config
from gateway.settings import Settings, SettingsError
from gateway.simulation import cli as simulation_cli


def _fail(message: str) -> int:
    print(f"gateway: {message}", file=sys.stderr)
    return 2


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env()
        load_config(settings.config_path)
    except (SettingsError, ConfigError) as exc:
        return _fail(f"refusing to start: {exc}")
    import uvicorn

    from gateway.db.engine import build_engine
    from gateway.db.migrate import migrate

    _prepare_multiprocess_metrics(args.workers)
    # Migrate once here, before workers fork, so they never race on the schema.
    engine = build_engine(settings.database_url, settings.pool, settings.sqlite_synchronous)
    migrate(engine)
    engine.dispose()
    # Each worker says it is ready, at this address (gateway.app's `gateway_ready`).
    os.environ["GATEWAY_SERVE_URL"] = f"http://{args.host}:{args.port}"
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
        loop="auto",
        http="auto",
    )
    return 0


def _prepare_multiprocess_metrics(workers: int) -> None:
    """Several workers share their metrics through files (prometheus-client's way)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if workers <= 1 and not directory:
        return
    if not directory:
        directory = tempfile.mkdtemp(prefix="gateway-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # samples of a previous run's processes
        stale.unlink()


def cmd_check_config(args: argparse.Namespace) -> int:
    path = Path(args.config) if args.config else Settings.config_path_from_env()
    try:
        load_config(path)
    except ConfigError as exc:
        return _fail(f"{path}: {exc}")
    print(f"{path}: ok")
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from gateway.db.engine import build_engine
    from gateway.db.migrate import migrate

    url = Settings.database_url_from_env()
    migrate(build_engine(url))
    print("schema is up to date")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo import run

    path = Path(args.config) if args.config else Settings.config_path_from_env()
    try:
        load_config(path)
    except ConfigError as exc:
        return _fail(f"{path}: {exc}")
    if not 0 <= args.troubled_share <= 1:
        return _fail("--troubled-share must be between 0 and 1")
    return run(
        args.port, args.sap_port, args.baan_port, args.rate, args.seconds, path, args.troubled_share
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP gateway")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    check = sub.add_parser("check-config", help="validate the TOML configuration")
    check.add_argument("--config", help="path (default: $GATEWAY_CONFIG or config/gateway.toml)")
    check.set_defaults(func=cmd_check_config)
    demo = sub.add_parser("demo", help="gateway + both mock ERPs + orders, with generated keys")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--sap-port", type=int, default=8101)
    demo.add_argument("--baan-port", type=int, default=8102)
    demo.add_argument(
        "--rate", type=float, default=5.0, help="ERP events per second (orders, invoices, ...)"
    )
    demo.add_argument(
        "--troubled-share",
        type=float,
        default=0.1,
        help="share of orders sent to customers in trouble (overdue, blocked, no credit); "
        "the hold rate follows it (default 0.1)",
    )
    demo.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl-C)")
    demo.add_argument("--config", help="base config (default: config/gateway.toml)")
    demo.set_defaults(func=cmd_demo)
    mig = sub.add_parser("migrate", help="upgrade the database schema")
    mig.set_defaults(func=cmd_migrate)
    simulation_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
