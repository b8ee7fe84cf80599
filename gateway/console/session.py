"""Console sessions: an API key, once, turned into a signed session cookie.

The cookie carries the principal, role, a CSRF token and its issue time, signed
with itsdangerous under its own salt (so it can never pass for an override token).
The key itself is never stored. HttpOnly, SameSite=Strict, Secure over TLS.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadData, URLSafeTimedSerializer

from gateway.auth import Principal
from policies.roles import Role

COOKIE = "gateway_console"
SALT = "order-hold-gateway/console-session/v1"
MAX_AGE = 8 * 3600


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str


class SessionCodec:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)

    def issue(self, response: Response, request: Request, principal: Principal) -> None:
        value = self._serializer.dumps(
            {"p": principal.name, "r": principal.role.value, "c": secrets.token_urlsafe(24)}
        )
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=_over_tls(request),
            path="/console",
        )

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=MAX_AGE)
            return Session(Principal(str(data["p"]), Role(data["r"])), str(data["c"]))
        except (BadData, KeyError, TypeError, ValueError):
            return None

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/console")


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return submitted is not None and hmac.compare_digest(session.csrf, submitted)


def _over_tls(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded == "https"
