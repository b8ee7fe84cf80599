"""`gateway simulate`: the report on a terminal, or as JSON; exit codes for scripts.

Exit 0: done; 1: with --check-current, a recorded decision came out differently;
2: bad arguments or an invalid candidate config.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from gateway.config import ConfigError, load_config
from gateway.db.engine import build_engine
from gateway.db.uow import unit_of_work
from gateway.settings import Settings
from gateway.simulation.service import candidate_policy, differs, simulate


def add_parser(sub: Any) -> None:
    p = sub.add_parser("simulate", help="replay recorded checks under a candidate policy")
    p.add_argument("--config", help="the candidate config (TOML)")
    p.add_argument("--since", type=_day, help="first day (YYYY-MM-DD, UTC) to replay")
    p.add_argument("--until", type=_day, help="last day (YYYY-MM-DD, UTC) to replay")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--check-current",
        action="store_true",
        help="replay under the running config: exit 1 if any decision comes out differently",
    )
    p.set_defaults(func=run)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _fail(message: str) -> int:
    print(f"gateway simulate: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    if args.check_current == bool(args.config):
        return _fail("give either --config CANDIDATE.toml or --check-current")
    if args.since and args.until and args.since > args.until:
        return _fail(f"--since {args.since} is after --until {args.until}")
    running_path = Settings.config_path_from_env()
    try:
        running = load_config(running_path)
    except ConfigError as exc:
        return _fail(f"{running_path}: {exc}")
    if args.check_current:
        policy = running.policy
    else:
        try:
            policy = candidate_policy(Path(args.config).read_text(), running)
        except (OSError, UnicodeDecodeError) as exc:
            return _fail(f"cannot read {args.config}: {exc}")
        except ConfigError as exc:
            return _fail(f"{args.config}: {exc}")
    engine = build_engine(Settings.database_url_from_env())
    try:
        result = simulate(
            unit_of_work(engine),
            policy,
            running,
            since=args.since,
            until=args.until,
            today=datetime.now(UTC).astimezone(running.timezone).date(),
            progress=_progress_bar(sys.stderr) if sys.stderr.isatty() else None,
        )
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(summary(result, args.check_current))
    return 1 if args.check_current and differs(result) else 0


def _progress_bar(out: TextIO) -> Any:
    def show(done: int, total: int) -> None:
        width = 40
        filled = width * done // total if total else width
        out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            out.write("\n")
        out.flush()

    return show


def summary(r: dict[str, Any], check_current: bool) -> str:
    lines = [
        f"replayed {r['replayed']}: {r['unchanged']} unchanged, "
        f"{r['release_to_hold']} release->hold ({r['currency']} {r['amount_to_hold']}), "
        f"{r['hold_to_release']} hold->release ({r['currency']} {r['amount_to_release']}), "
        f"{r['reasons_changed']} with other reasons; {r['overridden']['count']} overridden "
        "(replayed apart)",
    ]
    if r["by_reason"]:
        lines.append("by reason: " + ", ".join(f"{k} {v}" for k, v in r["by_reason"].items()))
    for direction, kinds in r["outcomes"].items():
        seen = ", ".join(
            f"{k} {v['count']} ({v['amount']})" for k, v in kinds.items() if v["count"]
        )
        lines.append(f"{direction} later: {seen or 'nothing seen'}")
    if r["unreplayable"]:
        lines.append(f"{r['unreplayable']} recorded decisions could not be decided again:")
        lines += [f"  {u['decision_id']}: {u['cause']}" for u in r["unreplayable_samples"]]
    for d in r["differences"]:
        lines.append(
            f"  {d['decision_id']} {d['erp']}/{d['order_id']} r{d['revision']} "
            f"{d['before']['outcome']} {d['before']['reasons']} -> "
            f"{d['after']['outcome']} {d['after']['reasons']}"
        )
    if check_current:
        lines.append(
            "the running config reproduces every recorded decision"
            if not differs(r)
            else "DIFFERENT: the running config does not reproduce every recorded decision"
        )
    return "\n".join(lines)
