"""The check's HTTP edge, once: a request's headers and body in, the order to check and
who asks out, or the error the contract answers.

Both ways in call it: the ASGI layer that serves every `POST /v1/orders/check`
(`gateway.orders.fast_path`) and the declared route (`gateway.orders.routes.check`).
It answers in the order FastAPI gave a route declaring `body: CheckIn` and an ERP-role
dependency, the contract since the first release (docs/api.md: an undecodable body is
reported before the key is looked at, every other refusal after it):
1. the body is read as JSON when declared so, or declared as nothing: undecodable is 422
   `MALFORMED_JSON` (`DUPLICATE_KEY` for a repeated key);
2. the key (401) and its role (403 `FORBIDDEN_ROLE`);
3. the body as `CheckIn` (422, with FastAPI's field paths: `body.amount`);
4. a key scoped to another ERP (403 `ERP_SCOPE`).
Errors are raised, never rendered: `gateway.error_handlers` answers them.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gateway.auth import KeyRing, Principal, admit_role, bearer_principal, require_erp_scope
from gateway.http import decode_exact_json
from gateway.orders.schemas import CheckIn
from policies.roles import Role

ERP_ONLY = frozenset({Role.ERP})
_JSON = b"application/json"


@dataclass(frozen=True)
class AdmittedCheck:
    order: CheckIn
    principal: Principal


class _NoBody:
    """An empty body: the order is missing (not `null`, which is a body)."""


def admit_check(
    headers: Iterable[tuple[bytes, bytes]], body: bytes, keyring: KeyRing
) -> AdmittedCheck:
    """The order and its principal, or the contract's error (see the module's doc)."""
    # A header sent twice counts as its first, as Starlette reads it.
    content_type = authorization = None
    for name, value in headers:
        if name == b"content-type" and content_type is None:
            content_type = value
        elif name == b"authorization" and authorization is None:
            authorization = value
    data = _decoded(body, content_type)
    principal = admit_role(
        bearer_principal(keyring, (authorization or b"").decode("latin-1")), ERP_ONLY
    )
    order = _validated(data)
    require_erp_scope(principal, order.erp)
    return AdmittedCheck(order, principal)


def _decoded(body: bytes, content_type: bytes | None) -> Any:
    """The body as the route reads it: JSON when declared JSON or not declared at all
    (strict_content_type off), else the bytes themselves (refused as not an object)."""
    if not body:
        return _NoBody
    if content_type and content_type != _JSON and not _declares_json(content_type):
        return body
    try:
        return decode_exact_json(body)
    except json.JSONDecodeError as exc:
        # FastAPI's error for it; a DuplicateKeyError as its cause is DUPLICATE_KEY.
        error = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise RequestValidationError([error], body=exc.doc) from exc


@lru_cache(maxsize=64)
def _declares_json(content_type: bytes) -> bool:
    """Whether FastAPI reads a body so declared as JSON: its own test, by the email
    package's reading of the header (application/json or application/*+json)."""
    message = email.message.Message()
    message["content-type"] = content_type.decode("latin-1")
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _validated(data: Any) -> CheckIn:
    if data is _NoBody:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    try:
        # FastAPI validates a body with from_attributes, which words the error for a
        # body that is no object; for an object it changes nothing here (CheckIn has
        # no nested model) but costs a third of the validation.
        return CheckIn.model_validate(data, from_attributes=not isinstance(data, dict))
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=data) from None
