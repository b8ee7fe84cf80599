"""Keys on the running app: what each role may reach."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import Api


@pytest.mark.parametrize("who", ["credit_controller", "cfo"])
def test_the_finance_roles_added_sign_in_but_may_do_nothing_yet(api: Api, who: str) -> None:
    api.customer("C100")
    refused = [
        api.post("/v1/orders/check", {}, who=who),
        api.post("/v1/orders/sap/O1/cancel", who=who),
        api.put("/v1/customers/C100", {}, who=who),
        api.get("/v1/customers/C100/exposure", who=who),
        api.get("/v1/unfreeze-requests", who=who),
        api.get("/v1/audit", who=who),
        api.get("/v1/sync", who=who),
    ]
    for answer in refused:
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "FORBIDDEN_ROLE"
