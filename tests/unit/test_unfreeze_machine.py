"""The unfreeze request and token as pure state machines: the table, and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from gateway.unfreeze.service import REFUSAL_ERRORS, _translate
from policies import Grade
from policies.approval import DEFAULT_MATRIX, ApprovalMatrix, Tier
from policies.roles import Role
from policies.unfreeze import (
    TRANSITIONS,
    Action,
    Refusal,
    RejectionCause,
    RequestStatus,
    TokenGrant,
    TokenStatus,
    UnfreezeError,
    UnfreezeRequest,
    approve,
    expire_if_due,
    redeem,
    redemption_problem,
    reject,
    release,
    revoke,
    void,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SM, FM, GM = Role.SALES_MANAGER, Role.FINANCE_MANAGER, Role.GENERAL_MANAGER


def pending(roles: tuple[Role, ...] = (SM, FM)) -> UnfreezeRequest:
    return UnfreezeRequest("R1", "rep", roles, (), RequestStatus.PENDING, NOW + timedelta(days=3))


def apply(req: UnfreezeRequest, action: Action) -> UnfreezeRequest:
    if action is Action.APPROVE:
        return approve(req, "boss", SM, "ok", NOW)
    if action is Action.REJECT:
        return reject(req, "boss", SM, "no", NOW)
    if action is Action.EXPIRE:
        return expire_if_due(req, req.expires_at)
    if action is Action.RELEASE:
        return release(req)
    return void(req)


@pytest.mark.parametrize("status", list(RequestStatus))
@pytest.mark.parametrize("action", list(Action))
def test_transition_table_is_exhaustive(status: RequestStatus, action: Action) -> None:
    req = replace(pending(), status=status)
    allowed = TRANSITIONS.get((status, action))
    if action in (Action.APPROVE, Action.REJECT, Action.RELEASE):
        if allowed is None:
            with pytest.raises(UnfreezeError) as err:
                apply(req, action)
            expected = "REQUEST_NOT_APPROVED" if action is Action.RELEASE else "REQUEST_NOT_PENDING"
            assert err.value.code == expected
        else:
            assert apply(req, action).status in allowed
    else:
        after = apply(req, action)
        # Expiry and voiding leave decided requests alone: no error, no change.
        assert after.status in (allowed or {status})


def test_approval_needs_every_required_role() -> None:
    req = approve(pending(), "ann", SM, "", NOW)
    assert req.status is RequestStatus.PENDING
    req = approve(req, "bob", FM, "", NOW)
    assert req.status is RequestStatus.APPROVED


@pytest.mark.parametrize(
    ("principal", "role", "code"),
    [
        ("rep", SM, "SELF_APPROVAL"),
        ("gm", GM, "ROLE_NOT_REQUIRED"),
    ],
)
def test_refusals(principal: str, role: Role, code: str) -> None:
    with pytest.raises(UnfreezeError) as err:
        approve(pending(), principal, role, "", NOW)
    assert err.value.code == code


def test_expired_request_cannot_be_decided() -> None:
    with pytest.raises(UnfreezeError) as err:
        approve(pending(), "ann", SM, "", NOW + timedelta(days=4))
    assert err.value.code == "REQUEST_EXPIRED"


# The shell's answer to each refusal (the core knows codes, never HTTP statuses).
REFUSAL_STATUS = {
    "REQUEST_EXPIRED": 409,
    "REQUEST_NOT_PENDING": 409,
    "REQUEST_NOT_APPROVED": 409,
    "SELF_APPROVAL": 403,
    "ROLE_NOT_REQUIRED": 403,
    "ALREADY_APPROVED": 409,
    "TOKEN_NOT_ISSUED": 409,
    "TOKEN_ALREADY_REDEEMED": 409,
}


@pytest.mark.parametrize("refusal", list(Refusal))
def test_every_refusal_has_its_answer(refusal: Refusal) -> None:
    error = _translate(UnfreezeError(refusal, "why"))
    assert (error.status, error.code, error.message) == (REFUSAL_STATUS[refusal], refusal, "why")
    assert type(error.code) is str
    assert set(REFUSAL_ERRORS) == set(Refusal) and set(REFUSAL_STATUS) == set(Refusal)


GRANT = TokenGrant(
    "T1", "sap", "O1", "C1", Decimal("100.00"), NOW + timedelta(hours=1), TokenStatus.ISSUED
)


@pytest.mark.parametrize(
    ("grant", "args", "cause"),
    [
        (GRANT, ("sap", "O1", "C1", Decimal("100.00"), NOW), None),
        (GRANT, ("sap", "O1", "C1", Decimal("100.01"), NOW), RejectionCause.AMOUNT_EXCEEDED),
        (GRANT, ("sap", "O2", "C1", Decimal("1"), NOW), RejectionCause.WRONG_ORDER),
        (GRANT, ("baan", "O1", "C1", Decimal("1"), NOW), RejectionCause.WRONG_ORDER),
        (GRANT, ("sap", "O1", "C2", Decimal("1"), NOW), RejectionCause.WRONG_CUSTOMER),
        (
            GRANT,
            ("sap", "O1", "C1", Decimal("1"), NOW + timedelta(hours=1)),
            RejectionCause.EXPIRED,
        ),
        (
            replace(GRANT, status=TokenStatus.REDEEMED),
            ("sap", "O1", "C1", Decimal("1"), NOW),
            RejectionCause.ALREADY_USED,
        ),
        (
            replace(GRANT, status=TokenStatus.REVOKED),
            ("sap", "O1", "C1", Decimal("1"), NOW),
            RejectionCause.REVOKED,
        ),
    ],
)
def test_redemption_rules(grant: TokenGrant, args: tuple, cause: RejectionCause | None) -> None:  # type: ignore[type-arg]
    problem = redemption_problem(grant, *args)
    assert (problem[0] if problem else None) == cause


def test_token_moves_once() -> None:
    used = redeem(GRANT)
    with pytest.raises(UnfreezeError):
        redeem(used)
    with pytest.raises(UnfreezeError):
        revoke(used)
    assert revoke(GRANT).status is TokenStatus.REVOKED


@pytest.mark.parametrize(
    ("amount", "grade", "roles"),
    [
        # Seed 004 4.1: all three approve every unfreeze, from amount 0.
        (Decimal("0"), Grade.A, (SM, FM, GM)),
        (Decimal("10"), Grade.A, (SM, FM, GM)),
        (Decimal("99999.99"), Grade.B, (SM, FM, GM)),
        (Decimal("100000"), Grade.B, (SM, FM, GM)),
        (Decimal("1"), Grade.D, (SM, FM, GM)),
    ],
)
def test_default_matrix(amount: Decimal, grade: Grade, roles: tuple[Role, ...]) -> None:
    assert DEFAULT_MATRIX.required_roles(amount, grade) == roles


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ((), "first tier"),
        ((Tier(Decimal(5), frozenset({SM})),), "first tier"),
        ((Tier(Decimal(0), frozenset({SM})), Tier(Decimal(0), frozenset({FM}))), "increasing"),
        ((Tier(Decimal(0), frozenset({Role.SALES})),), "approver roles"),
        ((Tier(Decimal(0), frozenset()),), "at least one role"),
    ],
)
def test_matrix_validation(tiers: tuple[Tier, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ApprovalMatrix(tiers=tiers)


class RequestAndToken(RuleBasedStateMachine):
    """Random sequences of steps by random people at random times."""

    def __init__(self) -> None:
        super().__init__()
        self.req = pending((SM, FM))
        self.now = NOW
        self.grant: TokenGrant | None = None
        self.redemptions = 0
        self.history: list[RequestStatus] = [self.req.status]

    @rule(principal=st.sampled_from(["rep", "ann", "bob"]), role=st.sampled_from([SM, FM, GM]))
    def try_approve(self, principal: str, role: Role) -> None:
        try:
            self.req = approve(self.req, principal, role, "", self.now)
        except UnfreezeError:
            return
        assert principal != "rep"
        if self.req.status is RequestStatus.APPROVED:
            self.grant = TokenGrant(
                "T",
                "sap",
                "O1",
                "C1",
                Decimal(100),
                self.now + timedelta(hours=24),
                TokenStatus.ISSUED,
            )

    @rule(principal=st.sampled_from(["rep", "ann"]), role=st.sampled_from([SM, FM]))
    def try_reject(self, principal: str, role: Role) -> None:
        try:
            self.req = reject(self.req, principal, role, "no", self.now)
        except UnfreezeError:
            return

    @rule(hours=st.integers(0, 100))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        self.req = expire_if_due(self.req, self.now)

    @precondition(lambda self: self.grant is not None)
    @rule(amount=st.decimals(1, 200, places=2))
    def redeem_token(self, amount: Decimal) -> None:
        assert self.grant is not None
        problem = redemption_problem(self.grant, "sap", "O1", "C1", amount, self.now)
        if problem is None:
            self.grant = redeem(self.grant)
            self.redemptions += 1
            assert self.now < self.grant.expires_at  # an expired token never releases
            assert amount <= self.grant.max_amount

    @invariant()
    def at_most_one_redemption(self) -> None:
        assert self.redemptions <= 1

    @invariant()
    def only_table_moves(self) -> None:
        if self.req.status is not self.history[-1]:
            assert self.history[-1] is RequestStatus.PENDING  # decided ones never move
            self.history.append(self.req.status)

    @invariant()
    def requester_never_approves(self) -> None:
        assert all(a.principal != self.req.requester for a in self.req.approvals)


TestRequestAndToken = RequestAndToken.TestCase
