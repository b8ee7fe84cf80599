"""What people read instead of codes: reasons, roles, statuses, events, kinds and fields
as labels in the reader's language, and each reason's explanation."""

from __future__ import annotations

from typing import Any

from gateway.console import i18n
from gateway.console.i18n import N_

EXPLAIN = {
    "CREDIT_LIMIT_EXCEEDED": N_(
        "The order would take the customer above the approved credit limit."
    ),
    "OVERDUE": N_("The customer has invoices overdue beyond the tolerance of their grade."),
    "CUSTOMER_BLOCKED": N_("Credit control has blocked this customer."),
    "NO_CREDIT": N_("The customer has no credit (unknown, grade D or a zero limit): cash only."),
    "REVIEW_DATE_PASSED": N_("The customer's periodic credit review is overdue."),
    "ORDER_VALUE_EXCEEDED": N_("The order is larger than the grade allows for a single order."),
    "BALANCE_STALE": N_("The gateway's copy of the customer's balance is too old to rely on."),
    "OVERRIDE_REJECTED": N_("An override token was sent but did not apply."),
    "GROUP_LIMIT_EXCEEDED": N_(
        "The order would take the customer's credit group above the group's shared limit."
    ),
    "PAYMENT_NOT_CONFIRMED": N_(
        "A payment in transit named at a release has not shown up in time."
    ),
    "REPAYMENT_PLAN_BROKEN": N_("An installment of the customer's repayment plan is past due."),
    "TERMS_EXCEED_APPROVED": N_(
        "The order's payment terms are longer than the customer's approved terms."
    ),
    # credit application warnings (seed 004 §4.2)
    "NEW_CUSTOMER_CREDIT": N_(
        "New customers start at zero credit and get credit after about three months of good "
        "cash trading."
    ),
    "TERMS_ABOVE_AUTHORITY": N_("The proposed terms are above the company's maximum terms."),
    "ABOVE_SUGGESTED_LIMIT": N_("The proposed limit is above the suggested limit."),
    "GRADE_ABOVE_SCORE": N_("The proposed grade is better than the score supports."),
}
# What people read instead of codes (a code missing here is shown as words).
LABELS = {
    # reasons and warnings
    "CREDIT_LIMIT_EXCEEDED": N_("Over credit limit"),
    "OVERDUE": N_("Overdue invoices"),
    "CUSTOMER_BLOCKED": N_("Customer blocked"),
    "NO_CREDIT": N_("No credit"),
    "REVIEW_DATE_PASSED": N_("Credit review overdue"),
    "ORDER_VALUE_EXCEEDED": N_("Order too large for grade"),
    "BALANCE_STALE": N_("Balance out of date"),
    "OVERRIDE_REJECTED": N_("Override refused"),
    "LIMIT_NEARLY_USED": N_("Limit nearly used"),
    "GROUP_LIMIT_EXCEEDED": N_("Over credit group limit"),
    "PAYMENT_NOT_CONFIRMED": N_("Payment not confirmed"),
    "REPAYMENT_PLAN_BROKEN": N_("Repayment plan broken"),
    "REPAYMENT_PLAN_BEHIND": N_("Repayment plan behind"),
    "TERMS_EXCEED_APPROVED": N_("Terms beyond the approved"),
    "NEW_CUSTOMER_CREDIT": N_("Credit for a new customer"),
    "TERMS_ABOVE_AUTHORITY": N_("Terms above authority"),
    "ABOVE_SUGGESTED_LIMIT": N_("Above the suggested limit"),
    "GRADE_ABOVE_SCORE": N_("Grade better than the score"),
    # credit applications
    "new": N_("New customer"),
    "update": N_("Change of limit or terms"),
    "applied": N_("Applied, awaiting ratification"),
    "ratified": N_("Ratified"),
    "approve": N_("Approval"),
    "ratify": N_("Ratification"),
    "month_end": N_("Month end"),
    "due": N_("Due"),
    "overdue": N_("Overdue"),
    "missing": N_("No review date"),
    "current": N_("Not yet due"),
    "over_180": N_("Over 180 days"),
    # scorecard factors
    "debt_ratio": N_("Debt ratio"),
    "current_ratio": N_("Current ratio"),
    "quick_ratio": N_("Quick ratio"),
    "receivable_turnover": N_("Receivable turnover"),
    "profitability": N_("Profitability"),
    "payment_history": N_("Payment history"),
    "reputation": N_("Reputation"),
    "management": N_("Management"),
    "industry_outlook": N_("Industry outlook"),
    # remedies (what would release a held order)
    "reduce_order": N_("A smaller order"),
    "pay_overdue": N_("Payment of these items"),
    "prepay": N_("A deposit"),
    # roles
    "erp": N_("ERP"),
    "sales": N_("Sales rep"),
    "sales_manager": N_("Sales manager"),
    "finance_manager": N_("Finance manager"),
    "general_manager": N_("General manager"),
    "credit_controller": N_("Credit controller"),
    "cfo": N_("CFO"),
    "admin": N_("Administrator"),
    # statuses and outcomes
    "pending": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "expired": N_("Expired"),
    "voided": N_("Voided"),
    "released": N_("Released"),
    "release": N_("Released"),
    "hold": N_("Held"),
    "held": N_("Held"),
    "cancelled": N_("Cancelled"),
    "issued": N_("Issued"),
    "redeemed": N_("Used"),
    "revoked": N_("Revoked"),
    # unfreeze conditions (seed 004 4.1)
    "paid_overdue": N_("(A) Overdue amounts have been paid"),
    "repayment_plan": N_("(B) Formal repayment plan"),
    "other": N_("(C) Other reason"),
    # audit events
    "request_created": N_("Unfreeze requested"),
    "request_approved": N_("Approved"),
    "request_rejected": N_("Rejected"),
    "request_expired": N_("Expired"),
    "token_issued": N_("Token issued"),
    "token_revoked": N_("Token revoked"),
    "token_redeemed": N_("Token used"),
    "token_rejected": N_("Token refused"),
    "snapshot_forced": N_("Balance snapshot forced"),
    "request_released": N_("Released by the credit controller"),
    "master_data_changed": N_("Master data changed"),
    "credit_group_changed": N_("Credit group changed"),
    "fx_rates_changed": N_("Exchange rates changed"),
    # open items
    "invoice": N_("Invoice"),
    "note": N_("Note receivable"),
    # credit fields
    "credit_limit": N_("Credit limit"),
    "payment_terms_days": N_("Payment terms"),
    "grade": N_("Grade"),
    "review_date": N_("Review date"),
    "currency": N_("Currency"),
    "prepayment": N_("Prepayment"),
    "credit_note": N_("Credit note"),
}


def label(code: Any) -> str:
    """A code as people read it, in the reader's language."""
    text = str(getattr(code, "value", code))
    known = LABELS.get(text)
    return i18n.gettext(known) if known else text.replace("_", " ").capitalize()
