"""The pure decision core. Imports nothing with I/O; reads no clock or environment."""

from policies.evaluate import compute_exposure, evaluate
from policies.fx import DatedRates, FxQuote
from policies.groups import GroupExposure, GroupFigures, group_exposure
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
    "DatedRates",
    "Decision",
    "Exposure",
    "FxQuote",
    "FxRates",
    "Grade",
    "GradePolicy",
    "GroupExposure",
    "GroupFigures",
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
    "group_exposure",
    "wants_override",
]
