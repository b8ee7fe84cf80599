"""The ERP-shaped endpoints' answers as the contract documents them (docs/api.md,
"ERP-shaped endpoints"), for the OpenAPI schema: `adapters.sap.mapping.answer` and
`adapters.baan.mapping.answer` write them from the check's answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from gateway.orders.answer import Money


class SapCreditCheck(BaseModel):
    """An SAP-style credit check result. `TotalCreditCheckStatus`: A passed, B blocked
    (held), D released by an override."""

    SalesOrder: str
    SoldToParty: str
    TotalCreditCheckStatus: Literal["A", "B", "D"]
    CreditBlockReasons: list[str]
    CreditBlockMessages: list[str]
    CreditWarnings: list[str]
    CreditSegmentCurrency: str
    CreditLimitAmount: Money
    CreditExposureAmount: Money
    CreditLimitExceededAmount: Money
    OverdueAmount: Money
    GatewayDecisionID: str


class BaanHoldReason(BaseModel):
    hrea: str
    dsca: str
    text: str
    code: str


class BaanCreditCheck(BaseModel):
    """An LN-style answer: `blck` yes for a hold, with the hold reasons."""

    orno: str
    ofbp: str
    blck: Literal["yes", "no"]
    hold_reasons: list[BaanHoldReason]
    released_by_override: bool
    ccur: str
    crlm: Money
    expo: Money
    ovlm: Money
    ovdu: Money
    decision: str
