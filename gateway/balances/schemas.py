"""The answers of the customers' writes and figures, and of the committee's decisions."""

from __future__ import annotations

from typing import Literal

from gateway.orders.schemas import ExposureOut
from gateway.schemas import DayText, DecimalText, MomentText, MonthText, ResponseModel


class OpenItemsOut(ResponseModel):
    customer_id: str
    as_of: MomentText
    items: int  # how many the snapshot holds
    released: list[str]  # held orders the snapshot released: "erp/order_id"


class ReservingOrderOut(ResponseModel):
    erp: str
    order_id: str
    revision: int
    amount: DecimalText
    invoiced: DecimalText
    reserved: DecimalText
    decision_id: str
    updated_at: MomentText


class ExposureItemOut(ResponseModel):
    item_id: str
    kind: Literal["invoice", "note", "prepayment", "credit_note"]
    amount: DecimalText
    currency: str
    amount_credit: DecimalText  # in the customer's credit currency
    due_date: DayText
    erp: str | None
    order_id: str | None
    document_date: DayText | None
    invoice_date: DayText | None


class CustomerExposureOut(ResponseModel):
    """`GET /v1/customers/{id}/exposure`: the figures, the orders that reserve and the
    open items they come from."""

    customer_id: str
    exposure: ExposureOut
    orders: list[ReservingOrderOut]
    items: list[ExposureItemOut]


class CommitteeDecisionOut(ResponseModel):
    """A decision of the credit committee (`committee.decision_json`)."""

    decision_id: str
    customer_id: str
    month: MonthText
    kind: str
    note: str
    until: DayText | None
    decided_by: str
    role: str
    decided_at: MomentText
    lifted_at: MomentText | None
