"""Console sessions: an API key, once, turned into a server-side session and a cookie.

The session's row (gateway.console.repository) holds the principal, role, expiry and
sign-out; the cookie carries only the session's random id and a CSRF token, signed
with itsdangerous under its own salt (so it can never pass for an override token, and
a forged cookie costs no database read). The key itself is never stored. HttpOnly,
SameSite=Strict, Secure over TLS.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from itsdangerous import BadData, URLSafeTimedSerializer

from gateway.auth import Principal

COOKIE = "gateway_console"
# v2: the cookie names a server-side session; v1 cookies (principal and role inside)
# fail the signature, so their holders sign in again.
SALT = "order-hold-gateway/console-session/v2"
MAX_AGE = 8 * 3600
LIFETIME = timedelta(seconds=MAX_AGE)


@dataclass(frozen=True)
class Ticket:
    """What the cookie says: which session, and the CSRF token of its forms."""

    session_id: str
    csrf: str


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str
    session_id: str


class SessionCodec:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)

    def issue(self, response: Response, request: Request, session_id: str) -> None:
        value = self._serializer.dumps({"s": session_id, "c": secrets.token_urlsafe(24)})
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=over_tls(request),
            path="/console",
        )

    def read(self, request: Request) -> Ticket | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=MAX_AGE)
            return Ticket(str(data["s"]), str(data["c"]))
        except (BadData, KeyError, TypeError, ValueError):
            return None

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/console")


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return submitted is not None and hmac.compare_digest(session.csrf, submitted)


def over_tls(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded == "https"
