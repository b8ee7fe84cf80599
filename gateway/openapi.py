"""The OpenAPI schema, made to say exactly what the server accepts.

FastAPI derives the schema from the request models, which know each field alone. Two
rules span fields or depend on the configuration, so they are written in here:
- a currency is one the configuration converts (`[fx]` base and rates), not any three
  letters (else 422 UNSUPPORTED_CURRENCY for a body the schema called valid);
- an amount has at most its currency's decimals (else 422 INVALID_AMOUNT): each object
  with a currency and amounts becomes an `anyOf`, one branch per number of decimals.
Amount fields are found by the `x-amount` mark that `gateway.schemas` puts on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from gateway.schemas import (
    AMOUNT_MARK,
    BASE_CURRENCY_MARK,
    CURRENCY_MARK,
    RATED_CURRENCY_MARK,
    amount_schema,
)
from policies.money import MINOR_UNITS, FxRates

CREDIT_FIELDS = ("credit_limit", "grade", "payment_terms_days")
# Models of bodies that routes read themselves (`request_body`), by name.
_READ_BY_ROUTES: dict[str, type[BaseModel]] = {}


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """The `openapi_extra` request body of a route that reads its body itself (the
    check: `gateway.orders.edge`), documented as FastAPI documents a body of `model`."""
    _READ_BY_ROUTES[model.__name__] = model
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"content": {"application/json": {"schema": ref}}, "required": True}


def _models_read_by_routes() -> dict[str, Any]:
    """Their schemas as FastAPI writes a body parameter's (one route each, taking it)."""
    routes = []
    for name, model in _READ_BY_ROUTES.items():

        async def takes(body: Any) -> None: ...

        takes.__annotations__ = {"body": model, "return": None}
        routes.append(APIRoute(f"/{name}", takes, methods=["POST"]))
    schema = get_openapi(title="", version="", routes=routes)
    written: dict[str, Any] = schema.get("components", {}).get("schemas", {})
    # Those models and what they refer to (not the routes' own 422 models).
    wanted, todo = set(), list(_READ_BY_ROUTES)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo += _refs(written[name])
    return {name: written[name] for name in wanted}


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for child in node.values():
            yield from _refs(child)
    elif isinstance(node, list):
        for child in node:
            yield from _refs(child)


def install(
    app: FastAPI,
    fx: FxRates,
    credit_fields_required: bool = True,
    score_factors: Mapping[str, int] | None = None,
) -> None:
    """Serve the precise schema at the app's openapi_url (built once, on first use).

    `credit_fields_required`: the ERP keeps the customers' credit fields (`[master_data]
    owner = "erp"`), so a customer's master data must carry them. `score_factors`: the
    scorecard's factors and their maximum points, the only keys a credit application's
    `score` may have.
    """
    currencies = sorted({fx.base, *fx.rates})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
                openapi_version=app.openapi_version,
            )
            components = schema.setdefault("components", {})
            read = {**components.get("schemas", {}), **_models_read_by_routes()}
            components["schemas"] = dict(sorted(read.items()))
            _fx_marks(schema, fx)
            app.openapi_schema = precise(schema, currencies)
            models = app.openapi_schema.get("components", {}).get("schemas", {})
            if credit_fields_required and "CustomerIn" in models:
                required = models["CustomerIn"].setdefault("required", [])
                required += [f for f in CREDIT_FIELDS if f not in required]
            if score_factors is not None and "ApplicationIn" in models:
                models["ApplicationIn"]["properties"]["score"] = score_schema(score_factors)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def score_schema(factors: Mapping[str, int]) -> dict[str, Any]:
    points = {
        name: {"type": "integer", "minimum": 0, "maximum": most} for name, most in factors.items()
    }
    return {
        "anyOf": [
            {"type": "object", "properties": points, "additionalProperties": False},
            {"type": "null"},
        ],
        "title": "Score",
    }


def precise(schema: dict[str, Any], currencies: list[str]) -> dict[str, Any]:
    _narrow(schema.get("components", {}).get("schemas", {}), currencies)
    _narrow(schema.get("paths", {}), currencies)  # parameters and inline bodies
    _unmark(schema)
    return schema


def _narrow(node: Any, currencies: list[str]) -> None:
    """Walk a schema: currencies become enums; objects with a currency and amounts get
    one branch per number of decimals."""
    if isinstance(node, list):
        for child in node:
            _narrow(child, currencies)
        return
    if not isinstance(node, dict):
        return
    branches = None
    properties = node.get("properties")
    if isinstance(properties, dict):
        currency = next((n for n, p in properties.items() if _marked(p, CURRENCY_MARK)), None)
        amounts = [name for name, prop in properties.items() if _amount_mark(prop)]
        if currency and amounts:
            branches = list(_branches(currencies, currency, amounts, properties))
    if node.pop(CURRENCY_MARK, False):
        node.pop("pattern", None)
        node["enum"] = currencies
    for value in node.values():
        _narrow(value, currencies)
    if branches:  # added after the walk: the branches need no narrowing of their own
        node["anyOf"] = branches


def _marked(prop: Any, mark: str) -> bool:
    return isinstance(prop, dict) and bool(prop.get(mark))


def _amount_mark(prop: Any) -> str | None:
    """ "positive" or "any" for an amount field (its mark, or an optional one's in its
    anyOf), else None."""
    if not isinstance(prop, dict):
        return None
    for node in (prop, *prop.get("anyOf", [])):
        if isinstance(node, dict) and node.get(AMOUNT_MARK):
            return str(node[AMOUNT_MARK])
    return None


def _unmark(node: Any) -> None:
    """The marks are for this module only: clients see plain JSON Schema."""
    if isinstance(node, dict):
        node.pop(AMOUNT_MARK, None)
        node.pop(CURRENCY_MARK, None)
        children: Iterable[Any] = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return
    for child in children:
        _unmark(child)


def _by_decimals(currencies: list[str]) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = {}
    for code in currencies:
        groups.setdefault(MINOR_UNITS[code], []).append(code)
    return groups


def _branches(
    currencies: list[str], currency: str, amounts: list[str], properties: dict[str, Any]
) -> Iterable[dict[str, Any]]:
    for decimals, codes in sorted(_by_decimals(currencies).items()):
        yield {
            "properties": {
                currency: {"enum": codes},
                **{
                    name: amount_schema(
                        decimals, positive=_amount_mark(properties[name]) == "positive"
                    )
                    for name in amounts
                },
            }
        }


def _fx_marks(node: Any, fx: FxRates) -> None:
    """Fields that name the FX base only, or only a currency rated against it (dated
    rates): enums of exactly those (else 422 for a body the schema called valid)."""
    if isinstance(node, list):
        for child in node:
            _fx_marks(child, fx)
        return
    if not isinstance(node, dict):
        return
    for mark, codes in (
        (BASE_CURRENCY_MARK, [fx.base]),
        (RATED_CURRENCY_MARK, sorted(set(fx.rates) - {fx.base})),
    ):
        if node.pop(mark, False):
            node.pop("pattern", None)
            node["enum"] = codes
    for child in node.values():
        _fx_marks(child, fx)
