"""Override tokens: round trip, tampering, garbage, short secrets."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.unfreeze.tokens import BadTokenError, TokenClaims, TokenSigner, fingerprint

SECRET = "k" * 40
CLAIMS = TokenClaims(
    "tok-1",
    "req-1",
    "sap",
    "4500012345",
    "C100",
    Decimal("12500.00"),
    datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
)


def test_round_trip_and_determinism() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue(CLAIMS)
    assert signer.verify(token) == CLAIMS
    assert signer.issue(CLAIMS) == token
    assert "C100" not in fingerprint(token) and len(fingerprint(token)) == 12


def test_every_single_character_change_is_refused() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue(CLAIMS)
    for i in range(len(token)):
        replacement = "A" if token[i] != "A" else "B"
        tampered = token[:i] + replacement + token[i + 1 :]
        # Either refused, or (a base64 padding bit) the very same claims: never others.
        with contextlib.suppress(BadTokenError):
            assert signer.verify(tampered) == CLAIMS


def test_other_secret_is_refused() -> None:
    token = TokenSigner(SECRET).issue(CLAIMS)
    with pytest.raises(BadTokenError):
        TokenSigner("z" * 40).verify(token)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32"):
        TokenSigner("short")


@given(st.text(max_size=300))
def test_garbage_only_raises_bad_token(garbage: str) -> None:
    with pytest.raises(BadTokenError):
        TokenSigner(SECRET).verify(garbage)
