"""The README's walkthrough ("Try it by hand", then the unfreeze flow), with the keys and
the bodies taken from the README itself, against a real `gateway serve`: what it tells
a newcomer to send, and what it says they will see, stays true."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import ROOT, ServerProcess, free_port

README = (ROOT / "README.md").read_text()


def readme_api_keys() -> str:
    """The last `export GATEWAY_API_KEYS=...` (the unfreeze flow's, every role)."""
    exports = re.findall(r'export GATEWAY_API_KEYS="((?:[^"\\]|\\\n)*)"', README)
    return exports[-1].replace("\\\n", "")


def readme_bodies() -> list[Any]:
    """Every `-d '{...}'` body, in the README's order."""
    return [json.loads(body) for body in re.findall(r"-d '(\{.*?\})'", README, re.S)]


def bearer(keys: str, role: str) -> dict[str, str]:
    for entry in keys.split(","):
        _, entry_role, key = entry.split(":")
        if entry_role == role:
            return {"Authorization": f"Bearer {key}"}
    raise AssertionError(f"the README's keys have no {role}")


def test_the_readme_walkthrough_does_what_it_says(tmp_path: Path) -> None:
    keys = readme_api_keys()
    customer, released, held, unfreeze, *approvals, application, a1, a2, a3 = readme_bodies()
    erp, rep, admin = bearer(keys, "erp"), bearer(keys, "sales"), bearer(keys, "admin")
    port = free_port()
    server = ServerProcess(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        port=port,
        cwd=tmp_path,  # "SQLite under ./var/ by default"
        log=tmp_path / "serve.log",
        env={
            "GATEWAY_API_KEYS": keys,
            "GATEWAY_TOKEN_SECRET": "t" * 43,
            "GATEWAY_CONFIG": str(ROOT / "config" / "gateway.toml"),
        },
    )
    with server, httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.put("/v1/customers/C100", json=customer, headers=erp).status_code == 200
        first = http.post("/v1/orders/check", json=released, headers=erp).json()
        assert first["outcome"] == "release"
        second = http.post("/v1/orders/check", json=held, headers=erp).json()
        assert second["outcome"] == "hold"
        assert [r["code"] for r in second["reasons"]] == ["CREDIT_LIMIT_EXCEEDED"]
        assert {r["kind"] for r in second["remedies"]} == {"reduce_order", "prepay"}
        exposure = http.get("/v1/customers/C100/exposure", headers=erp)
        assert exposure.status_code == 200
        assert "gateway_decisions_total" in http.get("/metrics").text
        assert (tmp_path / "var" / "gateway.db").exists()

        unfreeze["decision_id"] = second["decision_id"]
        created = http.post("/v1/unfreeze-requests", json=unfreeze, headers=rep)
        assert created.status_code == 201, created.text
        rid = created.json()["request_id"]
        roles = ("sales_manager", "finance_manager", "general_manager")
        assert created.json()["required_roles"] == list(roles)
        assert len(approvals) == len(roles)
        for role, body in zip(roles, approvals, strict=True):
            answer = http.post(
                f"/v1/unfreeze-requests/{rid}/approve", json=body, headers=bearer(keys, role)
            )
            assert answer.status_code == 200, answer.text
        # The token path stays for ERPs that pull: the requester sees it.
        assert http.get(f"/v1/unfreeze-requests/{rid}", headers=rep).json()["token"]
        assert re.search(r"/release -H \"\$CC\"\n```", README), "the walkthrough ends there"

        done = http.post(
            f"/v1/unfreeze-requests/{rid}/release", headers=bearer(keys, "credit_controller")
        )
        assert done.status_code == 200, done.text
        release = done.json()
        assert release["outcome"] == "release"
        assert release["override"]["request_id"] == rid
        assert release["override"]["approved_by"] == ["sm1", "fm1", "gm1"]
        assert http.get(f"/v1/unfreeze-requests/{rid}", headers=rep).json()["status"] == (
            "released"
        )
        # "a re-send of that order by the ERP hears this release"
        resent = http.post("/v1/orders/check", json=held, headers=erp).json()
        assert resent["decision_id"] == release["decision_id"]
        # "The limit never moves: the customer's next order is held as before."
        nxt = {**held, "order_id": "4500012347"}
        assert http.post("/v1/orders/check", json=nxt, headers=erp).json()["outcome"] == "hold"
        audit = http.get("/v1/audit?order_id=4500012346", headers=admin).json()["events"]
        assert "request_released" in [e["kind"] for e in audit]

        # Granting credit: the application, its approvers, and what applying it does.
        filed = http.post("/v1/credit-applications", json=application, headers=rep)
        assert filed.status_code == 201, filed.text
        app = filed.json()
        assert app["required_roles"] == ["finance_manager", "sales_manager", "general_manager"]
        assert app["suggested_limit"] == "40000.00"  # (30 / 30 + 1) x 20,000
        assert "NEW_CUSTOMER_CREDIT" in [w["code"] for w in app["warnings"]]
        aid = app["application_id"]
        for role, body in zip(app["required_roles"], (a1, a2, a3), strict=True):
            answer = http.post(
                f"/v1/credit-applications/{aid}/approve", json=body, headers=bearer(keys, role)
            )
            assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "applied"
        limit = http.get("/v1/customers/C200/exposure", headers=erp).json()["exposure"]
        assert limit["credit_limit"] == "40000.00"
        events = http.get(
            "/v1/audit?customer_id=C200", headers=bearer(keys, "finance_manager")
        ).json()["events"]
        changed = [e for e in events if e["kind"] == "master_data_changed"]
        assert changed and changed[-1]["source"] == "application"
