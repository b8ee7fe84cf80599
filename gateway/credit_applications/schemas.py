"""Request bodies of credit applications, and the answers (`views.view`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, Strict, StringConstraints

from gateway.orders.schemas import ExposureOut, ReasonOut
from gateway.schemas import (
    CurrencyCode,
    DateOnly,
    DayText,
    DecimalText,
    Identifier,
    MomentText,
    NonNegativeAmount,
    PositiveAmount,
    RequestModel,
    ResponseModel,
    WholeNumber,
)
from policies import Grade
from policies.literals import integral

Factor = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# Whole points, 0-100 (a factor's own maximum is the scorecard's: 422 INVALID_SCORE).
# Constraints before the integral reader, so the schema states them as JSON Schema does.
Points = Annotated[int, Strict(), Field(ge=0, le=100), BeforeValidator(integral)]


class ApplicationIn(RequestModel):
    customer_id: Identifier
    kind: Literal["new", "update"]
    name: str | None = Field(default=None, min_length=1, max_length=200)
    credit_limit: NonNegativeAmount
    currency: CurrencyCode
    payment_terms_days: WholeNumber = Field(ge=0, le=3650)
    grade: Grade
    review_date: DateOnly | None = None
    forecast_monthly_sales: PositiveAmount | None = None
    payment_terms_basis: Literal["invoice", "month_end"] = "invoice"
    score: dict[Factor, Points] | None = Field(default=None, max_length=64)
    valid_until: DateOnly | None = None
    justification: str = Field(min_length=1, max_length=4000, pattern=r"\S")


class CommentIn(RequestModel):
    comment: str = Field(default="", max_length=2000)


class RejectCommentIn(CommentIn):
    """A rejection says why: the schema says a comment with a non-blank character is
    required; the route answers COMMENT_REQUIRED (422) for one that is not (as
    `gateway.unfreeze.schemas.RejectIn`)."""

    model_config = ConfigDict(json_schema_extra={"required": ["comment"]})

    comment: str = Field(default="", max_length=2000, json_schema_extra={"pattern": r"\S"})


class ProposedTermsOut(ResponseModel):
    name: str
    credit_limit: DecimalText
    currency: str
    payment_terms_days: int
    payment_terms_basis: Literal["invoice", "month_end"]
    grade: str
    review_date: DayText
    valid_until: DayText | None  # a temporary limit's last day


class CurrentTermsOut(ResponseModel):
    """The customer's terms when the application was filed."""

    name: str
    credit_limit: DecimalText
    currency: str
    payment_terms_days: int
    grade: str
    review_date: DayText | None
    blocked: bool
    temporary_until: DayText | None


class ApplicationApprovalOut(ResponseModel):
    principal: str
    role: str
    stage: Literal["approve", "ratify"]
    at: MomentText
    comment: str | None


class ApplicationOut(ResponseModel):
    application_id: str
    status: Literal["pending", "applied", "ratified", "rejected", "expired"]
    kind: Literal["new", "update"]
    customer_id: str
    proposed: ProposedTermsOut
    current: CurrentTermsOut | None  # null: a new customer
    required_roles: list[str]
    ratify_roles: list[str]
    awaiting_ratification: list[str]
    approvals: list[ApplicationApprovalOut]
    suggested_limit: DecimalText | None
    forecast_monthly_sales: DecimalText | None
    payment_terms_basis: Literal["invoice", "month_end"]
    valid_until: DayText | None
    score: dict[str, int] | None  # points by the scorecard's factor
    score_total: int | None
    score_grade: str | None
    warnings: list[ReasonOut]
    justification: str
    requester: str
    created_at: MomentText
    expires_at: MomentText
    decided_at: MomentText | None
    applied_at: MomentText | None


class ApplicationsOut(ResponseModel):
    applications: list[ApplicationOut]


class ReviewDueOut(ResponseModel):
    customer_id: str
    name: str
    review_date: DayText | None
    review_status: Literal["due", "overdue", "missing"]
    days_overdue: int
    credit_limit: DecimalText
    currency: str
    grade: str
    payment_terms_days: int
    blocked: bool
    exposure: ExposureOut


class ReviewsDueOut(ResponseModel):
    as_of: DayText
    within_days: int
    customers: list[ReviewDueOut]
