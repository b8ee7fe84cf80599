"""Stable reason and warning codes. ERPs key on these strings: never rename one."""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    CUSTOMER_BLOCKED = "CUSTOMER_BLOCKED"
    NO_CREDIT = "NO_CREDIT"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    # The customer's credit group (SAP credit segment hierarchy, D365 credit group)
    # would exceed the group's limit, whatever the customer's own figures say.
    GROUP_LIMIT_EXCEEDED = "GROUP_LIMIT_EXCEEDED"
    OVERDUE = "OVERDUE"
    REVIEW_DATE_PASSED = "REVIEW_DATE_PASSED"
    ORDER_VALUE_EXCEEDED = "ORDER_VALUE_EXCEEDED"
    BALANCE_STALE = "BALANCE_STALE"
    TERMS_EXCEED_APPROVED = "TERMS_EXCEED_APPROVED"
    # A payment in transit named at a controller's release was not confirmed in time.
    PAYMENT_NOT_CONFIRMED = "PAYMENT_NOT_CONFIRMED"
    # A repayment plan's installment is past due and unpaid ([approval] plan_behind = hold).
    REPAYMENT_PLAN_BROKEN = "REPAYMENT_PLAN_BROKEN"
    # Last: apply_override appends it after the reasons it failed to override.
    OVERRIDE_REJECTED = "OVERRIDE_REJECTED"


class WarningCode(StrEnum):
    LIMIT_NEARLY_USED = "LIMIT_NEARLY_USED"
    BALANCE_STALE = "BALANCE_STALE"
    REPAYMENT_PLAN_BEHIND = "REPAYMENT_PLAN_BEHIND"


# Reasons are always reported in this order, whatever order the checks run in,
# so the same inputs give byte-identical answers.
REASON_ORDER: tuple[ReasonCode, ...] = tuple(ReasonCode)
