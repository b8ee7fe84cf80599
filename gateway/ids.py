"""Identifiers the gateway mints for the rows it writes on the hot path."""

from __future__ import annotations

import os
import random
import time
import uuid

# A generator of our own: anything may seed the global one (hypothesis seeds it before
# every example), and equal seeds would mint equal ids. Seeded from the OS at import,
# and again in every forked worker so that no two processes share a sequence.
_random = random.Random()  # noqa: S311 (ids are unique, not secret)
os.register_at_fork(after_in_child=_random.seed)


def time_ordered_uuid() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.

    Decision ids are the primary key of the busiest table. Random (version 4) keys
    land on a random page of the key index at every insert, so each check dirtied a
    page of its own, and the commit and the checkpoint wrote it; keys that grow with
    time land on the index's last page, which the checks of a batch share
    (bench/RESULTS.md). The random bits keep ids from different processes apart: they
    come from a generator seeded from the OS at start and again in every forked
    worker, without a system call per id (ids are unique, not secret). Ids
    minted within the same millisecond are unordered among themselves, which is all
    the locality needs. (Python 3.14 has `uuid.uuid7`; the `uuid6` package's version
    moves its timestamp ahead of the clock when called often, hence these lines.)
    """
    millis = time.time_ns() // 1_000_000
    rand = _random.getrandbits(74)
    rand_a, rand_b = rand >> 62, rand & _RAND_B_MASK
    # Layout: unix_ts_ms(48) | ver(4)=7 | rand_a(12) | var(2)=0b10 | rand_b(62). Set by
    # hand: Python 3.11's UUID(version=...) accepts versions 1 to 5 only.
    value = (millis & _MS_MASK) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


_MS_MASK = (1 << 48) - 1
_RAND_B_MASK = (1 << 62) - 1
