"""Request and response bodies of master data and open-item snapshots."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from gateway.schemas import (
    CurrencyCode,
    DateOnly,
    DayText,
    DecimalText,
    ErpName,
    Identifier,
    MomentText,
    NonNegativeAmount,
    PositiveAmount,
    RequestModel,
    ResponseModel,
    StrictFlag,
    UtcDatetime,
    WholeNumber,
    integer_range,
)
from policies import Grade
from policies.terms import TermsBasis

MAX_ITEMS = 10_000
ClosingDay = Annotated[WholeNumber, Field(ge=1, le=28), integer_range(1, 28)]


class CustomerIn(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    # Required while the ERP keeps the credit fields (`[master_data] owner = "erp"`:
    # gateway.openapi lists them as required then); optional, and only ever repeated,
    # when the gateway does. Left out they read None; a JSON null is refused.
    credit_limit: NonNegativeAmount = None  # type: ignore[assignment]
    currency: CurrencyCode
    grade: Grade = None  # type: ignore[assignment]
    payment_terms_days: WholeNumber = Field(default=None, ge=0, le=3650)  # type: ignore[assignment]
    blocked: StrictFlag = False
    review_date: DateOnly | None = None
    # DESIGN §3b: how due dates follow from document dates; left out, the stored value
    # (on an update) or the default (invoice, month's end, not intercompany) stands.
    payment_terms_basis: TermsBasis | None = None
    closing_day: ClosingDay | None = None
    intercompany: StrictFlag | None = None


# JSON Schema for what the validator below checks: a due date or a document date, and an
# invoice date on notes only.
_ITEM_RULES: JsonDict = {
    "allOf": [
        {
            "anyOf": [
                {"required": ["due_date"], "properties": {"due_date": {"type": "string"}}},
                {
                    "required": ["document_date"],
                    "properties": {"document_date": {"type": "string"}},
                },
            ]
        },
        {
            "anyOf": [
                {"properties": {"kind": {"const": "note"}}},
                {"properties": {"invoice_date": {"type": "null"}}},
            ]
        },
    ]
}


class OpenItemIn(RequestModel):
    model_config = ConfigDict(json_schema_extra=_ITEM_RULES)

    item_id: Identifier
    kind: Literal["invoice", "note", "prepayment", "credit_note"]
    amount: PositiveAmount
    currency: CurrencyCode
    # Omitted (with a document_date), computed from the customer's terms when pushed.
    due_date: DateOnly | None = None
    document_date: DateOnly | None = None
    invoice_date: DateOnly | None = None  # notes: the invoice the note pays
    erp: ErpName | None = None
    order_id: Identifier | None = None

    @model_validator(mode="after")
    def _dated(self) -> OpenItemIn:
        if self.due_date is None and self.document_date is None:
            raise ValueError("due_date or document_date is required")
        if self.invoice_date is not None and self.kind != "note":
            raise ValueError("invoice_date is for notes (kind note) only")
        return self


class OpenItemsIn(RequestModel):
    as_of: UtcDatetime
    items: list[OpenItemIn] = Field(max_length=MAX_ITEMS)


class CustomerOut(ResponseModel):
    """A customer's master data as stored (`customers.service.customer_json`)."""

    customer_id: str
    name: str
    credit_limit: DecimalText
    currency: str
    grade: str
    payment_terms_days: int
    blocked: bool
    review_date: DayText | None
    payment_terms_basis: TermsBasis
    closing_day: int | None
    intercompany: bool
    balance_as_of: MomentText
    updated_at: MomentText
    # Held orders this change released ("erp/order_id"), as a payment's snapshot does.
    released: list[str]
