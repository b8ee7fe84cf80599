"""A credit application's approvals as a pure state machine: pending until the last
required role approves, then applied (a pure reduction then awaits its ratify roles, and
ends ratified), or rejected, or expired. Separation of duties as for unfreeze requests."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from policies.credit_application import ApplicationStatus
from policies.roles import Role


class Refusal(StrEnum):
    APPLICATION_EXPIRED = "APPLICATION_EXPIRED"
    APPLICATION_NOT_PENDING = "APPLICATION_NOT_PENDING"
    SELF_APPROVAL = "SELF_APPROVAL"
    ROLE_NOT_REQUIRED = "ROLE_NOT_REQUIRED"
    ALREADY_APPROVED = "ALREADY_APPROVED"


class ApplicationError(Exception):
    def __init__(self, code: Refusal, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Application:
    requester: str
    status: ApplicationStatus
    required_roles: tuple[Role, ...]
    ratify_roles: tuple[Role, ...]
    approved_roles: frozenset[Role] = field(default_factory=frozenset)
    expires_at: datetime | None = None

    @property
    def awaiting_ratification(self) -> bool:
        return self.status is ApplicationStatus.APPLIED and not set(self.ratify_roles) <= set(
            self.approved_roles
        )

    def deciders(self) -> tuple[Role, ...]:
        return (*self.required_roles, *self.ratify_roles)


def lapsed(app: Application, now: datetime) -> bool:
    return (
        app.status is ApplicationStatus.PENDING
        and app.expires_at is not None
        and now >= app.expires_at
    )


def _may_decide(app: Application, principal: str, role: Role, now: datetime) -> tuple[Role, ...]:
    """The roles this step may be taken by (required ones, or ratifying ones)."""
    if lapsed(app, now):
        raise ApplicationError(Refusal.APPLICATION_EXPIRED, "the application has expired")
    if app.status is ApplicationStatus.PENDING:
        roles = app.required_roles
    elif app.awaiting_ratification:
        roles = app.ratify_roles
    else:
        raise ApplicationError(
            Refusal.APPLICATION_NOT_PENDING, f"the application is {app.status.value}"
        )
    if principal == app.requester:
        raise ApplicationError(
            Refusal.SELF_APPROVAL, "the requester cannot decide their own application"
        )
    if role not in roles:
        raise ApplicationError(
            Refusal.ROLE_NOT_REQUIRED,
            f"role {role.value} is not among the roles to decide "
            f"({', '.join(r.value for r in roles)})",
        )
    if role in app.approved_roles:
        raise ApplicationError(Refusal.ALREADY_APPROVED, f"role {role.value} has already approved")
    return roles


def approve(app: Application, principal: str, role: Role, now: datetime) -> Application:
    """Pending until the last required role approves: then applied (and, with ratify
    roles, awaiting them); a ratification of an applied one ends at ratified."""
    _may_decide(app, principal, role, now)
    approved = app.approved_roles | {role}
    if app.status is ApplicationStatus.APPLIED:
        done = set(app.ratify_roles) <= approved
        return replace(
            app,
            approved_roles=approved,
            status=ApplicationStatus.RATIFIED if done else ApplicationStatus.APPLIED,
        )
    if set(app.required_roles) <= approved:
        return replace(app, approved_roles=approved, status=ApplicationStatus.APPLIED)
    return replace(app, approved_roles=approved)


def reject(app: Application, principal: str, role: Role, now: datetime) -> Application:
    """Only a pending application can be rejected: an applied change stands (a reduction
    lowered risk; refusing to ratify it is for a new application)."""
    roles = _may_decide(app, principal, role, now)
    if app.status is not ApplicationStatus.PENDING:
        raise ApplicationError(
            Refusal.APPLICATION_NOT_PENDING,
            f"the application is {app.status.value}; file a new one to change it "
            f"(roles deciding now: {', '.join(r.value for r in roles)})",
        )
    return replace(app, status=ApplicationStatus.REJECTED)
