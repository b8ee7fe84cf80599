"""The TOML configuration, validated into the decision core's frozen `Policy`.

Errors name the bad key (`grades.B.max_order_value: ...`) so an operator can fix
the file without reading code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from policies import Check, FxRates, Grade, GradePolicy, Policy, StaleAction
from policies.approval import DEFAULT_MATRIX, ApprovalMatrix, Tier
from policies.credit_application import DEFAULT_SCORECARD, ApplicationMatrix, Scorecard
from policies.money import MINOR_UNITS
from policies.roles import Role

Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class ConfigError(ValueError):
    """The configuration file is missing or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DecisionSection(_Strict):
    timezone: str = "UTC"
    checks: list[Check] = Field(default_factory=lambda: list(Check))
    near_limit_ratio: Decimal = Field(default=Decimal("0.9"), gt=0, le=1)
    stale_after_minutes: int = Field(default=1440, gt=0)
    stale_action: StaleAction = StaleAction.HOLD
    max_clock_skew_seconds: int = Field(default=300, ge=0, le=86400)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class GradeSection(_Strict):
    overdue_tolerance_days: int = Field(default=0, ge=0, le=3650)
    min_overdue_amount: Money = Decimal(0)
    max_order_value: Money | None = None
    # Whether a note past its invoice's term (seed 004 §3.0) counts as overdue.
    note_past_term_holds: bool = False


class ReportsSection(_Strict):
    # Net sales x this = sales with VAT, the base of DSO (seed 004 §3.0: 1.17 then).
    vat_factor: Decimal = Field(default=Decimal("1.13"), ge=1, le=2, allow_inf_nan=False)


