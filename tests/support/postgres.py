"""A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free port under a temp dir.

Used by the tests and the benchmarks. It never skips: if the binaries are missing
it raises, because CI must run the PostgreSQL tests (`.ci/run` installs them).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL's {name} is not installed: apt-get install postgresql "
            "(bash .ci/run does it)"
        )
    return candidates[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; Debian's package makes a postgres user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class PostgresCluster:
    data_dir: Path
    port: int
    options: str

    @classmethod
    def start(cls, base_dir: Path, *, durable: bool = False) -> PostgresCluster:
        """A new cluster. `durable=False` (tests) trades crash safety for speed."""
        base_dir.mkdir(parents=True, exist_ok=True)
        data_dir = base_dir / "data"
        if os.geteuid() == 0:
            shutil.chown(base_dir, "postgres", "postgres")
            for parent in base_dir.parents:  # postgres must be able to reach its dir
                if str(parent) in ("/", "/tmp"):
                    break
                parent.chmod(parent.stat().st_mode | 0o011)
        subprocess.run(
            _as_postgres_user(
                [
                    _bin("initdb"),
                    "-D",
                    str(data_dir),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            ),
            check=True,
            capture_output=True,
        )
        port = _free_port()
        options = (
            f"-c port={port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={base_dir} -c max_connections=300"
        )
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        cluster = cls(data_dir, port, options)
        cluster.resume()
        return cluster

    def resume(self) -> None:
        """Start (again) on the same port and data directory."""
        subprocess.run(
            _as_postgres_user(
                [
                    _bin("pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.data_dir.parent / "postgres.log"),
                    "-o",
                    self.options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def crash(self) -> None:
        """Stop like a crash: immediate mode, no checkpoint (recovery replays the WAL)."""
        subprocess.run(
            _as_postgres_user(
                [_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]
            ),
            check=True,
            capture_output=True,
        )

    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user(
                [_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
            ),
            check=False,
            capture_output=True,
        )
