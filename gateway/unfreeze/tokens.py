"""Override tokens: opaque, signed, bound to one order.

Signed with itsdangerous (the Pallets project's signing library, used by Flask for
its sessions): HMAC-SHA1/SHA-512 signatures over a compact URL-safe payload, checked
with `hmac.compare_digest` (constant time), and a salt that keeps these signatures
apart from any other use of the secret. We use the untimed serializer with the
expiry inside the payload, so the same claims always give the same token: the
requester can be shown it again without the gateway ever storing it.

Single use is server-side state (the override_tokens row), not in the token.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

SALT = "order-hold-gateway/override-token/v1"
MIN_SECRET = 32


class BadTokenError(ValueError):
    """Not a token this gateway signed (tampered, truncated, garbage, other secret)."""


@dataclass(frozen=True)
class TokenClaims:
    token_id: str
    request_id: str
    erp: str
    order_id: str
    customer_id: str
    max_amount: Decimal
    expires_at: datetime


def fingerprint(token: str) -> str:
    """A short, stable handle for logs: tokens are never logged whole."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


class TokenSigner:
    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET:
            raise ValueError(f"the token secret needs at least {MIN_SECRET} characters")
        self._serializer = URLSafeSerializer(
            secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha512}
        )

    def issue(self, claims: TokenClaims) -> str:
        payload = {
            "t": claims.token_id,
            "r": claims.request_id,
            "e": claims.erp,
            "o": claims.order_id,
            "c": claims.customer_id,
            "a": str(claims.max_amount),
            "x": int(claims.expires_at.timestamp()),
        }
        token: str = self._serializer.dumps(payload)
        return token

    def verify(self, token: str) -> TokenClaims:
        try:
            data: Any = self._serializer.loads(token)
            return TokenClaims(
                token_id=str(data["t"]),
                request_id=str(data["r"]),
                erp=str(data["e"]),
                order_id=str(data["o"]),
                customer_id=str(data["c"]),
                max_amount=Decimal(str(data["a"])),
                expires_at=datetime.fromtimestamp(int(data["x"]), UTC),
            )
        except (
            BadData,
            KeyError,
            TypeError,
            ValueError,
            InvalidOperation,
            OverflowError,
            UnicodeError,
        ) as exc:
            raise BadTokenError("not a valid override token") from exc
