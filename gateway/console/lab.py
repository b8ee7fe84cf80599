"""The policy lab: a candidate config replayed over the recorded checks (POST
/v1/simulations' report as a page, a chart and a CSV), and the shadow's disagreements."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gateway.config import ConfigError
from gateway.console.i18n import N_
from gateway.console.session import Session, csrf_ok
from gateway.console.web import Res, S, forbidden, form_fields, one, page
from gateway.resources import Resources
from gateway.simulation.service import candidate_policy, simulate
from policies.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False)
ANALYSTS = {Role.ADMIN, Role.FINANCE_MANAGER, Role.CREDIT_CONTROLLER}
CSV_FIELDS = ("decision_id", "erp", "order_id", "revision", "customer_id", "grade", "amount")


@router.get("/policy-lab", response_class=HTMLResponse)
def lab(request: Request, res: Res, session: S) -> HTMLResponse:
    if session.principal.role not in ANALYSTS:
        return forbidden(request, res, session)
    return _page(request, res, session, res.settings.config_path.read_text(), "", "")


@router.post("/policy-lab", response_class=HTMLResponse)
async def run_lab(request: Request, res: Res, session: S) -> Response:
    form = await form_fields(request)
    if session.principal.role not in ANALYSTS:
        return forbidden(request, res, session)
    toml, since, until = one(form, "config_toml"), one(form, "since"), one(form, "until")
    if not csrf_ok(session, one(form, "csrf")):
        error = N_("The form was stale. Reload the page and try again.")
        return _page(request, res, session, toml, since, until, error=error, status=422)
    try:
        start, end = _day(since), _day(until)
        if start and end and start > end:
            raise ValueError("the first day is after the last")
        policy = candidate_policy(toml, res.config)
    except (ConfigError, ValueError) as exc:
        return _page(request, res, session, toml, since, until, error=str(exc), status=422)
    today = res.clock().astimezone(res.config.timezone).date()

    def run() -> dict[str, Any]:
        return simulate(res.uow, policy, res.config, since=start, until=end, today=today)

    report = await to_thread.run_sync(run)
    if one(form, "format") == "csv":
        return Response(
            _csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="policy-lab-flips.csv"'},
        )
    return _page(request, res, session, toml, since, until, report=report)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text[:20]!r}") from None


def _page(
    request: Request,
    res: Resources,
    session: Session,
    toml: str,
    since: str,
    until: str,
    *,
    report: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    shadow = list(res.shadow.disagreements) if res.shadow is not None else None
    return page(
        request,
        res,
        "lab.html",
        session,
        status,
        config_toml=toml,
        since=since,
        until=until,
        report=report,
        bars=_bars(report) if report else [],
        error=error,
        shadow=shadow,
    )


def _bars(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart: checks by what the candidate does to them, then flips by reason."""
    rows = [
        (N_("unchanged"), "", report["unchanged"]),
        (N_("release to hold"), "", report["release_to_hold"]),
        (N_("hold to release"), "", report["hold_to_release"]),
        (N_("other reasons"), "", report["reasons_changed"]),
        *((N_("reason"), code, n) for code, n in report["by_reason"].items()),
    ]
    top = max((n for _, _, n in rows), default=0) or 1
    return [
        {"label": label, "code": code, "count": n, "width": round(300 * n / top)}
        for label, code, n in rows
    ]


def _csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_FIELDS, "before", "before_reasons", "after", "after_reasons"])
    for s in report["samples"]:
        writer.writerow(
            [
                *(s[k] for k in CSV_FIELDS),
                s["before"]["outcome"],
                " ".join(s["before"]["reasons"]),
                s["after"]["outcome"],
                " ".join(s["after"]["reasons"]),
            ]
        )
    return out.getvalue()
