"""The report's opening: estate totals, and for several accounts the debt ranking."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from keyless.engine import ScanResult
from keyless.findings import Severity
from keyless.model import AccountStatus
from keyless.render.style import SEVERITY_STYLE
from keyless.render.summary import AccountSummary, summarize
from keyless.render.untrusted import printable

#: Accounts the ranking shows, worst first (as the Markdown report's); the others are
#: counted: an organization of 1,000 accounts printed 1,000 rows before its findings.
RANKING_ROWS = 20

STATUS_STYLE = {
    AccountStatus.SCANNED: "green",
    AccountStatus.FAILED: "bold red",
    AccountStatus.SKIPPED: "dim",
}


def render_summary(result: ScanResult, console: Console) -> None:
    """Print the totals line, findings by severity and (for an organization) the ranking."""
    summary = summarize(result)
    totals = summary.totals
    inventory = result.estate
    title = f"keyless scan — {inventory.origin}"
    organization = inventory.organization
    if organization is not None:
        # "organization o-…" for --org, "demo organization o-…", "export organization".
        if inventory.origin != "organization":
            title += " organization"
        if organization.id:
            title += f" {organization.id}"
    # The source and organization ID come from the snapshot or export: escaped.
    console.print(Text(printable(title), style="bold"))
    accounts = str(totals.accounts)
    if totals.failed or totals.skipped:
        accounts += f" ({totals.scanned} scanned, {totals.failed} failed, {totals.skipped} skipped)"
    oldest = (
        f"{totals.oldest_active_key_days} days"
        if totals.oldest_active_key_days is not None
        else "—"
    )
    parts: list[tuple[str, str] | str] = []
    for label, value in (
        ("Accounts", accounts),
        ("Users", str(totals.users)),
        ("Console access", str(totals.console_users)),
        ("Active keys", str(totals.active_keys)),
        ("Oldest key", oldest),
    ):
        parts += [(f"{label} ", "dim"), (value, "bold"), "   "]
    console.print(Text.assemble(*parts))
    console.print(_severity_line(totals.findings))
    if len(summary.accounts) > 1:
        console.print(_ranking_table(summary.accounts[:RANKING_ROWS]))
        left_out = summary.accounts[RANKING_ROWS:]
        if left_out:
            console.print(Text(_more_accounts(left_out), style="dim"))
    console.print()


def _more_accounts(left_out: tuple[AccountSummary, ...]) -> str:
    """The accounts the ranking leaves out, counted: those not read said apart (their
    reasons are under NOT EVALUATED), so an unread account never passes as less debt."""
    failed = sum(1 for a in left_out if a.status is AccountStatus.FAILED)
    skipped = sum(1 for a in left_out if a.status is AccountStatus.SKIPPED)
    unread = [
        *([f"{failed} failed, see NOT EVALUATED"] if failed else []),
        *([f"{skipped} skipped"] if skipped else []),
    ]
    said = f" ({'; '.join(unread)})" if unread else ""
    return (
        f"… and {len(left_out)} more account{'s' if len(left_out) > 1 else ''}{said}:"
        " `--format json` or `--format html` lists every one."
    )


def _severity_line(counts: Mapping[Severity, int]) -> Text:
    parts: list[tuple[str, str] | str] = [("Findings ", "dim")]
    for severity in Severity:
        number = counts.get(severity, 0)
        style = SEVERITY_STYLE[severity] if number else "dim"
        parts += [(f"{number} {severity.value}", style), "  "]
    return Text.assemble(*parts)


def _ranking_table(accounts: tuple[AccountSummary, ...]) -> Table:
    show_status = any(a.status is not AccountStatus.SCANNED for a in accounts)
    table = Table(
        title="Accounts by IAM-user debt", title_justify="left", show_edge=False, pad_edge=False
    )
    table.add_column("#", justify="right", no_wrap=True, min_width=2)
    table.add_column("account", no_wrap=True, overflow="ellipsis", min_width=12)
    if show_status:
        table.add_column("status", no_wrap=True)
    for header in ("users", "console", "keys", "oldest"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("C/H/M/L", justify="right", no_wrap=True)
    for account in accounts:
        scanned = account.status is AccountStatus.SCANNED
        counts = "/".join(
            str(account.findings.get(s, 0))
            for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
        )
        oldest = account.oldest_active_key_days
        # Text, not str: an alias is the account owner's, and neither markup (``[red]``)
        # nor a control character in it may act on the terminal.
        label = Text(printable(account.label))
        cells: list[str | Text] = [str(account.rank) if account.rank else "", label]
        if show_status:
            cells.append(Text(account.status.value, style=STATUS_STYLE[account.status]))
        cells += [
            str(account.users) if scanned else "?",
            str(account.console_users) if scanned else "?",
            str(account.active_keys) if scanned else "?",
            f"{oldest}d" if oldest is not None else "—",
            counts if scanned else "?",
        ]
        table.add_row(*cells)
    return table
