"""The answer of `POST /v1/simulations`: the candidate policy's report
(`policies.simulation_report.Report.as_json`, with the window and the differences)."""

from __future__ import annotations

from gateway.schemas import Absent, DayText, DecimalText, MomentText, ResponseModel


class VerdictOut(ResponseModel):
    outcome: str
    reasons: list[str]


class SampleOut(ResponseModel):
    """A recorded check whose decision the candidate changes."""

    decision_id: str
    erp: str
    order_id: str
    revision: int
    customer_id: str
    grade: str
    amount: DecimalText
    currency: str
    decided_at: MomentText
    before: VerdictOut
    after: VerdictOut


class ReasonDirectionOut(ResponseModel):
    appears: int
    disappears: int


class OverriddenOut(ResponseModel):
    count: int
    would_hold: int
    would_release: int


class TallyOut(ResponseModel):
    count: int
    amount: DecimalText
    days_late: dict[str, int] | Absent = None  # paid_late only, by bucket ("1-30", ...)


class AftermathOut(ResponseModel):
    """What became of the flipped orders (`policies.simulation.AFTERMATH_KINDS`)."""

    invoiced: TallyOut
    paid_on_time: TallyOut
    paid_late: TallyOut
    overdue_open: TallyOut
    open_not_due: TallyOut
    not_invoiced: TallyOut
    cancelled: TallyOut


class OutcomesOut(ResponseModel):
    hold_to_release: AftermathOut
    release_to_hold: AftermathOut


class GradeFlipsOut(ResponseModel):
    replayed: int
    release_to_hold: int
    hold_to_release: int


class TopCustomerOut(ResponseModel):
    customer_id: str
    release_to_hold: int
    hold_to_release: int
    amount_to_hold: DecimalText
    amount_to_release: DecimalText


class UnreplayableOut(ResponseModel):
    decision_id: str
    cause: str


class WindowOut(ResponseModel):
    since: DayText | None
    until: DayText | None


class SimulationOut(ResponseModel):
    """Counts of the replayed checks; amounts in the FX base currency (`currency`)."""

    replayed: int
    unchanged: int
    release_to_hold: int
    hold_to_release: int
    reasons_changed: int
    by_reason: dict[str, int]  # flips by reason code
    by_reason_direction: dict[str, ReasonDirectionOut]
    currency: str
    amount_to_hold: DecimalText
    amount_to_release: DecimalText
    samples: list[SampleOut]
    overridden: OverriddenOut
    outcomes: OutcomesOut
    by_grade: dict[str, GradeFlipsOut]
    top_customers: list[TopCustomerOut]
    unconverted_amounts: int
    unreplayable: int
    unreplayable_samples: list[UnreplayableOut]
    window: WindowOut
    differences: list[SampleOut]
