"""The unfreeze request and its override token, as pure state machines.

A request moves only along `TRANSITIONS`; a token is issued when its request is
approved and is then redeemed or revoked, once. Nothing here touches a credit
limit: an approved request releases one order, never more credit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from policies.roles import Role


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    VOIDED = "voided"
    RELEASED = "released"  # the credit controller released the approved order


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EXPIRE = "expire"
    VOID = "void"
    RELEASE = "release"


# Every legal move. APPROVE keeps a request pending until its last required role
# approves. Anything not listed is refused: decided requests are final.
TRANSITIONS: dict[tuple[RequestStatus, Action], frozenset[RequestStatus]] = {
    (RequestStatus.PENDING, Action.APPROVE): frozenset(
        {RequestStatus.PENDING, RequestStatus.APPROVED}
    ),
    (RequestStatus.PENDING, Action.REJECT): frozenset({RequestStatus.REJECTED}),
    (RequestStatus.PENDING, Action.EXPIRE): frozenset({RequestStatus.EXPIRED}),
    (RequestStatus.PENDING, Action.VOID): frozenset({RequestStatus.VOIDED}),
    (RequestStatus.APPROVED, Action.RELEASE): frozenset({RequestStatus.RELEASED}),
}


class Refusal(StrEnum):
    """Why a step was refused: stable codes, clients key on them (the shell maps each
    to its answer)."""

    REQUEST_EXPIRED = "REQUEST_EXPIRED"
    REQUEST_NOT_PENDING = "REQUEST_NOT_PENDING"
    REQUEST_NOT_APPROVED = "REQUEST_NOT_APPROVED"
    SELF_APPROVAL = "SELF_APPROVAL"
    ROLE_NOT_REQUIRED = "ROLE_NOT_REQUIRED"
    ALREADY_APPROVED = "ALREADY_APPROVED"
    TOKEN_NOT_ISSUED = "TOKEN_NOT_ISSUED"  # noqa: S105 (a code, not a secret)
    TOKEN_ALREADY_REDEEMED = "TOKEN_ALREADY_REDEEMED"  # noqa: S105


class UnfreezeError(Exception):
    """A refused step: `code` says why, `message` says it to a person."""

    def __init__(self, code: Refusal, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Approval:
    principal: str
    role: Role
    at: datetime
    comment: str


@dataclass(frozen=True, slots=True)
class UnfreezeRequest:
    request_id: str
    requester: str
    required_roles: tuple[Role, ...]
    approvals: tuple[Approval, ...]
    status: RequestStatus
    expires_at: datetime

    @property
    def approved_roles(self) -> frozenset[Role]:
        return frozenset(a.role for a in self.approvals)


def _require_pending(req: UnfreezeRequest, action: Action, now: datetime) -> None:
    if req.status is RequestStatus.PENDING and now >= req.expires_at:
        raise UnfreezeError(Refusal.REQUEST_EXPIRED, f"request {req.request_id} has expired")
    if (req.status, action) not in TRANSITIONS:
        raise UnfreezeError(
            Refusal.REQUEST_NOT_PENDING, f"request {req.request_id} is {req.status}, not pending"
        )


def _require_approver(req: UnfreezeRequest, principal: str, role: Role) -> None:
    if principal == req.requester:
        raise UnfreezeError(Refusal.SELF_APPROVAL, "the requester cannot decide their own request")
    if role not in req.required_roles:
        raise UnfreezeError(
            Refusal.ROLE_NOT_REQUIRED,
            f"role {role} is not among the required roles ({', '.join(req.required_roles)})",
        )


def approve(
    req: UnfreezeRequest, principal: str, role: Role, comment: str, now: datetime
) -> UnfreezeRequest:
    _require_pending(req, Action.APPROVE, now)
    _require_approver(req, principal, role)
    if role in req.approved_roles:
        raise UnfreezeError(Refusal.ALREADY_APPROVED, f"role {role} has already approved")
    approvals = (*req.approvals, Approval(principal, role, now, comment))
    done = set(req.required_roles) <= {a.role for a in approvals}
    status = RequestStatus.APPROVED if done else RequestStatus.PENDING
    return replace(req, approvals=approvals, status=status)


def reject(
    req: UnfreezeRequest, principal: str, role: Role, comment: str, now: datetime
) -> UnfreezeRequest:
    _require_pending(req, Action.REJECT, now)
    _require_approver(req, principal, role)
    return replace(req, status=RequestStatus.REJECTED)


def release(req: UnfreezeRequest) -> UnfreezeRequest:
    """The credit controller releases an approved request's order."""
    if (req.status, Action.RELEASE) not in TRANSITIONS:
        raise UnfreezeError(
            Refusal.REQUEST_NOT_APPROVED, f"request {req.request_id} is {req.status}, not approved"
        )
    return replace(req, status=RequestStatus.RELEASED)


