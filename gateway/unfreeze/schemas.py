"""Request bodies of the unfreeze flow."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from gateway.schemas import DateOnly, PositiveAmount, RequestModel


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
