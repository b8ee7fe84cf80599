"""Who can do what: the principals' roles, and the approvers among them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ERP = "erp"
    SALES = "sales"
    SALES_MANAGER = "sales_manager"
    FINANCE_MANAGER = "finance_manager"
    GENERAL_MANAGER = "general_manager"
    ADMIN = "admin"
    # Finance roles: the credit controller releases approved unfreeze requests; both
    # read unfreeze requests (DESIGN.md §3b).
    CREDIT_CONTROLLER = "credit_controller"
    CFO = "cfo"


# The roles an approval matrix may name, in the order approvals are listed.
APPROVER_ROLES: tuple[Role, ...] = (
    Role.SALES_MANAGER,
    Role.FINANCE_MANAGER,
    Role.GENERAL_MANAGER,
)

# DESIGN.md §3b's "finance roles", and with the general manager and admin those who
# oversee credit: read the audit trail, aging, groups, rates, the portfolio, reviews.
FINANCE_ROLES: tuple[Role, ...] = (Role.FINANCE_MANAGER, Role.CREDIT_CONTROLLER, Role.CFO)
OVERSEERS: tuple[Role, ...] = (*FINANCE_ROLES, Role.GENERAL_MANAGER, Role.ADMIN)