def lapsed(status: RequestStatus, expires_at: datetime, now: datetime) -> bool:
    """Undecided requests lapse at `expires_at`."""
    return status is RequestStatus.PENDING and now >= expires_at


def expire_if_due(req: UnfreezeRequest, now: datetime) -> UnfreezeRequest:
    if lapsed(req.status, req.expires_at, now):
        return replace(req, status=RequestStatus.EXPIRED)
    return req


def void(req: UnfreezeRequest) -> UnfreezeRequest:
    """The order changed (a higher revision, a larger amount): the figures are outdated."""
    if req.status is not RequestStatus.PENDING:
        return req
    return replace(req, status=RequestStatus.VOIDED)


class TokenStatus(StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"
    REVOKED = "revoked"


class RejectionCause(StrEnum):
    """Why a token did not release an order (the `cause` label of the metric)."""

    BAD_SIGNATURE = "bad_signature"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    ALREADY_USED = "already_used"
    REVOKED = "revoked"
    WRONG_ORDER = "wrong_order"
    WRONG_CUSTOMER = "wrong_customer"
    AMOUNT_EXCEEDED = "amount_exceeded"
    CONDITION_NOT_MET = "condition_not_met"


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What an issued token allows: one order, up to an amount, until a time."""

    token_id: str
    erp: str
    order_id: str
    customer_id: str
    max_amount: Decimal
    expires_at: datetime
    status: TokenStatus


def redemption_problem(
    grant: TokenGrant, erp: str, order_id: str, customer_id: str, amount: Decimal, now: datetime
) -> tuple[RejectionCause, str] | None:
    """None if the token releases this order now; else the cause and a message."""
    if grant.status is TokenStatus.REDEEMED:
        return RejectionCause.ALREADY_USED, "the token has already been used"
    if grant.status is TokenStatus.REVOKED:
        return RejectionCause.REVOKED, "the token was revoked"
    if now >= grant.expires_at:
        return RejectionCause.EXPIRED, f"the token expired at {grant.expires_at.isoformat()}"
    if customer_id != grant.customer_id:
        return RejectionCause.WRONG_CUSTOMER, f"the token is for customer {grant.customer_id}"
    if (erp, order_id) != (grant.erp, grant.order_id):
        return RejectionCause.WRONG_ORDER, f"the token is for order {grant.erp}/{grant.order_id}"
    if amount > grant.max_amount:
        return (
            RejectionCause.AMOUNT_EXCEEDED,
            f"amount {amount} is above the approved {grant.max_amount}",
        )
    return None


def redeem(grant: TokenGrant) -> TokenGrant:
    if grant.status is not TokenStatus.ISSUED:
        raise UnfreezeError(Refusal.TOKEN_NOT_ISSUED, f"token is {grant.status}")
    return replace(grant, status=TokenStatus.REDEEMED)


def revoke(grant: TokenGrant) -> TokenGrant:
    if grant.status is TokenStatus.REDEEMED:
        raise UnfreezeError(Refusal.TOKEN_ALREADY_REDEEMED, "a redeemed token cannot be revoked")
    return replace(grant, status=TokenStatus.REVOKED)
