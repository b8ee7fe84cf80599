"""What an override token does to a decision, once the shell has redeemed it.

Only a hold can be overridden: the shell redeems a token for a hold alone
(`wants_override`), so a release is never changed. A valid override releases the
hold and keeps its reasons and figures (the ERP sees what was released anyway); a
rejected one adds OVERRIDE_REJECTED, with its cause, beside the reasons it failed
to override.
"""

from __future__ import annotations

from dataclasses import replace

from policies.model import Decision, Outcome, Override, OverrideRejected, Reason
from policies.reasons import ReasonCode

# No token (None), a valid one, or one that was given and is not valid.
OverrideVerdict = Override | OverrideRejected | None


def wants_override(decision: Decision) -> bool:
    """Whether a token sent with the order is to be redeemed: only a hold needs one."""
    return decision.outcome is Outcome.HOLD


def apply_override(decision: Decision, verdict: OverrideVerdict) -> Decision:
    if verdict is None or not wants_override(decision):
        return decision
    if isinstance(verdict, Override):
        return replace(decision, outcome=Outcome.RELEASE, override=verdict)
    rejected = Reason(ReasonCode.OVERRIDE_REJECTED, f"override token rejected: {verdict.cause}")
    # OVERRIDE_REJECTED is last in REASON_ORDER: appended, the reasons stay in order.
    return replace(decision, reasons=(*decision.reasons, rejected))
