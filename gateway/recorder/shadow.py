"""Shadow mode: each check decided again under the [shadow] policy, after its commit.

It never changes the answer or the reservation: it runs on the recorded inputs once
the real decision is committed, and whatever goes wrong in it is counted, not raised.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import structlog

from gateway import metrics
from gateway.recorder.record import CheckInputs
from policies import Policy, apply_override, evaluate

log = structlog.get_logger("gateway.shadow")


def export_series() -> None:
    """Every check's series at zero from the start, a shadow policy configured or not:
    the dashboard's panel shows a flat line rather than no data."""
    for outcome in ("release", "hold"):
        for agrees in ("true", "false"):
            metrics.child(metrics.SHADOW_DECISIONS, outcome, agrees)


class Shadow:
    """The shadow policy and the latest disagreements (for the console and ops)."""

    def __init__(self, policy: Policy, keep: int = 20) -> None:
        self.policy = policy
        self.disagreements: deque[dict[str, Any]] = deque(maxlen=keep)

    def decide(
        self, inputs: CheckInputs, decision_id: str, outcome: str, reasons: tuple[str, ...]
    ) -> bool | None:
        """Whether the shadow agrees with the real answer (None: it could not decide)."""
        try:
            shadow = apply_override(evaluate(**inputs.kwargs, policy=self.policy), inputs.verdict)
        except Exception:  # the real answer stands whatever happens here
            log.exception("shadow_decision_failed", decision_id=decision_id)
            metrics.child(metrics.SHADOW_DECISIONS, "error", "false").inc()
            return None
        codes = tuple(str(r.code) for r in shadow.reasons)
        agrees = shadow.outcome.value == outcome and codes == reasons
        metrics.child(
            metrics.SHADOW_DECISIONS, shadow.outcome.value, "true" if agrees else "false"
        ).inc()
        if not agrees:
            self.disagreements.append(
                {
                    "decision_id": decision_id,
                    "real": {"outcome": outcome, "reasons": list(reasons)},
                    "shadow": {"outcome": shadow.outcome.value, "reasons": list(codes)},
                }
            )
        return agrees
