"""Failed console sign-ins, counted per client address, to slow down key guessing.

In memory, so per process: with N workers an address gets up to N times the limit,
and a restart forgets. Good enough against guessing a 16+ character key; a shared
count would cost a database write per failure for little more.
"""

from __future__ import annotations

import math
from collections import deque

LIMIT = 10  # failures an address may have within WINDOW before it must wait
WINDOW = 60.0  # seconds
_PRUNE_ABOVE = 1024  # addresses kept before those with only old failures are dropped


class LoginThrottle:
    """A sliding window of failure times per address. Used on the event loop only
    (the sign-in route is async), so it needs no lock."""

    def __init__(self, limit: int = LIMIT, window: float = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, address: str, now: float) -> int | None:
        """Seconds until `address` may try again, or None if it may now."""
        failures = self._failures.get(address)
        if failures is None or len(failures) < self.limit:
            return None
        wait = failures[0] + self.window - now
        return max(1, math.ceil(wait)) if wait > 0 else None

    def failed(self, address: str, now: float) -> None:
        if address not in self._failures and len(self._failures) >= _PRUNE_ABOVE:
            self._prune(now)
        # The newest `limit` failures are all the window needs.
        self._failures.setdefault(address, deque(maxlen=self.limit)).append(now)

    def _prune(self, now: float) -> None:
        stale = [a for a, f in self._failures.items() if f[-1] <= now - self.window]
        for address in stale:
            del self._failures[address]
