"""What the simulation's reads hand out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

OutcomeName = Literal["release", "hold"]  # policies.Outcome, as stored


@dataclass(frozen=True, slots=True)
class RecordedDecisionRecord:
    """A decision recorded with its inputs (gateway.recorder)."""

    decision_id: str
    erp: str
    order_id: str
    revision: int
    customer_id: str
    outcome: OutcomeName
    created_at: datetime
    response: str  # JSON: the answer as given
    inputs: str  # JSON: what it was decided on (only decisions that have them are read)
