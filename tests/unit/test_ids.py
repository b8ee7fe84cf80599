import time
import uuid

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
