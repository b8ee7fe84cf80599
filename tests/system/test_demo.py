"""`gateway demo`, the README's first command: the gateway and both ERP mocks as real
processes, orders flowing, decisions and syncs on the screen, and everything it started
stopped when it ends (or when one of its processes dies)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import ROOT, children, free_port

PROGRESS = re.compile(
    r"released (\d+) \| holds by reason: .* \| "
    r"sync baan: \d+ customers, ok; sap: \d+ customers, ok"
)


def demo_cmd(ports: tuple[int, int, int], *extra: str) -> list[str]:
    gateway, sap, baan = ports
    return [
        sys.executable,
        "-m",
        "gateway.cli",
        "demo",
        "--port",
        str(gateway),
        "--sap-port",
        str(sap),
        "--baan-port",
        str(baan),
        "--config",
        str(ROOT / "config" / "gateway.toml"),
        "--rate",
        "20",
        *extra,
    ]


def three_ports() -> tuple[int, int, int]:
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    a, b, c = ports
    return a, b, c


def is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def all_free(ports: tuple[int, ...], within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while not all(is_free(p) for p in ports):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@contextlib.contextmanager
def demo_process(cwd: Path, ports: tuple[int, int, int]) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        demo_cmd(ports), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def run_demo(
    cwd: Path, ports: tuple[int, int, int], seconds: int
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        demo_cmd(ports, "--seconds", str(seconds)),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=seconds + 110,
    )


def test_the_demo_shows_decisions_and_syncs_then_stops_everything(tmp_path: Path) -> None:
    ports = three_ports()
    done = run_demo(tmp_path, ports, seconds=10)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    for role in ("erp", "admin", "sales", "sales_manager", "finance_manager", "credit_controller"):
        assert re.search(rf"^  {role} +demo-{role}-\S+$", out, re.M), out
    progress = PROGRESS.findall(out)
    assert progress, out
    assert int(progress[-1]) > 0, out  # orders were released, not only held
    assert "not answering" not in out
    assert (tmp_path / "var" / "demo" / "gateway.log").stat().st_size > 0
    assert all_free(ports), "the demo left a process listening"


def test_a_port_in_use_stops_the_demo_before_it_starts_anything(tmp_path: Path) -> None:
    ports = three_ports()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", ports[0]))
        taken.listen()
        done = run_demo(tmp_path, ports, seconds=5)
    assert done.returncode != 0
    assert f"port {ports[0]} is in use" in done.stderr
    assert "--port" in done.stderr
    assert "Traceback" not in done.stderr
    assert all_free(ports[1:]), "a mock was left running"


def test_a_process_that_dies_ends_the_demo_with_its_name_and_log(tmp_path: Path) -> None:
    ports = three_ports()
    with demo_process(tmp_path, ports) as demo:
        assert demo.stdout is not None
        for line in demo.stdout:
            if PROGRESS.search(line):
                break
        else:
            pytest.fail("the demo ended before it showed any progress")
        (gateway,) = [pid for pid, cmd in children(demo.pid).items() if " serve " in cmd]
        os.kill(gateway, signal.SIGKILL)
        rest, _ = demo.communicate(timeout=60)
    assert demo.returncode != 0
    assert "gateway exited" in rest
    assert str(tmp_path / "var" / "demo" / "gateway.log") in rest
    assert all_free(ports), "the mocks were left running"
