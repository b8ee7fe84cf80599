"""Stable reason and warning codes. ERPs key on these strings: never rename one."""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    CUSTOMER_BLOCKED = "CUSTOMER_BLOCKED"
    NO_CREDIT = "NO_CREDIT"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    OVERDUE = "OVERDUE"
    REVIEW_DATE_PASSED = "REVIEW_DATE_PASSED"
    ORDER_VALUE_EXCEEDED = "ORDER_VALUE_EXCEEDED"
    BALANCE_STALE = "BALANCE_STALE"
    TERMS_EXCEED_APPROVED = "TERMS_EXCEED_APPROVED"
    OVERRIDE_REJECTED = "OVERRIDE_REJECTED"


class WarningCode(StrEnum):
    LIMIT_NEARLY_USED = "LIMIT_NEARLY_USED"
    BALANCE_STALE = "BALANCE_STALE"


# Reasons are always reported in this order, whatever order the checks run in,
# so the same inputs give byte-identical answers.
REASON_ORDER: tuple[ReasonCode, ...] = tuple(ReasonCode)
