"""Request bodies of the unfreeze flow, and the answers (a request as `views.view` shows it)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from gateway.orders.schemas import ExposureOut
from gateway.schemas import (
    Absent,
    DateOnly,
    DayText,
    DecimalText,
    MomentText,
    PositiveAmount,
    RequestModel,
    ResponseModel,
)


class Installment(RequestModel):
    due_date: DateOnly
    amount: PositiveAmount


class UnfreezeIn(RequestModel):
    decision_id: str = Field(min_length=1, max_length=36)
    condition: Literal["paid_overdue", "repayment_plan", "other"]
    justification: str = Field(min_length=1, max_length=4000, pattern=r"\S")
    repayment_plan: list[Installment] | None = Field(default=None, max_length=60)


class DecisionCommentIn(RequestModel):
    comment: str = Field(default="", max_length=2000)


class RejectIn(RequestModel):
    """A rejection says why: the schema says a comment with a non-blank character is
    required; the route answers COMMENT_REQUIRED (422) for one that is not."""

    model_config = ConfigDict(json_schema_extra={"required": ["comment"]})

    comment: str = Field(default="", max_length=2000, json_schema_extra={"pattern": r"\S"})


class ReleaseIn(RequestModel):
    """The credit controller's release; a bank reference names a payment in transit."""

    bank_reference: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"\S")


class ApprovalOut(ResponseModel):
    principal: str
    role: str
    at: MomentText
    comment: str | None


class RejectionOut(ResponseModel):
    principal: str
    role: str
    comment: str | None
    at: MomentText | None


class InstallmentOut(ResponseModel):
    due_date: DayText
    amount: DecimalText


class FilingFiguresOut(ResponseModel):
    """The customer's figures when the request was filed (stored with it)."""

    currency: str
    credit_limit: DecimalText
    payment_terms_days: int
    open_items: DecimalText
    open_orders: DecimalText
    over_limit: DecimalText
    overdue_amount: DecimalText
    oldest_overdue_days: int
    order_amount: DecimalText
    reasons: list[str]


class ReleaseFiguresOut(ExposureOut):
    """The exposure when the controller released the order, with the customer's terms
    and the reasons it was held for (stored with the request)."""

    payment_terms_days: int
    reasons: list[str]


class UnfreezeRequestOut(ResponseModel):
    """An unfreeze request; `token` and `token_expires_at` only for its requester (the
    routes set `response_model_exclude_unset`: the keys are left out for others)."""

    request_id: str
    status: Literal["pending", "approved", "rejected", "expired", "voided", "released"]
    required_roles: list[str]
    approvals: list[ApprovalOut]
    erp: str
    order_id: str
    revision: int
    customer_id: str
    decision_id: str
    amount: DecimalText
    currency: str
    condition: Literal["paid_overdue", "repayment_plan", "other"]
    justification: str
    repayment_plan: list[InstallmentOut] | None
    figures: FilingFiguresOut
    requester: str
    created_at: MomentText
    expires_at: MomentText
    decided_at: MomentText | None
    token_id: str | None
    token_status: str | None
    rejection: RejectionOut | None
    released_at: MomentText | None
    released_by: str | None
    release_decision_id: str | None
    release_figures: ReleaseFiguresOut | None
    bank_reference: str | None
    token: str | Absent = None
    token_expires_at: MomentText | Absent = None


class UnfreezeRequestsOut(ResponseModel):
    requests: list[UnfreezeRequestOut]


class TokenRevokedOut(ResponseModel):
    token_id: str
    status: Literal["revoked"]
    request_id: str
