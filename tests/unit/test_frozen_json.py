"""policies.frozen_json: every frozen input of the core goes to JSON and back unchanged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import (
    Account,
    Balance,
    Grade,
    ItemKind,
    OpenItem,
    Override,
    OverrideRejected,
    ReasonCode,
)
from policies.frozen_json import FrozenJsonError, decode, encode, register
from tests.unit.test_properties import accounts, balances, policies

exact = st.decimals(allow_nan=False, allow_infinity=False)
aware = st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]))
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | exact
    | st.dates()
    | aware
    | st.timedeltas()
    | st.sampled_from(Grade)
    | st.sampled_from(ReasonCode)
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4).map(tuple)
        | st.frozensets(st.sampled_from(ItemKind))
        | st.dictionaries(st.sampled_from(Grade), inner, max_size=3)
    ),
    max_leaves=12,
)
verdicts = (
    st.none()
    | st.builds(Override, st.text(max_size=8), st.lists(st.text(max_size=4)).map(tuple))
    | st.builds(OverrideRejected, st.text(max_size=20))
)


def round_trip(value: Any, **kw: Any) -> Any:
    return decode(
        json.loads(json.dumps(encode(value, **{k: v for k, v in kw.items() if k == "refs"}))),
        kw.get("resolve"),
    )


@given(values)
def test_plain_values_round_trip(value: Any) -> None:
    back = round_trip(value)
    assert back == value and type(back) is type(value)
    if isinstance(value, Decimal):  # exactly its digits, exponent included
        assert str(back) == str(value)


@given(accounts, balances, verdicts, exact, st.dates())
def test_the_checks_inputs_round_trip(
    account: Account, balance: Balance, verdict: Any, amount: Decimal, today: date
) -> None:
    inputs = {
        "account": account,
        "balance": balance,
        "order_amount": amount,
        "today": today,
        "verdict": verdict,
        "none": None,
    }
    assert round_trip(inputs) == inputs


@given(policies)
def test_policies_round_trip(policy: Any) -> None:
    assert round_trip(policy) == policy


@given(balances)
def test_a_referenced_value_is_written_as_its_token(balance: Balance) -> None:
    refs = {id(balance.items): "etag-1"}
    data = encode(balance, refs)
    assert data["a"]["items"] == {"r": "etag-1"}
    assert round_trip(balance, refs=refs, resolve={"etag-1": balance.items}.__getitem__) == balance


@dataclass(frozen=True)
class LaterInput:  # a frozen input added to the core later, outside policies.model
    rate: Decimal
    on: date


def test_a_new_frozen_input_takes_one_line() -> None:
    value = LaterInput(Decimal("1.10"), date(2026, 12, 1))
    with pytest.raises(FrozenJsonError, match="register"):
        encode(value)
    register(LaterInput)
    assert round_trip(value) == value


@pytest.mark.parametrize("value", [1.5, object(), {"a": 1}.keys()])
def test_what_cannot_be_recorded_is_refused(value: Any) -> None:
    with pytest.raises(FrozenJsonError):
        encode(value)


@pytest.mark.parametrize(
    "data", [[1], {"x": 1}, {"d": "abc"}, {"c": "NoSuchClass", "a": {}}, {"r": "tok"}, 1.5]
)
def test_unreadable_data_is_refused(data: Any) -> None:
    with pytest.raises(FrozenJsonError):
        decode(data)


def test_the_core_types_are_known_by_name() -> None:
    item = OpenItem("I1", ItemKind.NOTE, Decimal("1.00"), date(2026, 1, 1))
    assert encode(item) == {
        "c": "OpenItem",
        "a": {
            "item_id": "I1",
            "kind": {"e": ["ItemKind", "note"]},
            "days_past_term": None,
            "amount": {"d": "1.00"},
            "due_date": {"D": "2026-01-01"},
        },
    }
    assert encode(datetime(2026, 1, 1, tzinfo=UTC)) == {"T": "2026-01-01T00:00:00+00:00"}
