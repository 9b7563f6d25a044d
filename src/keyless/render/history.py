"""``keyless history`` output: the estate over time as a terminal table with sparklines,
the ``keyless/history/v1`` JSON document, and an HTML page with SVG charts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from keyless import __version__
from keyless.dates import iso
from keyless.findings import Severity
from keyless.render import RenderOptions, console_text
from keyless.render.html import burndown_chart, render_page, when
from keyless.render.jsonout import dumps
from keyless.render.untrusted import printable
from keyless.store.history import Counts, History, HistoryPoint

HISTORY_SCHEMA = "keyless/history/v1"
SPARKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 40
TABLE_ROWS = 30
#: Accounts given a row (text) or a chart (HTML): the worst, the others counted. An
#: organization of 1,000 accounts printed 1,000 rows before this; `--account ID` shows
#: any one, and the JSON document has them all.
ACCOUNT_ROWS = 20
#: Accounts named in a scan's "not read" cell of the HTML table; the others counted.
UNREAD_NAMED = 5
RANKED = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)

Measure = Callable[[Counts], int | None]
MEASURES: tuple[tuple[str, Measure], ...] = (
    ("users", lambda c: c.users),
    ("active keys", lambda c: c.active_keys),
    *((s.value, (lambda c, s=s: c.findings.get(s, 0))) for s in RANKED),
    # Apart from the findings: debt that "goes down" under a broad ignore is still there.
    ("suppressed", lambda c: c.suppressed),
)


def sparkline(values: Sequence[int | None], width: int = SPARK_WIDTH) -> str:
    """``values`` as block characters, lowest to highest (a space where unknown); longer
    series are sampled evenly, first and last kept."""
    if len(values) > width:
        picks = sorted({round(n * (len(values) - 1) / (width - 1)) for n in range(width)})
        values = [values[n] for n in picks]
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        " "
        if v is None
        else SPARKS[0 if span == 0 else round((v - low) * (len(SPARKS) - 1) / span)]
        for v in values
    )


def history_document(history: History) -> dict[str, Any]:
    """The ``keyless/history/v1`` document (docs/schemas/history-v1.schema.json)."""
    return {
        "schema": HISTORY_SCHEMA,
        "keyless_version": __version__,
        "store": history.store,
        "account": history.account,
        "accounts": dict(history.labels),
        "scans": [_point(p) for p in history.points],
    }


def _point(point: HistoryPoint) -> dict[str, Any]:
    return {
        "id": point.scan_id,
        "at": iso(point.at),
        "command": point.command,
        "source": point.source,
        "complete": point.complete,
        "unread": list(point.unread),
        "total": _counts(point.total),
        "accounts": {account: _counts(c) for account, c in point.accounts.items()},
    }


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "users": counts.users,
        "console_users": counts.console_users,
        "active_keys": counts.active_keys,
        "findings": {s.value: counts.findings.get(s, 0) for s in Severity},
        "suppressed": counts.suppressed,
    }


def history_json(history: History, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless history``."""
    return dumps(history_document(history)).decode()


def history_text(history: History, options: RenderOptions) -> str:
    """The ``text`` format of ``keyless history``."""
    return console_text(lambda console: _draw(history, console), options)


def _draw(history: History, console: Console) -> None:
    points = history.points
    # The store is a file anyone may have edited: its labels and sources (and the store's
    # own path) reach the terminal escaped, never as line breaks or escape sequences.
    title = f"keyless history — {printable(history.store)}"
    if history.account is not None:
        title += f" — account {printable(history.labels.get(history.account, history.account))}"
    console.print(Text(title, style="bold"))
    if not points:
        console.print("No scans recorded yet: `keyless scan --record` adds one.")
        return
    console.print(
        Text(
            f"{len(points)} scan{'' if len(points) == 1 else 's'}, "
            f"{when(points[0].at)} → {when(points[-1].at)}",
            style="dim",
        )
    )
    console.print()
    console.print(_trend_table("Overall", history.series()))
    console.print(_scan_table(points))
    if history.account is None and len(history.labels) > 1:
        shown, more = worst_accounts(history)
        console.print(_account_table(history, shown))
        if more:
            console.print(Text(_more_accounts(more), style="dim"))
    if any(p.total.suppressed is None for p in points):
        console.print(
            Text(
                "? suppressed: the store was written before keyless kept the findings a"
                " configuration ignores; unknown, not zero.",
                style="yellow",
            )
        )
    if any(not p.complete for p in points):
        console.print(
            Text(
                "* part of the estate could not be read in that scan, or it ran only some"
                " checks (--checks): its totals are a lower bound, and a gap in a sparkline"
                " is an account not read.",
                style="yellow",
            )
        )


