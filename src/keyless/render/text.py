"""The terminal report: a summary a person reads at a glance, then findings by severity,
grouped by check, each with the resource and the fix."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

import orjson
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from keyless.checks.registry import checks_by_id
from keyless.config import Ignore
from keyless.engine import EXIT_INCOMPLETE, ScanResult
from keyless.findings import Finding, Severity
from keyless.model import AccountStatus
from keyless.render import RenderOptions, console_text
from keyless.render.ignores import unused_ignore_line
from keyless.render.style import SEVERITY_STYLE
from keyless.render.summary_text import render_summary
from keyless.render.untrusted import printable


def render_text(
    result: ScanResult, console: Console, *, fail_on: Severity, allow_partial: bool = False
) -> None:
    """Print the whole report: nothing hidden, so what the configuration suppressed and
    what could not be evaluated have sections of their own."""
    render_summary(result, console)
    _render_findings(result, console)
    _render_suppressed(result, console)
    _render_gaps(result, console)
    _render_notes(result, console)
    _render_unused_ignores(result, console)
    _render_footer(result, console, fail_on, allow_partial)


def _render_findings(result: ScanResult, console: Console) -> None:
    if not result.findings:
        if result.suppressed:
            console.print(
                Text(
                    f"No findings reported; {_suppressed_phrase(result)} (listed below).",
                    style="bold yellow",
                ),
                soft_wrap=True,
            )
        else:
            console.print(Text("No findings.", style="bold green"))
        console.print()
        return
    catalogue = checks_by_id()
    for severity, in_severity in groupby(result.findings, key=lambda f: f.severity):
        findings = list(in_severity)
        console.rule(
            Text(f"{severity.value.upper()} ({len(findings)})", style=SEVERITY_STYLE[severity]),
            align="left",
        )
        by_check: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_check[finding.check].append(finding)
        for check_id, check_findings in by_check.items():
            check = catalogue.get(check_id)
            title = check.title if check else check_id
            console.print(
                Text.assemble(
                    (f"{check_id}", "bold"), "  ", title, (f"  ({len(check_findings)})", "dim")
                )
            )
            for finding in check_findings:
                console.print(
                    Text.assemble("  • ", (printable(finding.resource), "magenta")), soft_wrap=True
                )
                console.print(_indented(Text(printable(finding.message)), 4))
                if finding.witness is not None:
                    witness = orjson.dumps(finding.witness, default=dict).decode()
                    console.print(_indented(Text(f"witness: {witness}", style="dim"), 4))
            fix = Text.assemble(("fix: ", "bold green"), (check_findings[0].remediation, "green"))
            console.print(_indented(fix, 2))
            console.print()


def _indented(text: Text, indent: int) -> Padding:
    """Wrapped lines stay under their first line; long words (URLs) fold, never crop."""
    text.overflow = "fold"
    return Padding(text, (0, 0, 0, indent), expand=False)


def _suppressed_phrase(result: ScanResult) -> str:
    """``49 findings suppressed by keyless.toml``."""
    files = sorted({s.ignore.source for s in result.suppressed if s.ignore.source})
    count = len(result.suppressed)
    noun = "finding" if count == 1 else "findings"
    return f"{count} {noun} suppressed by {', '.join(files) or 'the configuration'}"


def _render_suppressed(result: ScanResult, console: Console) -> None:
    """Every ignore rule that hid something: its place in the file, the check and the
    patterns it matches, how many findings (and how bad) it hid, and the reason given."""
    if not result.suppressed:
        return
    count = len(result.suppressed)
    console.rule(
        Text(f"SUPPRESSED — {count} finding{'s' if count != 1 else ''}", style="bold yellow"),
        align="left",
    )
    # On a line of its own, never cut: the file must be readable whatever its length.
    console.print(Text(f"{_suppressed_phrase(result)}:"), soft_wrap=True)
    by_rule: dict[Ignore, list[Finding]] = defaultdict(list)
    for entry in result.suppressed:
        by_rule[entry.ignore].append(entry.finding)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("rule", "check", "resource", "account", "hid", "reason"):
        table.add_column(column, overflow="fold")
    for rule, hidden in sorted(by_rule.items(), key=lambda item: (item[0].source, item[0].index)):
        worst = max(hidden, key=lambda f: f.severity.rank).severity
        table.add_row(
            Text(f"#{rule.index}"),
            Text(rule.check),
            Text(rule.resource),
            Text(rule.account),
            Text(f"{len(hidden)} (worst {worst.value})"),
            Text(rule.reason),
        )
    console.print(table)
    console.print()


def _render_gaps(result: ScanResult, console: Console) -> None:
    failed = [a for a in result.estate.accounts if a.status is AccountStatus.FAILED]
    calls = [(a, c) for a in result.estate.accounts for c in a.failed_calls]
    skipped = list(result.short_runs)
    if not (failed or calls or skipped):
        return
    console.rule(Text("NOT EVALUATED — what could not be read", style="bold yellow"), align="left")
    for account in failed:
        console.print(
            f"  account {escape(printable(account.label))} failed: "
            f"{escape(printable(account.error or ''))}"
        )
    for account, call in calls:
        console.print(f"  {escape(printable(account.label))}: {escape(printable(call.describe()))}")
    if skipped:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("check")
        table.add_column("status")
        table.add_column("account")
        table.add_column("why")
        # One row per gap, however many checks it stopped: an oversized trust policy or
        # a missing credential report stops a dozen checks for one reason.
        rows: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for run in skipped:
            by_reason: dict[str, list[str]] = defaultdict(list)
            for gap in run.not_evaluated:
                by_reason[gap.reason].append(gap.account)
            for reason, accounts in by_reason.items():
                where = accounts[0] if len(accounts) == 1 else f"{len(accounts)} accounts"
                rows[(run.status.replace("_", " "), where, reason)].append(run.check.id)
        for (status, where, reason), checks in rows.items():
            named = _checks_named(checks)
            # A reason may name a role of the estate: shown as text, never as markup.
            table.add_row(named, status, where, Text(printable(reason)))
        console.print(table)
    console.print()


def _render_notes(result: ScanResult, console: Console) -> None:
    """What the collectors left out on purpose (rows of deleted users): said, never lost."""
    if not result.notes:
        return
    console.rule(Text("NOTES — read but not scanned", style="bold"), align="left")
    for note in result.notes:
        console.print(_indented(Text(f"note: {printable(note)}"), 2))
    console.print()


def _render_unused_ignores(result: ScanResult, console: Console) -> None:
    """Ignores that accepted nothing: a notice line each (see render.ignores)."""
    unused = result.unused_ignores
    for ignore in unused:
        console.print(Text(unused_ignore_line(ignore)), soft_wrap=True)
    if unused:
        console.print()


def _checks_named(checks: list[str]) -> str:
    """``key-unused``; ``key-unused, key-not-rotated``; ``19 checks: trust-*``;
    ``9 checks: key-*, mfa-*, user-*`` (the JSON document lists every one)."""
    if len(checks) <= 3:
        return ", ".join(checks)
    families = sorted({check.split("-", 1)[0] + "-*" for check in checks})
    return f"{len(checks)} checks: {', '.join(families)}"


def _render_footer(
    result: ScanResult, console: Console, fail_on: Severity, allow_partial: bool
) -> None:
    code = result.exit_code(fail_on, allow_partial=allow_partial)
    short = len(result.short_runs)
    checks = f"{short} check{'s' if short != 1 else ''}"
    if code == EXIT_INCOMPLETE and not result.is_complete:
        message = "Part of the estate could not be read: exit code 3. Its findings are unknown."
    elif code == EXIT_INCOMPLETE:
        message = (
            f"{checks} could not run everywhere they apply (see NOT EVALUATED): exit code 3."
            " Not evaluated is not clean; --allow-partial accepts a partial scan."
        )
    elif code == 1:
        message = f"Findings at or above {fail_on.value}: exit code 1."
    else:
        message = f"No findings at or above {fail_on.value}."
    lines = [Text(message)]
    if short and code != EXIT_INCOMPLETE:
        lines.append(Text(f"Partial scan accepted (--allow-partial): {checks} not evaluated."))
    if result.suppressed:
        lines.append(Text(f"{_suppressed_phrase(result)}."))
    style = {0: "green", 1: "red", 3: "yellow"}[code]
    console.print(Panel(Group(*lines), style=style, expand=False))


def scan_text(result: ScanResult, options: RenderOptions) -> str:
    """The whole report as text (the ``text`` format of ``keyless scan``)."""
    return console_text(
        lambda console: render_text(
            result, console, fail_on=options.fail_on, allow_partial=options.allow_partial
        ),
        options,
    )
