"""The pure rules of credit applications, table-driven (and hypothesis for the formula)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.application_flow import Application, ApplicationError, Refusal, approve, reject
from policies.credit_application import (
    DEFAULT_SCORECARD,
    ApplicationMatrix,
    ApplicationStatus,
    ApplicationWarning,
    Kind,
    Scorecard,
    ScoreError,
    Terms,
    TermsBasis,
    add_months,
    effective_limit,
    is_reduction,
    suggested_limit,
    warnings_for,
)
from policies.model import Grade
from policies.roles import Role

FM, SM, GM, CFO = Role.FINANCE_MANAGER, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.CFO
MATRIX = ApplicationMatrix()
D = Decimal
NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)


def terms(limit: str = "1000", days: int = 30, grade: str = "B", cur: str = "CNY") -> Terms:
    return Terms(D(limit), cur, days, Grade(grade))


@pytest.mark.parametrize(
    ("kind", "days", "converted", "expected"),
    [
        (Kind.NEW, 100, D("2999999.99"), (FM, SM, GM)),
        (Kind.NEW, 101, D("2999999.99"), (FM, SM, GM, CFO)),
        (Kind.NEW, 30, D("3000000.00"), (FM, SM, GM, CFO)),
        (Kind.NEW, 30, None, (FM, SM, GM, CFO)),  # not convertible: the larger approval
        (Kind.UPDATE, 100, D("2999999.99"), (FM, GM)),
        (Kind.UPDATE, 101, D("0"), (FM, GM, CFO)),
        (Kind.UPDATE, 0, D("3000000.00"), (FM, GM, CFO)),
    ],
)
def test_required_roles_at_every_escalation_edge(
    kind: Kind, days: int, converted: Decimal | None, expected: tuple[Role, ...]
) -> None:
    current = terms("1", 1, "D")  # every proposal below raises it: no reduction
    proposed = terms("5000000", days, "C")
    assert MATRIX.roles_for(kind, current, proposed, converted) == (expected, ())


@pytest.mark.parametrize(
    ("current", "proposed", "reduction"),
    [
        (terms("100", 30, "B"), terms("100", 30, "B"), True),  # nothing higher
        (terms("100", 30, "B"), terms("99", 29, "C"), True),
        (terms("100", 30, "B"), terms("100.01", 30, "B"), False),
        (terms("100", 30, "B"), terms("100", 31, "B"), False),
        (terms("100", 30, "B"), terms("50", 10, "A"), False),  # a better grade
        (terms("100", 30, "B"), terms("50", 10, "B", "EUR"), False),  # another currency
        (None, terms("0", 0, "D"), False),
    ],
)
def test_a_reduction_only_lowers(current: Terms | None, proposed: Terms, reduction: bool) -> None:
    assert is_reduction(current, proposed) is reduction


def test_a_reduction_applies_on_finance_and_awaits_the_general_manager() -> None:
    current = terms("9000000", 200, "A")
    proposed = terms("8000000", 150, "A")  # large, long: still a reduction
    assert MATRIX.roles_for(Kind.UPDATE, current, proposed, D("8000000")) == ((FM,), (GM,))
    app = Application("rep", ApplicationStatus.PENDING, (FM,), (GM,), expires_at=NOW)
    applied = approve(app, "fm", FM, NOW - timedelta(hours=1))
    assert applied.status is ApplicationStatus.APPLIED
    assert applied.awaiting_ratification
    with pytest.raises(ApplicationError) as refused:
        approve(applied, "cfo", CFO, NOW)
    assert refused.value.code is Refusal.ROLE_NOT_REQUIRED
    with pytest.raises(ApplicationError) as refused:
        reject(applied, "gm", GM, NOW)
    assert refused.value.code is Refusal.APPLICATION_NOT_PENDING
    ratified = approve(applied, "gm", GM, NOW + timedelta(days=30))  # no expiry once applied
    assert ratified.status is ApplicationStatus.RATIFIED
    with pytest.raises(ApplicationError) as refused:
        approve(ratified, "gm2", GM, NOW)
    assert refused.value.code is Refusal.APPLICATION_NOT_PENDING


@pytest.mark.parametrize(
    ("principal", "role", "approved", "now", "refusal"),
    [
        ("rep", FM, frozenset(), NOW, Refusal.SELF_APPROVAL),
        ("sm", SM, frozenset(), NOW, Refusal.ROLE_NOT_REQUIRED),
        ("fm2", FM, frozenset({FM}), NOW, Refusal.ALREADY_APPROVED),
        ("fm", FM, frozenset(), NOW + timedelta(days=1), Refusal.APPLICATION_EXPIRED),
    ],
)
def test_separation_of_duties(
    principal: str, role: Role, approved: frozenset[Role], now: datetime, refusal: Refusal
) -> None:
    app = Application(
        "rep", ApplicationStatus.PENDING, (FM, GM), (), approved, NOW + timedelta(hours=1)
    )
    with pytest.raises(ApplicationError) as refused:
        approve(app, principal, role, now)
    assert refused.value.code is refusal


def test_the_last_required_role_applies() -> None:
    app = Application("rep", ApplicationStatus.PENDING, (FM, GM), (), expires_at=NOW)
    half = approve(app, "gm", GM, NOW - timedelta(seconds=1))
    assert half.status is ApplicationStatus.PENDING
    done = approve(half, "fm", FM, NOW - timedelta(seconds=1))
    assert (done.status, done.awaiting_ratification) == (ApplicationStatus.APPLIED, False)
    assert reject(app, "gm", GM, NOW - timedelta(seconds=1)).status is ApplicationStatus.REJECTED


@pytest.mark.parametrize("roles", [(Role.SALES,), (Role.ADMIN,), (Role.ERP,)])
def test_sales_never_approves(roles: tuple[Role, ...]) -> None:
    with pytest.raises(ValueError, match="may not approve"):
        ApplicationMatrix(new_roles=roles)


@pytest.mark.parametrize(
    ("forecast", "days", "basis", "currency", "expected"),
    [
        ("20000", 30, TermsBasis.INVOICE, "CNY", "40000.00"),
        ("20000", 30, TermsBasis.MONTH_END, "CNY", "60000.00"),
        ("20000", 0, TermsBasis.INVOICE, "CNY", "20000.00"),
        ("10000", 45, TermsBasis.INVOICE, "EUR", "25000.00"),
        ("1000", 31, TermsBasis.INVOICE, "EUR", "2033.33"),
        ("1000", 31, TermsBasis.INVOICE, "JPY", "2033"),
    ],
)
def test_suggested_limit(
    forecast: str, days: int, basis: TermsBasis, currency: str, expected: str
) -> None:
    assert str(suggested_limit(D(forecast), days, basis, currency)) == expected


@given(
    st.decimals(min_value=D("0.01"), max_value=D("1e9"), places=2),
    st.integers(min_value=0, max_value=3650),
)
def test_month_end_suggests_one_month_more(forecast: Decimal, days: int) -> None:
    invoice = suggested_limit(forecast, days, TermsBasis.INVOICE, "EUR")
    month_end = suggested_limit(forecast, days, TermsBasis.MONTH_END, "EUR")
    assert abs(month_end - invoice - forecast) <= D("0.01")
    assert invoice >= forecast - D("0.005")


def codes(*found: object) -> list[str]:
    return [f.code.value for f in found]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kind", "proposed", "basis", "suggested", "score_grade", "expected"),
    [
        (Kind.NEW, terms("0", 60), TermsBasis.MONTH_END, None, None, []),
        (Kind.NEW, terms("1", 60), TermsBasis.INVOICE, None, None, ["NEW_CUSTOMER_CREDIT"]),
        (Kind.UPDATE, terms("1", 61), TermsBasis.MONTH_END, None, None, ["TERMS_ABOVE_AUTHORITY"]),
        (Kind.UPDATE, terms("40000"), TermsBasis.INVOICE, D("40000"), None, []),
        (
            Kind.UPDATE,
            terms("40000.01"),
            TermsBasis.INVOICE,
            D("40000"),
            None,
            ["ABOVE_SUGGESTED_LIMIT"],
        ),
        (Kind.UPDATE, terms(grade="B"), TermsBasis.INVOICE, None, Grade.B, []),
        (Kind.UPDATE, terms(grade="A"), TermsBasis.INVOICE, None, Grade.B, ["GRADE_ABOVE_SCORE"]),
        (Kind.UPDATE, terms(grade="C"), TermsBasis.INVOICE, None, Grade.B, []),
    ],
)
def test_warnings(
    kind: Kind,
    proposed: Terms,
    basis: TermsBasis,
    suggested: Decimal | None,
    score_grade: Grade | None,
    expected: list[str],
) -> None:
    assert codes(*warnings_for(kind, proposed, basis, suggested, score_grade)) == expected
    assert all(isinstance(c, str) for c in ApplicationWarning)


@pytest.mark.parametrize(
    ("total", "grade"),
    [(100, "A"), (85, "A"), (84, "B"), (70, "B"), (69, "C"), (50, "C"), (49, "D"), (0, "D")],
)
def test_score_grades(total: int, grade: str) -> None:
    assert DEFAULT_SCORECARD.grade(total) is Grade(grade)


def test_score_total_and_refusals() -> None:
    assert DEFAULT_SCORECARD.total({"debt_ratio": 15, "payment_history": 10}) == 25
    assert sum(DEFAULT_SCORECARD.factors.values()) == 100
    with pytest.raises(ScoreError, match="unknown factor"):
        DEFAULT_SCORECARD.total({"luck": 1})
    with pytest.raises(ScoreError, match="above its maximum"):
        DEFAULT_SCORECARD.total({"debt_ratio": 16})


@pytest.mark.parametrize(
    ("factors", "grades"),
    [
        ({"a": 50, "b": 49}, {Grade.A: 85, Grade.B: 70, Grade.C: 50}),
        ({"a": 100}, {Grade.A: 70, Grade.B: 85, Grade.C: 50}),
        ({"a": 100}, {Grade.A: 85, Grade.B: 70}),
        ({"a": 100, "b": 0}, {Grade.A: 85, Grade.B: 70, Grade.C: 50}),
    ],
)
def test_bad_scorecards(factors: dict[str, int], grades: dict[Grade, int]) -> None:
    with pytest.raises(ValueError):
        Scorecard(factors, grades)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 22), 6, date(2027, 5, 22)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 11, 24), "20000"), (date(2026, 11, 25), "20000"), (date(2026, 11, 26), "10000")],
)
def test_a_temporary_limit_holds_through_its_last_day(today: date, expected: str) -> None:
    assert effective_limit(D("20000"), D("10000"), date(2026, 11, 25), today) == D(expected)
    assert effective_limit(D("20000"), None, None, today) == D("20000")
