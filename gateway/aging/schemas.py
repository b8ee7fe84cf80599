"""The body of `PUT /v1/customers/{id}/sales`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from gateway.schemas import NonNegativeAmount, RequestModel

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]


class SalesPeriodIn(RequestModel):
    month: Month
    amount: NonNegativeAmount  # net (VAT-exclusive), in the customer's credit currency


class SalesIn(RequestModel):
    periods: list[SalesPeriodIn] = Field(min_length=1, max_length=600)