def _trend_table(title: str, series: Sequence[tuple[HistoryPoint, Counts | None]]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("")
    table.add_column("first", justify="right")
    table.add_column("latest", justify="right")
    table.add_column("change", justify="right")
    table.add_column("oldest → latest", no_wrap=True)
    for name, measure in MEASURES:
        values = [None if c is None else measure(c) for _, c in series]
        known = [v for v in values if v is not None]
        first, last = (known[0], known[-1]) if known else (None, None)
        change = "" if first is None or last is None else f"{last - first:+d}"
        table.add_row(
            name,
            _shown(first),
            _shown(last),
            change,
            Text(sparkline(values), style="cyan"),
        )
    return table


def worst_accounts(history: History) -> tuple[list[str], int]:
    """The :data:`ACCOUNT_ROWS` accounts shown on their own, and how many are left out:
    those never read first (unknown is not clean), then the most findings in their latest
    counts, then by label."""

    def rank(account: str) -> tuple[int, int, str, str]:
        known = [c for _, c in history.series(account) if c is not None]
        if not known:
            return (0, 0, history.labels[account], account)
        return (1, -known[-1].total_findings, history.labels[account], account)

    ranked = sorted(history.account_ids, key=rank)
    return ranked[:ACCOUNT_ROWS], max(0, len(ranked) - ACCOUNT_ROWS)


def _more_accounts(more: int) -> str:
    return (
        f"… and {more} more account{'s' if more > 1 else ''} with fewer findings:"
        " `keyless history --account ID` shows one, `--format json` every one."
    )


def _account_table(history: History, accounts: Sequence[str]) -> Table:
    """One row per account of ``accounts``: users, active keys and findings, first →
    latest, with their sparklines."""
    table = Table(
        title="Per account (first → latest)", title_justify="left", show_edge=False, pad_edge=False
    )
    table.add_column("account", overflow="fold")
    for header in ("users", "active keys", "findings", "suppressed"):
        table.add_column(header, justify="right", no_wrap=True)
        table.add_column("", no_wrap=True)
    table.add_column("latest C/H/M/L", justify="right", no_wrap=True)
    measures: tuple[Measure, ...] = (
        lambda c: c.users,
        lambda c: c.active_keys,
        lambda c: c.total_findings,
        lambda c: c.suppressed,
    )
    for account in accounts:
        series = [c for _, c in history.series(account)]
        known = [c for c in series if c is not None]
        cells: list[str | Text] = [printable(history.labels[account])]
        for measure in measures:
            values = [None if c is None else measure(c) for c in series]
            span = f"{_shown(measure(known[0]))} → {_shown(measure(known[-1]))}" if known else "?"
            cells += [span, Text(sparkline(values, 20), style="cyan")]
        latest = known[-1] if known else None
        cells.append("/".join(str(latest.findings.get(s, 0)) for s in RANKED) if latest else "?")
        table.add_row(*cells)
    return table


def _scan_table(points: Sequence[HistoryPoint]) -> Table:
    shown = points[-TABLE_ROWS:]
    title = "Scans" if len(shown) == len(points) else f"The last {len(shown)} scans"
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    for header in ("when", "by", "source"):
        table.add_column(header)
    for header in ("users", "keys", *(s.value for s in RANKED), "suppressed"):
        table.add_column(header, justify="right")
    for point in shown:
        total = point.total
        mark = "" if point.complete else " *"
        table.add_row(
            f"{point.scan_id}{mark}",
            when(point.at),
            printable(point.command),
            printable(point.source),
            str(total.users),
            str(total.active_keys),
            *(str(total.findings.get(s, 0)) for s in RANKED),
            _shown(total.suppressed),
        )
    return table


def _shown(value: int | None) -> str:
    """A count, or ``?`` when it is unknown."""
    return "?" if value is None else str(value)


def history_html(history: History, options: RenderOptions) -> str:
    """The ``html`` format of ``keyless history``: the estate's burn-down and each
    account's, as inline SVG."""
    accounts, more = ([], 0) if history.account else worst_accounts(history)
    return render_page(
        "history.html.j2",
        title=f"keyless history — {history.store}",
        generated_at=when(history.points[-1].at) if history.points else "",
        history=history,
        overall=burndown_chart(history, history.account),
        per_account=[
            (history.labels[a], burndown_chart(history, a))
            for a in accounts
            if len(history.labels) > 1
        ],
        more_accounts=_more_accounts(more) if more else "",
        unread_named=UNREAD_NAMED,
        ranked=RANKED,
        when=when,
    )
