"""The pure core's frozen values to compact JSON-ready data and back.

The recorder of decisions stores "the inputs `evaluate` was given" with this, so an
input added to `evaluate` later (a frozen dataclass, a Decimal, a date, an enum, a
tuple of those) is recorded and replayed with no new code: classes defined in
`policies.model`, `policies.money` and `policies.reasons` are known by name; a frozen
class defined elsewhere takes one line, `register(TheClass)`.

Shapes: None, bool, int and str stand for themselves; every other value is a
one-key object whose key says its type, so nothing is ambiguous:
`{"d": "12.50"}` Decimal (its exact digits), `{"D": "2026-12-07"}` date,
`{"T": iso}` datetime, `{"s": [days, seconds, microseconds]}` timedelta,
`{"e": [class, value]}` enum member, `{"t": [...]}` tuple, `{"l": [...]}` list,
`{"f": [...]}` frozenset, `{"m": [[key, value], ...]}` mapping,
`{"c": class, "a": {field: value}}` dataclass (fields by name, so a field added
later with a default still reads old records), and `{"r": token}` a reference: a
value the caller stores elsewhere (a customer's open items, by snapshot etag).
Floats are refused: money is never a float.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from policies import fx, groups, model, money, reasons, release

Plain = Any  # JSON-ready: None, bool, int, str, list, dict

_CLASSES: dict[str, type] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


class FrozenJsonError(ValueError):
    """A value this codec cannot write, or data it cannot read back."""


def register(cls: type) -> type:
    """Make a frozen dataclass or an enum recordable (usable as a class decorator)."""
    if not (dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum)):
        raise FrozenJsonError(f"{cls.__name__} is neither a dataclass nor an enum")
    known = _CLASSES.setdefault(cls.__name__, cls)
    if known is not cls:
        raise FrozenJsonError(f"two recordable classes are named {cls.__name__}")
    if dataclasses.is_dataclass(cls):
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return cls


for _module in (model, money, reasons, groups, fx, release):
    for _value in vars(_module).values():
        if (
            isinstance(_value, type)
            and _value.__module__ == _module.__name__
            and (dataclasses.is_dataclass(_value) or issubclass(_value, enum.Enum))
        ):
            register(_value)


def encode(value: Any, refs: Mapping[int, str] | None = None) -> Plain:
    """`value` as JSON-ready data; a container (a tuple, a dataclass, ...) whose id is
    in `refs` is written as a reference to its token instead (the caller keeps it
    elsewhere). Runs on every check: the common types are tested first."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is Decimal:
        return {"d": str(value)}
    if kind is datetime:
        return {"T": value.isoformat()}
    if kind is date:
        return {"D": value.isoformat()}
    if refs and id(value) in refs:  # a container the caller keeps elsewhere
        return {"r": refs[id(value)]}
    fields = _FIELDS.get(kind)
    if fields is not None:
        return {"c": kind.__name__, "a": {f: encode(getattr(value, f), refs) for f in fields}}
    if kind is tuple:
        return {"t": [encode(v, refs) for v in value]}
    if isinstance(value, enum.Enum):
        if _CLASSES.get(kind.__name__) is not kind:
            raise FrozenJsonError(f"enum {kind.__name__} is not registered")
        return {"e": [kind.__name__, encode(value.value)]}
    if kind is timedelta:
        return {"s": [value.days, value.seconds, value.microseconds]}
    if kind is list:
        return {"l": [encode(v, refs) for v in value]}
    if kind is frozenset:
        items = [encode(v, refs) for v in value]
        return {"f": sorted(items, key=repr)}
    if isinstance(value, Mapping):
        return {"m": [[encode(k, refs), encode(v, refs)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value):
        raise FrozenJsonError(
            f"{kind.__name__} is not registered: add policies.frozen_json.register({kind.__name__})"
        )
    raise FrozenJsonError(f"cannot record a {kind.__name__}")


def decode(data: Plain, resolve: Callable[[str], Any] | None = None) -> Any:
    """The value `encode` wrote; `resolve` turns a reference's token back into its value."""
    if data is None or isinstance(data, (str, bool, int)):
        return data
    if isinstance(data, list):
        raise FrozenJsonError("a bare list is not a recorded value")
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise FrozenJsonError(f"not a recorded value: {data!r:.80}")
    try:
        return _decode_tagged(data, resolve)
    except (KeyError, TypeError, ValueError, IndexError, ArithmeticError) as exc:
        if isinstance(exc, FrozenJsonError):
            raise
        raise FrozenJsonError(f"cannot read {data!r:.80}: {exc}") from None


def _decode_tagged(data: dict[str, Any], resolve: Callable[[str], Any] | None) -> Any:
    if "c" in data:
        cls = _CLASSES[data["c"]]
        return cls(**{k: decode(v, resolve) for k, v in data["a"].items()})
    ((tag, body),) = data.items()
    if tag == "d":
        return Decimal(body)
    if tag == "T":
        return datetime.fromisoformat(body)
    if tag == "D":
        return date.fromisoformat(body)
    if tag == "t":
        return tuple(decode(v, resolve) for v in body)
    if tag == "e":
        return _CLASSES[body[0]](decode(body[1]))
    if tag == "s":
        return timedelta(days=body[0], seconds=body[1], microseconds=body[2])
    if tag == "l":
        return [decode(v, resolve) for v in body]
    if tag == "f":
        return frozenset(decode(v, resolve) for v in body)
    if tag == "m":
        return {decode(k, resolve): decode(v, resolve) for k, v in body}
    if tag == "r":
        if resolve is None:
            raise FrozenJsonError(f"reference {body!r} and nothing to resolve it")
        return resolve(body)
    raise FrozenJsonError(f"unknown tag {tag!r}")
