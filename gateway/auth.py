"""API keys with roles (an erp key optionally scoped to one ERP), compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from gateway.errors import Forbidden, Unauthenticated
from gateway.schemas import ERP_NAME_PATTERN
from policies.roles import Role


@dataclass(frozen=True)
class ApiKey:
    principal: str
    role: Role
    digest: bytes  # sha256 of the key: the key itself is not kept in memory
    erp_scope: str | None = None  # `principal:erp/sap:key`: acts for that one ERP only


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    erp_scope: str | None = None

    def may_act_for(self, erp: str) -> bool:
        return self.erp_scope is None or self.erp_scope == erp


def require_erp_scope(principal: Principal, erp: str, field: str | None = None) -> None:
    """403 ERP_SCOPE when a key scoped to one ERP acts on another ERP's orders."""
    if not principal.may_act_for(erp):
        raise Forbidden(
            f"this key acts for ERP {principal.erp_scope!r} only, not {erp!r}",
            code="ERP_SCOPE",
            details=[{"field": field, "erp": erp}] if field else None,
        )


_ERP_NAME = re.compile(ERP_NAME_PATTERN)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def parse_api_keys(raw: str) -> tuple[ApiKey, ...]:
    keys: list[ApiKey] = []
    first_with: dict[bytes, tuple[int, str]] = {}  # digest -> the entry that listed it
    for n, entry in enumerate(filter(None, (e.strip() for e in raw.split(","))), start=1):
        parts = entry.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"entry {n} is not principal:role:key")
        principal, role_field, key = parts
        role, scoped, scope = role_field.partition("/")
        try:
            parsed_role = Role(role)
        except ValueError:
            roles = ", ".join(r.value for r in Role)
            raise ValueError(
                f"entry {n} ({principal}) has unknown role {role!r}; roles: {roles}"
            ) from None
        if scoped and parsed_role is not Role.ERP:
            raise ValueError(
                f"entry {n} ({principal}): only erp keys may be scoped to an ERP, not {role_field}"
            )
        if scoped and not _ERP_NAME.fullmatch(scope):
            raise ValueError(
                f"entry {n} ({principal}) is scoped to {scope!r}, not an ERP name "
                "(a lower-case letter, then up to 31 of a-z, 0-9, _ and -)"
            )
        if len(key) < 16:
            raise ValueError(f"entry {n} ({principal}): key shorter than 16 characters")
        digest = _digest(key)
        if digest in first_with:
            # One key, two principals (or roles): which would it authenticate as? Refused,
            # naming the entries and never the key.
            m, other = first_with[digest]
            raise ValueError(f"entries {m} ({other}) and {n} ({principal}) share one key")
        first_with[digest] = (n, principal)
        keys.append(ApiKey(principal, parsed_role, digest, scope if scoped else None))
    if not keys:
        raise ValueError("no keys given")
    return tuple(keys)


class KeyRing:
    def __init__(self, keys: tuple[ApiKey, ...]) -> None:
        self._keys = keys

    def authenticate(self, presented: str) -> Principal | None:
        # Compare against every key, without stopping early, so timing says nothing
        # about which key (or which prefix) matched.
        digest = _digest(presented)
        found: ApiKey | None = None
        for key in self._keys:
            if hmac.compare_digest(digest, key.digest):
                found = key
        return Principal(found.principal, found.role, found.erp_scope) if found else None

    def has(self, principal: str, role: Role) -> bool:
        """Whether some key still names this principal with this role: a console session
        lives only as long as the access it was made from."""
        return any(k.principal == principal and k.role is role for k in self._keys)


def principal_from(request: Request) -> Principal:
    keyring: KeyRing = request.app.state.keyring
    return bearer_principal(keyring, request.headers.get("authorization", ""))


def bearer_principal(keyring: KeyRing, header: str) -> Principal:
    """The principal of an `Authorization: Bearer <key>` header value."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer API key", code="UNAUTHENTICATED")
    principal = keyring.authenticate(token.strip())
    if principal is None:
        raise Unauthenticated("unknown API key", code="UNAUTHENTICATED")
    return principal


def require(*roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency admitting only the given roles.

    Async on purpose: a sync dependency would cost a threadpool hop on every request.
    """
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        principal = admit_role(principal_from(request), allowed)
        request.state.principal = principal
        return principal

    return dependency


def admit_role(principal: Principal, allowed: frozenset[Role]) -> Principal:
    """The principal, if its role is one of `allowed`; else 403 FORBIDDEN_ROLE."""
    if principal.role not in allowed:
        raise Forbidden(
            f"role {principal.role} may not do this; allowed: "
            + ", ".join(sorted(r.value for r in allowed)),
            code="FORBIDDEN_ROLE",
        )
    return principal
