"""Decision ids: UUID version 7, time-ordered, unique across processes and seeds."""

from __future__ import annotations

import os
import random
import time
import uuid
import warnings

from gateway.ids import time_ordered_uuid


def test_a_time_ordered_uuid_is_a_version_7_rfc_uuid_carrying_the_current_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = time_ordered_uuid()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after


def test_ids_minted_in_later_milliseconds_sort_after_earlier_ones_and_never_repeat() -> None:
    first = [time_ordered_uuid() for _ in range(1000)]
    time.sleep(0.002)
    later = time_ordered_uuid()
    assert all(str(v) < str(later) for v in first)  # the text form sorts as the key does
    assert len({*first, later}) == 1001


def test_a_forked_worker_does_not_repeat_its_parents_random_bits() -> None:
    read, write = os.pipe()
    with warnings.catch_warnings():
        # Forking a process with threads may deadlock in general; this child only
        # writes to a pipe and exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: report its next id's random bits, and leave at once
        os.write(write, str(time_ordered_uuid().int & _RANDOM_BITS).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = int(os.read(read, 100))
    os.close(read)
    assert child != time_ordered_uuid().int & _RANDOM_BITS


_RANDOM_BITS = (1 << 62) - 1


def test_seeding_the_global_random_generator_does_not_repeat_ids() -> None:
    random.seed(1)
    first = time_ordered_uuid()
    random.seed(1)
    assert time_ordered_uuid() != first
