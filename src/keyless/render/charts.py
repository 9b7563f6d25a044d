"""Chart geometry for the HTML reports: numbers only, drawn as inline SVG by the templates
(``templates/_charts.html.j2``), so a report needs no chart service, no script and no
network to show its pictures, and every label goes through the template's escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Bar:
    """A bar at (``x``, ``y``) of ``width`` by ``height``, with its label and value.
    ``tone`` names the CSS class that colours it (``tone-high``, ``tone-neutral``…)."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    tone: str


@dataclass(frozen=True, slots=True)
class BarChart:
    """Bars in a ``width`` by ``height`` box; ``horizontal`` bars grow to the right from
    ``offset`` (the room left for labels), vertical ones grow up from ``baseline``."""

    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    offset: float = 0
    baseline: float = 0


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a line chart: runs of consecutive known points (a scan where the value
    is unknown breaks the line), and every known point."""

    name: str
    tone: str
    runs: tuple[str, ...]
    points: tuple[tuple[float, float, int], ...]


@dataclass(frozen=True, slots=True)
class Tick:
    """An axis label at a position."""

    at: float
    label: str


@dataclass(frozen=True, slots=True)
class LineChart:
    """Lines over time in a ``width`` by ``height`` box, with the plot area's edges."""

    title: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    incomplete: tuple[float, ...] = ()
    most_points: int = 50  # beyond this, lines without a dot per scan


def columns(
    title: str, values: Sequence[tuple[str, int, str]], *, width: int = 480, height: int = 200
) -> BarChart:
    """Vertical bars, one per ``(label, value, tone)``, scaled to the largest value."""
    baseline = height - 36.0  # room for the labels under the bars
    top = 18.0  # room for the values above the tallest bar
    slot = width / max(len(values), 1)
    biggest = max((value for _, value, _ in values), default=0) or 1
    bars = tuple(
        Bar(
            x=n * slot + slot * 0.15,
            y=baseline - (baseline - top) * value / biggest,
            width=slot * 0.7,
            height=(baseline - top) * value / biggest,
            label=label,
            value=value,
            tone=tone,
        )
        for n, (label, value, tone) in enumerate(values)
    )
    return BarChart(title, width, height, bars, horizontal=False, baseline=baseline)


def rows(
    title: str,
    values: Sequence[tuple[str, int, str]],
    *,
    width: int = 640,
    row_height: int = 24,
    label_width: int = 260,
) -> BarChart:
    """Horizontal bars, one row per ``(label, value, tone)``, scaled to the largest
    value (the value is written after the bar, so ``width`` keeps room for it)."""
    room = width - label_width - 60.0
    biggest = max((value for _, value, _ in values), default=0) or 1
    bars = tuple(
        Bar(
            x=float(label_width),
            y=n * row_height + 4.0,
            width=max(room * value / biggest, 1.0 if value else 0.0),
            height=row_height - 8.0,
            label=label,
            value=value,
            tone=tone,
        )
        for n, (label, value, tone) in enumerate(values)
    )
    height = max(len(values), 1) * row_height
    return BarChart(title, width, height, bars, horizontal=True, offset=float(label_width))


def lines(
    title: str,
    times: Sequence[datetime],
    series: Sequence[tuple[str, str, Sequence[int | None]]],
    *,
    incomplete: Sequence[bool] = (),
    width: int = 720,
    height: int = 240,
) -> LineChart:
    """Lines of ``(name, tone, values)`` over ``times`` (oldest first; ``None`` is an
    unknown value). ``incomplete`` marks the times whose scan missed part of the estate."""
    left, right, top, bottom = 44.0, width - 40.0, 12.0, height - 28.0
    known = [v for _, _, values in series for v in values if v is not None]
    ceiling = _nice_ceiling(max(known, default=0))
    first, last = (times[0], times[-1]) if times else (None, None)
    span = (last - first).total_seconds() if first and last else 0.0

    def x_of(n: int) -> float:
        if span <= 0 or first is None:  # one scan, or several at one instant: spread evenly
            return left + (right - left) * (n + 0.5) / max(len(times), 1)
        return left + (right - left) * (times[n] - first).total_seconds() / span

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * value / ceiling

    drawn = []
    for name, tone, values in series:
        points = tuple(
            (round(x_of(n), 1), round(y_of(v), 1), v) for n, v in enumerate(values) if v is not None
        )
        runs: list[list[str]] = [[]]
        for n, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{x_of(n):.1f},{y_of(value):.1f}")
        drawn.append(Series(name, tone, tuple(" ".join(r) for r in runs if len(r) > 1), points))
    x_ticks = tuple(
        Tick(round(x_of(n), 1), times[n].strftime("%Y-%m-%d")) for n in _spread(len(times), 6)
    )
    y_ticks = tuple(Tick(round(y_of(v), 1), str(v)) for v in _steps(ceiling))
    marks = tuple(round(x_of(n), 1) for n, flag in enumerate(incomplete) if flag)
    return LineChart(
        title, width, height, left, right, top, bottom, tuple(drawn), x_ticks, y_ticks, marks
    )


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return max(step * magnitude, 1)
        magnitude *= 10


def _steps(ceiling: int) -> tuple[int, ...]:
    """0, a middle value and the ceiling (integers, no repeats)."""
    return tuple(sorted({0, ceiling // 2, ceiling}))


def _spread(count: int, most: int) -> tuple[int, ...]:
    """At most ``most`` indexes of ``count``, evenly spread, first and last included."""
    if count <= most:
        return tuple(range(count))
    return tuple(sorted({round(n * (count - 1) / (most - 1)) for n in range(most)}))
