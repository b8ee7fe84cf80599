"""What the unfreeze flow's services are given for one request: the approval matrix,
the rates, the token signer, the clock's reading and the flow's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.unfreeze.tokens import TokenSigner
from policies import FxRates
from policies.approval import ApprovalMatrix


@dataclass(frozen=True)
class UnfreezeContext:
    matrix: ApprovalMatrix
    fx: FxRates
    signer: TokenSigner
    request_ttl: timedelta
    token_ttl: timedelta
    now: datetime
    release_by: str = "token_or_controller"
    other_min_justification: int = 1
