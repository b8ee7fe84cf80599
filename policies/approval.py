"""The approval matrix: which roles must approve an unfreeze, by amount and grade."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from policies.model import Grade
from policies.roles import APPROVER_ROLES, Role


@dataclass(frozen=True, slots=True)
class Tier:
    """From `min_amount` (inclusive, in the FX base currency) up, these roles approve."""

    min_amount: Decimal
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class ApprovalMatrix:
    tiers: tuple[Tier, ...]  # ascending by min_amount, the first at 0
    grade_roles: Mapping[Grade, frozenset[Role]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.tiers or self.tiers[0].min_amount != 0:
            raise ValueError("the first tier must start at 0")
        amounts = [t.min_amount for t in self.tiers]
        if amounts != sorted(set(amounts)):
            raise ValueError("tiers must be strictly increasing by min_amount")
        for roles in [t.roles for t in self.tiers] + list(self.grade_roles.values()):
            if not roles <= set(APPROVER_ROLES):
                others = ", ".join(sorted(roles - set(APPROVER_ROLES)))
                raise ValueError(
                    f"only approver roles may approve, not {others} "
                    f"(approvers: {', '.join(APPROVER_ROLES)})"
                )
        if any(not t.roles for t in self.tiers):
            raise ValueError("every tier needs at least one role")

    def required_roles(self, amount: Decimal, grade: Grade) -> tuple[Role, ...]:
        """The roles that must all approve, in a stable order."""
        tier = next(t for t in reversed(self.tiers) if amount >= t.min_amount)
        roles = tier.roles | self.grade_roles.get(grade, frozenset())
        return tuple(r for r in APPROVER_ROLES if r in roles)


# Seed 004 4.1: the sales manager, finance manager and general manager approve every
# unfreeze, whatever its amount (operators may configure other tiers).
DEFAULT_MATRIX = ApprovalMatrix(
    tiers=(
        Tier(
            Decimal(0),
            frozenset({Role.SALES_MANAGER, Role.FINANCE_MANAGER, Role.GENERAL_MANAGER}),
        ),
    ),
    grade_roles={Grade.D: frozenset({Role.GENERAL_MANAGER})},
)
