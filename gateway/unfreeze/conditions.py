"""The conditions of an unfreeze request, verified (DESIGN.md §3b): paid_overdue is met
when the customer's current overdue is within a tolerance (or, at a controller's
release, with a bank reference for a payment in transit)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from gateway.config import LoadedConfig
from gateway.unfreeze.records import UnfreezeRequestRecord
from policies import FxRates, UnsupportedCurrencyError
from policies.release import paid_overdue_met, paid_overdue_tolerance

PAID_OVERDUE = "paid_overdue"
CNY_CAP = Decimal(1000)


@dataclass(frozen=True)
class Conditions:
    fx: FxRates
    tolerance_base: Decimal | None  # configured, in the FX base currency
    confirm_days: int

    @classmethod
    def from_config(cls, config: LoadedConfig) -> Conditions:
        approval = config.raw.approval
        return cls(config.policy.fx, approval.paid_overdue_tolerance, approval.payment_confirm_days)

    def tolerance(self, request: UnfreezeRequestRecord) -> Decimal:
        """The overdue at or below which the request's customer counts as having paid."""
        currency = request.currency
        configured = None
        if self.tolerance_base is not None:
            configured = self.fx.convert(self.tolerance_base, self.fx.base, currency)
        try:
            cap: Decimal | None = self.fx.convert(CNY_CAP, "CNY", currency)
        except UnsupportedCurrencyError:
            cap = None  # no CNY rate configured: 1% of the overdue at filing alone
        at_filing = Decimal(json.loads(request.figures)["overdue_amount"])
        return paid_overdue_tolerance(configured, at_filing, cap)

    def met(self, request: UnfreezeRequestRecord, current_overdue: Decimal) -> bool:
        """Whether the request's condition holds now (only paid_overdue is a figure)."""
        if request.condition != PAID_OVERDUE:
            return True
        return paid_overdue_met(current_overdue, self.tolerance(request))
