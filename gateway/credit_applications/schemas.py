"""Request bodies of credit applications."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, Strict, StringConstraints

from gateway.schemas import (
    CurrencyCode,
    DateOnly,
    Identifier,
    NonNegativeAmount,
    PositiveAmount,
    RequestModel,
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