class FxSection(_Strict):
    base: str = "EUR"
    rates: dict[str, Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )

    @field_validator("base")
    @classmethod
    def _known_base(cls, value: str) -> str:
        if value not in MINOR_UNITS:
            raise ValueError(f"unknown currency {value!r}")
        return value

    @field_validator("rates")
    @classmethod
    def _known_currencies(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        unknown = sorted(set(value) - set(MINOR_UNITS))
        if unknown:
            raise ValueError(f"unknown currencies {unknown}")
        return value


class AdapterSection(_Strict):
    """One ERP the gateway syncs balances from and notifies about late releases."""

    kind: Literal["sap", "baan"]
    base_url: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    enabled: bool = True
    sync_interval_seconds: float = Field(default=60, gt=0, le=86400)
    timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    max_attempts: int = Field(default=4, ge=1, le=10)
    retry_budget_seconds: float = Field(default=10, gt=0, le=600)


class TierSection(_Strict):
    min_amount: Money
    roles: list[Role] = Field(min_length=1)


class ApprovalSection(_Strict):
    request_ttl_hours: float = Field(default=72, gt=0, le=24 * 90)
    token_ttl_hours: float = Field(default=24, gt=0, le=24 * 30)
    tiers: list[TierSection] = Field(
        default_factory=lambda: [
            TierSection(min_amount=t.min_amount, roles=sorted(t.roles))
            for t in DEFAULT_MATRIX.tiers
        ],
        min_length=1,
    )
    grades: dict[Grade, list[Role]] = Field(default_factory=dict)
    # §3b: "token_or_controller" (the requester sees the token, the controller may
    # release) or "controller" (no token shown; only the credit controller releases).
    release_by: Literal["token_or_controller", "controller"] = "token_or_controller"
    # Condition paid_overdue is met at or below this overdue (FX base currency); default
    # the lower of 1% of the overdue at filing and CNY 1,000.
    paid_overdue_tolerance: Money | None = None
    # A payment in transit named at a release must show in the snapshots within these days.
    payment_confirm_days: int = Field(default=3, ge=1, le=90)
    # A repayment plan behind: warning REPAYMENT_PLAN_BEHIND, or hold REPAYMENT_PLAN_BROKEN.
    repayment_plan_behind: Literal["warn", "hold"] = "warn"
    # Condition other needs a justification of at least this many characters (default
    # 1: §3's non-empty; an operator asks for more substance here).
    other_min_justification: int = Field(default=1, ge=1, le=4000)

    def matrix(self) -> ApprovalMatrix:
        return ApprovalMatrix(
            tiers=tuple(Tier(t.min_amount, frozenset(t.roles)) for t in self.tiers),
            grade_roles={g: frozenset(r) for g, r in self.grades.items()},
        )

    @model_validator(mode="after")
    def _valid_matrix(self) -> ApprovalSection:
        self.matrix()  # raises ValueError with the reason; pydantic names the section
        return self


_DEFAULT_APPLICATIONS = ApplicationMatrix()


class CreditApprovalSection(_Strict):
    """Who approves credit applications (seed 004 2.1.4 and 2.2), and their clock."""

    new_roles: list[Role] = Field(
        default_factory=lambda: list(_DEFAULT_APPLICATIONS.new_roles), min_length=1
    )
    update_roles: list[Role] = Field(
        default_factory=lambda: list(_DEFAULT_APPLICATIONS.update_roles), min_length=1
    )
    escalation_role: Role = _DEFAULT_APPLICATIONS.escalation_role
    escalate_terms_above_days: int = Field(default=100, ge=0, le=3650)
    escalate_limit_from: Money = _DEFAULT_APPLICATIONS.escalate_limit_from
    escalation_currency: str = _DEFAULT_APPLICATIONS.escalation_currency
    reduction_roles: list[Role] = Field(
        default_factory=lambda: list(_DEFAULT_APPLICATIONS.reduction_roles), min_length=1
    )
    ratify_roles: list[Role] = Field(
        default_factory=lambda: list(_DEFAULT_APPLICATIONS.ratify_roles)
    )
    expire_after_days: int = Field(default=14, gt=0, le=365)
    max_terms_days: int = Field(default=60, ge=0, le=3650)
    review_months: dict[Grade, Annotated[int, Field(gt=0, le=120)]] = Field(
        default_factory=lambda: {Grade.A: 12, Grade.B: 12, Grade.C: 6, Grade.D: 6}
    )
    temporary_limit_sweep_seconds: float = Field(default=300, gt=0, le=86400)

    @field_validator("escalation_currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in MINOR_UNITS:
            raise ValueError(f"unknown currency {value!r}")
        return value

    def matrix(self) -> ApplicationMatrix:
        return ApplicationMatrix(
            new_roles=tuple(self.new_roles),
            update_roles=tuple(self.update_roles),
            escalation_role=self.escalation_role,
            escalate_terms_above_days=self.escalate_terms_above_days,
            escalate_limit_from=self.escalate_limit_from,
            escalation_currency=self.escalation_currency,
            reduction_roles=tuple(self.reduction_roles),
            ratify_roles=tuple(self.ratify_roles),
        )

    @model_validator(mode="after")
    def _valid_matrix(self) -> CreditApprovalSection:
        self.matrix()
        return self


class ScorecardSection(_Strict):
    """Factors with their maximum points (summing to 100) and the least score per grade."""

    factors: dict[
        Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")], Annotated[int, Field(gt=0)]
    ] = Field(default_factory=lambda: dict(DEFAULT_SCORECARD.factors))
    grades: dict[Grade, Annotated[int, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: dict(DEFAULT_SCORECARD.grades)
    )

    def scorecard(self) -> Scorecard:
        return Scorecard(factors=dict(self.factors), grades=dict(self.grades))

    @model_validator(mode="after")
    def _valid_scorecard(self) -> ScorecardSection:
        self.scorecard()
        return self


class MasterDataSection(_Strict):
    """Who keeps the credit fields: the ERP (section 3 as is) or the gateway's
    applications (ERP pushes create customers at zero credit and cannot change them)."""

    owner: Literal["erp", "gateway"] = "erp"


class ReleaseValiditySection(_Strict):
    """SAP's release validity: days and upward deviation; days = 0 turns it off."""

    days: int = Field(default=30, ge=0, le=3650)
    deviation_percent: Decimal = Field(default=Decimal(0), ge=0, le=1000, allow_inf_nan=False)


class ShadowSection(_Strict):
    """A second policy every check is decided under too, never changing the answer."""

    config: str = Field(min_length=1)  # a TOML file; relative to this config's directory


class GatewayConfig(_Strict):
    decision: DecisionSection = Field(default_factory=DecisionSection)
    grades: dict[Grade, GradeSection]
    fx: FxSection = Field(default_factory=FxSection)
    reports: ReportsSection = Field(default_factory=ReportsSection)
    # Sections owned by other features are validated by them; kept raw here.
    approval: ApprovalSection = Field(default_factory=ApprovalSection)
    credit_approval: CreditApprovalSection = Field(default_factory=CreditApprovalSection)
    scorecard: ScorecardSection = Field(default_factory=ScorecardSection)
    master_data: MasterDataSection = Field(default_factory=MasterDataSection)
    release_validity: ReleaseValiditySection = Field(default_factory=ReleaseValiditySection)
    adapters: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_\-]{0,31}$")], AdapterSection] = (
        Field(default_factory=dict)
    )
    shadow: ShadowSection | None = None

    @field_validator("grades")
    @classmethod
    def _all_grades(cls, value: dict[Grade, GradeSection]) -> dict[Grade, GradeSection]:
        missing = [g.value for g in Grade if g not in value]
        if missing:
            raise ValueError(f"missing grades {missing}: every grade A-D needs a section")
        return value


@dataclass(frozen=True)
class LoadedConfig:
    raw: GatewayConfig
    policy: Policy
    timezone: ZoneInfo
    approval: ApprovalMatrix
    shadow: Policy | None = None  # [shadow]: its [decision] and [grades.*], FX as here


def _format(error: ValidationError) -> str:
    lines = []
    for err in error.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{key}: {err['msg']}")
    return "; ".join(lines)


def parse_config(data: dict[str, Any]) -> LoadedConfig:
    try:
        cfg = GatewayConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format(exc)) from None
    policy = Policy(
        grades={
            g: GradePolicy(
                s.overdue_tolerance_days,
                s.min_overdue_amount,
                s.max_order_value,
                note_past_term_holds=s.note_past_term_holds,
            )
            for g, s in cfg.grades.items()
        },
        checks=frozenset(cfg.decision.checks),
        near_limit_ratio=cfg.decision.near_limit_ratio,
        stale_after=timedelta(minutes=cfg.decision.stale_after_minutes),
        stale_action=cfg.decision.stale_action,
        max_clock_skew=timedelta(seconds=cfg.decision.max_clock_skew_seconds),
        fx=FxRates(base=cfg.fx.base, rates=dict(cfg.fx.rates)),
    )
    return LoadedConfig(
        raw=cfg,
        policy=policy,
        timezone=ZoneInfo(cfg.decision.timezone),
        approval=cfg.approval.matrix(),
    )


def load_config(path: Path) -> LoadedConfig:
    try:
        with path.open("rb") as fh:
            # parse_float=Decimal: a rate written as a bare number stays exact.
            data = tomllib.load(fh, parse_float=Decimal)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    loaded = parse_config(data)
    if loaded.raw.shadow is None:
        return loaded
    shadow_path = path.parent / loaded.raw.shadow.config
    try:
        data = tomllib.loads(shadow_path.read_text(), parse_float=Decimal)
        data.pop("shadow", None)
        shadow = parse_config(data).policy
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"shadow.config: cannot read {shadow_path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"shadow.config: {shadow_path}: not valid TOML: {exc}") from None
    except ConfigError as exc:
        raise ConfigError(f"shadow.config: {shadow_path}: {exc}") from None
    return replace(loaded, shadow=replace(shadow, fx=loaded.policy.fx))
