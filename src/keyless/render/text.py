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
from keyless.engine import ScanResult
from keyless.findings import Finding, Severity
from keyless.model import AccountStatus
from keyless.render import RenderOptions, console_text
from keyless.render.style import SEVERITY_STYLE
from keyless.render.summary_text import render_summary


def render_text(result: ScanResult, console: Console, *, fail_on: Severity) -> None:
    """Print the whole report."""
    render_summary(result, console)
    _render_findings(result, console)
    _render_gaps(result, console)
    _render_footer(result, console, fail_on)


def _render_findings(result: ScanResult, console: Console) -> None:
    if not result.findings:
        console.print(Text("No findings.", style="bold green"))
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
                console.print(Text.assemble("  • ", (finding.resource, "magenta")), soft_wrap=True)
                console.print(_indented(Text(finding.message), 4))
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


def _render_gaps(result: ScanResult, console: Console) -> None:
    failed = [a for a in result.estate.accounts if a.status is AccountStatus.FAILED]
    calls = [(a, c) for a in result.estate.accounts for c in a.failed_calls]
    skipped = [run for run in result.check_runs if run.not_evaluated]
    if not (failed or calls or skipped):
        return
    console.rule(Text("NOT EVALUATED — what could not be read", style="bold yellow"), align="left")
    for account in failed:
        console.print(f"  account {escape(account.label)} failed: {escape(account.error or '')}")
    for account, call in calls:
        console.print(f"  {escape(account.label)}: {escape(call.describe())}")
    if skipped:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("check")
        table.add_column("status")
        table.add_column("account")
        table.add_column("why")
        for run in skipped:
            by_reason: dict[str, list[str]] = defaultdict(list)
            for gap in run.not_evaluated:
                by_reason[gap.reason].append(gap.account)
            for reason, accounts in by_reason.items():
                where = accounts[0] if len(accounts) == 1 else f"{len(accounts)} accounts"
                table.add_row(run.check.id, run.status.replace("_", " "), where, reason)
        console.print(table)
    console.print()


def _render_footer(result: ScanResult, console: Console, fail_on: Severity) -> None:
    code = result.exit_code(fail_on)
    message = {
        0: f"No findings at or above {fail_on.value}.",
        1: f"Findings at or above {fail_on.value}: exit code 1.",
        3: "Part of the estate could not be read: exit code 3. Its findings are unknown.",
    }[code]
    style = {0: "green", 1: "red", 3: "yellow"}[code]
    console.print(Panel(Group(Text(message)), style=style, expand=False))


def scan_text(result: ScanResult, options: RenderOptions) -> str:
    """The whole report as text (the ``text`` format of ``keyless scan``)."""
    return console_text(
        lambda console: render_text(result, console, fail_on=options.fail_on), options
    )
