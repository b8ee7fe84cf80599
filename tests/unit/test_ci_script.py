"""`.ci/test` stops at the first failing step: a lint, type or architecture failure must
fail CI (bash's `set -e` does not stop at a failure on the left of `&&`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STEPS = ("ruff check", "ruff format", "mypy", "lint-imports")


def fake_tools(bin_dir: Path, failing: str, ran: Path) -> None:
    """Stand-ins for the tools `.ci/test` calls: each notes its call; `failing` fails."""
    bin_dir.mkdir()
    for tool in ("ruff", "mypy", "lint-imports", "python3"):
        script = bin_dir / tool
        script.write_text(
            "#!/bin/sh\n"
            f'step="{tool} $1"\n'
            f'echo "$step" >> "{ran}"\n'
            f'case "$step" in "{failing}"*) exit 1;; esac\n'
            "exit 0\n"
        )
        script.chmod(0o755)


@pytest.mark.parametrize("failing", STEPS)
def test_a_failing_step_fails_the_run_and_stops_it(failing: str, tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    fake_tools(tmp_path / "bin", failing, ran)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "test")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0, done.stdout
    calls = ran.read_text().splitlines()
    assert calls[-1].startswith(failing)
    assert not any(c.startswith("python3") for c in calls)  # pytest never started


def test_every_step_runs_when_all_pass(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    fake_tools(tmp_path / "bin", "nothing", ran)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "test")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    calls = ran.read_text().splitlines()
    assert [c.split()[0] for c in calls] == ["ruff", "ruff", "mypy", "lint-imports", "python3"]
