"""Charts drawn by the server: the geometry of simple SVG bar and line charts, in a
fixed viewBox the browser scales to the page's width (no script, no CDN). Templates
draw it (templates/_charts.html) and translate its labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH, HEIGHT = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 58, 10, 16, 84
COLORS = ("#1f5fbf", "#e08a00", "#b3261e", "#1e7d32")


@dataclass(frozen=True)
class Shape:
    x: float
    y: float
    w: float
    h: float
    color: str
    title: str  # the category, the series and the value: shown on hover and read aloud
    value: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    categories: list[tuple[float, str]]  # (x of the label's centre, label)
    ticks: list[tuple[float, str]]  # (y, value)
    series: list[tuple[str, str]]  # (name, colour) for the legend
    bars: list[Shape] = field(default_factory=list)
    points: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, label, value
    empty: bool = False

    @property
    def line(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.points)


def _nice_top(value: Decimal) -> Decimal:
    """A round upper bound for the axis: 1, 2 or 5 x a power of ten."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (1, 2, 5, 10):
        top = Decimal(step).scaleb(exponent)
        if top >= value:
            return top
    return Decimal(10).scaleb(exponent)  # pragma: no cover


def _fmt(value: Decimal) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 1_000:
        return f"{value / 1_000:.1f}k".replace(".0k", "k")
    return f"{value:.0f}" if value == value.to_integral() else f"{value:.1f}"


def _ticks(top: Decimal, plot_h: float) -> list[tuple[float, str]]:
    return [(TOP + plot_h - plot_h * n / 5, _fmt(top * n / 5)) for n in range(6)]


def bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal]]]) -> Chart:
    """Grouped vertical bars: one group per category, one bar per series."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for _, vs in series for v in vs]
    top = _nice_top(max(values, default=Decimal(0)))
    n = max(len(categories), 1)
    group_w = plot_w / n
    bar_w = group_w * 0.8 / max(len(series), 1)
    shapes = []
    for s, (name, vs) in enumerate(series):
        for c, value in enumerate(vs):
            h = float(plot_h * float(max(value, Decimal(0)) / top))
            x = LEFT + c * group_w + group_w * 0.1 + s * bar_w
            shapes.append(
                Shape(
                    x,
                    TOP + plot_h - h,
                    bar_w,
                    h,
                    COLORS[s % len(COLORS)],
                    f"{categories[c]} · {name}",
                    str(value),
                )
            )
    return Chart(
        WIDTH,
        HEIGHT,
        [(LEFT + (c + 0.5) * group_w, label) for c, label in enumerate(categories)],
        _ticks(top, plot_h),
        [(name, COLORS[s % len(COLORS)]) for s, (name, _) in enumerate(series)],
        bars=shapes,
        empty=not any(v > 0 for v in values),
    )


def line(categories: Sequence[str], values: Sequence[Decimal | None], name: str) -> Chart:
    """One series as a line with its points; a month without a value is left out."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = [v for v in values if v is not None]
    top = _nice_top(max(known, default=Decimal(0)))
    n = max(len(categories), 1)
    step = plot_w / n
    points = [
        (LEFT + (c + 0.5) * step, TOP + plot_h - plot_h * float(v / top), categories[c], str(v))
        for c, v in enumerate(values)
        if v is not None
    ]
    return Chart(
        WIDTH,
        HEIGHT,
        [(LEFT + (c + 0.5) * step, label) for c, label in enumerate(categories)],
        _ticks(top, plot_h),
        [(name, COLORS[0])],
        points=points,
        empty=not known,
    )
