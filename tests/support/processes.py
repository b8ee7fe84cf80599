"""Real server processes for system tests: start, wait until healthy, kill -9, restart."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], object], seconds: float = 40) -> None:
    """Poll until `predicate` holds; fail the test if it does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.2)


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their command lines (a child that
    exited but is not yet reaped has an empty one)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
    return {k: v.decode() for k, v in found.items()}


class ServerProcess:
    """A command that serves HTTP on `port`; a context manager that always cleans up."""

    def __init__(
        self,
        cmd: list[str],
        *,
        port: int,
        env: dict[str, str],
        log: Path,
        cwd: Path | None = None,
        health_path: str = "/healthz",
        timeout: float = 60,
    ) -> None:
        self.cmd = cmd
        self.port = port
        self.env = {**os.environ, **env}
        self.log = log
        self.cwd = cwd
        self.health_path = health_path
        self.timeout = timeout
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=self.cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        deadline = time.monotonic() + self.timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd[:3]} exited early:\n{self.tail()}")
            try:
                if httpx.get(self.url + self.health_path, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill9()
                raise RuntimeError(f"{self.cmd[:3]} not healthy in {self.timeout}s:\n{self.tail()}")
            time.sleep(0.1)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def kill9(self) -> None:
        """The crash: SIGKILL to the server and its workers, no chance to clean up."""
        self._signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        self._signal_group(signal.SIGTERM)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def gateway_process(
    log_dir: Path, database_url: str, *, workers: int = 1, env: dict[str, str] | None = None
) -> ServerProcess:
    """`gateway serve` with the test keys on a free port (not started yet)."""
    from tests.support.keys import API_KEYS, SECRET

    port = free_port()
    return ServerProcess(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        port=port,
        cwd=ROOT,
        log=log_dir / f"gateway-{port}.log",
        env={
            "GATEWAY_API_KEYS": API_KEYS,
            "GATEWAY_TOKEN_SECRET": SECRET,
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_LOG_FORMAT": "json",
            **(env or {}),
        },
    )
