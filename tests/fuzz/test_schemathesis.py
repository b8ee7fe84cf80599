"""schemathesis, its command line with every check (`--checks all`), against a live
gateway: no 5xx, answers as documented, and the schema telling the truth both ways
(schema-valid requests accepted, schema-violating ones refused). The seed is fixed so a
CI run is repeatable; FUZZ_SEED=random (or a number) explores further."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.keys import KEYS
from tests.support.processes import ROOT, gateway_process

pytestmark = pytest.mark.slow

# Which key each part of the API is fuzzed with (the first pattern that matches wins).
ROLES = [
    (r"^/v1/unfreeze-requests/[^/]+/(approve|reject)$", "finance_manager"),
    (r"^/v1/unfreeze-requests/[^/]+/release$", "credit_controller"),
    (r"^/v1/unfreeze-requests", "sales"),
    (r"^/v1/(override-tokens|audit)", "finance_manager"),
    (r"^/v1/credit-applications/[^/]+/(approve|reject)$", "general_manager"),
    (r"^/v1/credit-applications", "sales"),
    (r"^/v1/reviews", "finance_manager"),
    (r"^/v1/simulations", "admin"),
    (r"^/v1/sync", "admin"),
    (r"^/(v1|healthz|readyz|metrics)", "erp"),
]
# A simulation's `config_toml` is a TOML document that must be a valid config, which no
# JSON Schema can state: a schema-valid body may be refused with 422 INVALID_CONFIG there
# (tests/fuzz/hooks.py sends the shipped config in most generated bodies, so the 200
# answer is fuzzed too).
ACCEPTANCE = {
    r"^/v1/simulations": '["2xx", "401", "403", "404", "409", "422", "429"]',
}
# A body over the size cap is refused with 413 before it is read: a refusal too.
REFUSALS = "[400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]"


def config(path: Path) -> Path:
    lines = []
    for pattern, role in ROLES:
        lines += [
            "[[operations]]",
            f"include-path-regex = '{pattern}'",
            f'headers = {{ Authorization = "Bearer {KEYS[role]}" }}',
        ]
        if pattern in ACCEPTANCE:
            lines += [
                "[operations.checks.positive_data_acceptance]",
                f"expected-statuses = {ACCEPTANCE[pattern]}",
            ]
    lines += ["[checks.negative_data_rejection]", f"expected-statuses = {REFUSALS}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_schema_tells_the_truth(tmp_path: Path) -> None:
    server = gateway_process(tmp_path, f"sqlite:///{tmp_path}/fuzz.db")
    with server:
        erp = {"Authorization": f"Bearer {KEYS['erp']}"}
        customer = {
            "name": "Fuzz",
            "credit_limit": "1000.00",
            "currency": "EUR",
            "grade": "B",
            "payment_terms_days": 30,
        }
        httpx.put(f"{server.url}/v1/customers/C1", headers=erp, json=customer).raise_for_status()
        seed = os.environ.get("FUZZ_SEED", "1")
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(config(tmp_path / "schemathesis.toml")),
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "40",
                "--workers",
                "1",
                *(["--seed", seed] if seed != "random" else []),
            ],
            cwd=tmp_path,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
                "NO_COLOR": "1",
            },
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
        assert "Traceback" not in server.tail(2_000_000)
