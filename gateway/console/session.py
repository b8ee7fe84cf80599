"""Console sessions: an API key, once, turned into a server-side session and a cookie.

The session's row (gateway.console.repository) holds the principal, role, expiry and
sign-out; the cookie carries only the session's random id and a CSRF token, signed
with itsdangerous under its own salt (so it can never pass for an override token, and
a forged cookie costs no database read). The key itself is never stored. HttpOnly,
SameSite=Strict, Secure over TLS. The sign-in form has a CSRF token too (LoginForms).
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
LOGIN_COOKIE = "gateway_console_login"
LOGIN_SALT = "order-hold-gateway/console-login/v1"
LOGIN_MAX_AGE = 3600  # a sign-in form older than this is refused, and shown afresh


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


class LoginForms:
    """The sign-in form's CSRF token, before there is a session to bind it to: a random
    nonce in a pre-session cookie, the nonce signed in the form's hidden field. A form
    posted from another site can carry neither (login CSRF: signing a victim in under
    the attacker's key). The nonce alone grants nothing, so its cookie is SameSite=Lax:
    a link from elsewhere to the console keeps the nonce other open tabs' forms carry."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=LOGIN_SALT)

    @staticmethod
    def nonce(request: Request) -> str:
        """The browser's nonce, or a new one (see `remember`)."""
        kept = request.cookies.get(LOGIN_COOKIE, "")
        return kept if 20 <= len(kept) <= 64 else secrets.token_urlsafe(24)

    def token(self, nonce: str) -> str:
        return self._serializer.dumps(nonce)

    @staticmethod
    def remember(response: Response, request: Request, nonce: str) -> None:
        response.set_cookie(
            LOGIN_COOKIE,
            nonce,
            max_age=LOGIN_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=over_tls(request),
            path="/console",
        )

    @staticmethod
    def forget(response: Response) -> None:
        response.delete_cookie(LOGIN_COOKIE, path="/console")

    def valid(self, request: Request, submitted: str) -> bool:
        nonce = request.cookies.get(LOGIN_COOKIE)
        if not nonce or not submitted:
            return False
        try:
            signed = self._serializer.loads(submitted, max_age=LOGIN_MAX_AGE)
        except BadData:
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, nonce)


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return submitted is not None and hmac.compare_digest(session.csrf, submitted)


def over_tls(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded == "https"
