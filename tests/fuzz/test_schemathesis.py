"""schemathesis against the gateway's own OpenAPI schema: no 5xx, responses as documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.gateway.conftest import KEYS
from tests.support.processes import gateway_process

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("fuzz")
    server = gateway_process(tmp, f"sqlite:///{tmp}/fuzz.db", env={"GATEWAY_LOG_LEVEL": "ERROR"})
    with server:
        erp = {"Authorization": f"Bearer {KEYS['erp']}"}
        httpx.put(
            f"{server.url}/v1/customers/C1",
            headers=erp,
            json={
                "name": "Fuzz",
                "credit_limit": "1000.00",
                "currency": "EUR",
                "grade": "B",
                "payment_terms_days": 30,
            },
        ).raise_for_status()
        yield schemathesis.openapi.from_url(f"{server.url}/openapi.json")
        assert "Traceback" not in server.tail(2_000_000)


schema = schemathesis.pytest.from_fixture("live_schema")
ROLE_FOR = {
    "/v1/unfreeze-requests": "sales",
    "/v1/override-tokens": "finance_manager",
    "/v1/audit": "finance_manager",
    "/v1/sync": "admin",
}


def role_for(path: str) -> str:
    return next((role for prefix, role in ROLE_FOR.items() if path.startswith(prefix)), "erp")


def negative_data_rejected(ctx: Any, response: Any, case: Any) -> bool | None:
    """negative_data_rejection, except that 413 (body over the size cap) is a refusal too."""
    if response.status_code == 413:
        return None
    result: bool | None = negative_data_rejection(ctx, response, case)
    return result


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api(case: Any) -> None:
    headers = {"Authorization": f"Bearer {KEYS[role_for(case.path)]}"}
    # Not positive_data_acceptance: the schema cannot know that "LJR" is no currency, or
    # that a decision id must exist; such requests are rightly refused with a 4xx.
    case.call_and_validate(
        headers=headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
            negative_data_rejected,
        ],
    )
