"""The pure decision core. Imports nothing with I/O; reads no clock or environment."""

from policies.evaluate import compute_exposure, evaluate
from policies.model import (
    Account,
    Balance,
    Check,
    Decision,
    Exposure,
    Grade,
    GradePolicy,
    ItemKind,
    OpenItem,
    Outcome,
    Override,
    OverrideRejected,
    Policy,
    Reason,
    StaleAction,
)
from policies.money import FxRates, UnsupportedCurrencyError
from policies.override import OverrideVerdict, apply_override, wants_override
from policies.reasons import ReasonCode, WarningCode

__all__ = [
    "Account",
    "Balance",
    "Check",
    "Decision",
    "Exposure",
    "FxRates",
    "Grade",
    "GradePolicy",
    "ItemKind",
    "OpenItem",
    "Outcome",
    "Override",
    "OverrideRejected",
    "OverrideVerdict",
    "Policy",
    "Reason",
    "ReasonCode",
    "StaleAction",
    "UnsupportedCurrencyError",
    "WarningCode",
    "apply_override",
    "compute_exposure",
    "evaluate",
    "wants_override",
]
