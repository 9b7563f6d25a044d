"""Markdown for a pull-request comment, an issue or ``$GITHUB_STEP_SUMMARY``: the summary
and the worst findings, within GitHub's comment size limit.

Every value from AWS is escaped for CommonMark and GitHub-flavoured Markdown: each
character that can open or close inline syntax is backslash-escaped (CommonMark §2.4: a
backslash before ASCII punctuation makes it literal), so a name cannot open a link, an
image, an HTML tag, an entity, a code span, emphasis, strikethrough or math, nor close a
table cell; line breaks become spaces, so it cannot start a block of its own; control and
bidirectional-format characters become spaces. A word that could hold a link GFM makes
without any syntax (an extended autolink: ``www.evil.example``, ``https://…``,
``alice@evil.example``, ``mailto:…``; https://github.github.com/gfm/#autolinks-extension-)
or an ``@mention`` is put in a code span whole: nothing in a code span is a link or a
mention, neither for the Markdown parser nor for GitHub's later pass over the rendered
text (which links e-mail addresses whatever their backslashes). Our own text (fixes)
keeps its `code` spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from keyless.engine import ScanResult
from keyless.findings import Finding, Severity
from keyless.model import AccountStatus
from keyless.render import RenderOptions
from keyless.render.ignores import unused_ignore_line
from keyless.render.summary import AccountSummary, summarize
from keyless.text_markdown import code, escape

#: GitHub refuses comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
#: Accounts or calls not read listed before the rest is counted (the comment has a limit).
UNREAD_ROWS = 25
ACCOUNT_ROWS = 20
#: Characters of a value from the estate shown in the report's head (the title, account
#: labels, errors, notes): real ones are far shorter (an alias is at most 63), and an
#: edited snapshot's (65,536 each) put the head alone past GitHub's limit.
SHOWN_CHARACTERS = 256


def shown(text: str) -> str:
    """``text`` escaped (:func:`escape`), cut to :data:`SHOWN_CHARACTERS` characters."""
    if len(text) > SHOWN_CHARACTERS:
        text = text[:SHOWN_CHARACTERS] + "…"
    return escape(text)


def prose(text: str) -> str:
    """Our own sentences (titles, fixes): `backticked` parts as code, the rest escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return escape(text)
    return "".join(code(part) if n % 2 else escape(part) for n, part in enumerate(parts))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> list[str]:
    """A GitHub table; cells must already be escaped. ``align`` has one letter per column
    (``l`` or ``r``)."""
    marks = [("---:" if a == "r" else "---") for a in align.ljust(len(headers), "l")]
    lines = [f"| {' | '.join(headers)} |", f"| {' | '.join(marks)} |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return lines


def fit(head: list[str], items: Sequence[str], tail: list[str], limit: int, what: str) -> str:
    """``head``, as many ``items`` as fit in ``limit`` characters with ``tail``, and a
    line saying how many were left out."""
    size = sum(len(line) + 1 for line in head + tail)
    kept: list[str] = []
    for item in items:
        reserve = len(f"\n… and {len(items)} more {what} not shown.\n") + 80
        if size + len(item) + 1 + reserve > limit:
            break
        kept.append(item)
        size += len(item) + 1
    left = len(items) - len(kept)
    note = ["", f"… and {left} more {what} not shown (comment size limit)."] if left else []
    return "\n".join([*head, *kept, *note, *tail]) + "\n"


def cut(lines: Sequence[str], limit: int, what: str) -> str:
    """``lines`` up to ``limit`` characters, and a line saying how many were left out."""
    return fit([], lines, [], limit, what)


def scan_markdown(result: ScanResult, options: RenderOptions) -> str:
    """The ``markdown`` format of ``keyless scan``."""
    return scan_markdown_within(result, options, GITHUB_COMMENT_LIMIT)


def scan_markdown_within(result: ScanResult, options: RenderOptions, limit: int) -> str:
    """The Markdown report in at most ``limit`` characters."""
    summary = summarize(result)
    totals = summary.totals
    inventory = result.estate
    title = f"keyless scan — {inventory.origin}"
    if inventory.organization is not None:
        title += f" organization {inventory.organization.id}"
    code_ = result.exit_code(options.fail_on)
    oldest = totals.oldest_active_key_days
    head = [
        f"## {shown(title)}",
        "",
        f"**{_verdict(code_, options.fail_on)}**",
        "",
        *table(
            ["Accounts", "Users", "Console access", "Active keys", "Oldest key"],
            [
                [
                    _accounts(totals.accounts, totals.failed + totals.skipped),
                    str(totals.users),
                    str(totals.console_users),
                    str(totals.active_keys),
                    "—" if oldest is None else f"{oldest} days",
                ]
            ],
            "rrrrr",
        ),
        "",
        "**Findings:** " + " · ".join(f"{totals.findings[s]} {s.value}" for s in Severity),
    ]
    if len(summary.accounts) > 1:
        head += ["", "### Accounts by IAM-user debt", "", *_account_table(summary.accounts)]
    head += [*_suppressed(result), *_unread(result), *_notes(result), *_unused(result), ""]
    stamp = f"keyless scan · {result.now:%Y-%m-%d %H:%M} UTC"
    tail = ["", f"<sub>{stamp} · the full report: `keyless scan --format html`</sub>"]
    if not result.findings:
        return "\n".join([*head, "No findings.", *tail]) + "\n"
    head += [
        "### Findings, worst first",
        "",
        *table(["severity", "check", "resource", "what"], []),
    ]
    items = [_finding_row(f) for f in result.findings]
    fixes = _fixes(result.findings)
    return fit(head, items, ["", "### How to fix", "", *fixes, *tail], limit, "findings")


def _verdict(code: int, fail_on: Severity) -> str:
    return {
        0: f"No findings at or above {fail_on.value} (exit code 0).",
        1: f"Findings at or above {fail_on.value} (exit code 1).",
        3: "Part of the estate could not be read (exit code 3): its findings are unknown.",
    }[code]


def _accounts(total: int, unread: int) -> str:
    return f"{total} ({unread} not read)" if unread else str(total)


def _account_table(accounts: Sequence[AccountSummary]) -> list[str]:
    rows = []
    for account in accounts[:ACCOUNT_ROWS]:
        read = account.status is AccountStatus.SCANNED
        counts = "/".join(
            str(account.findings.get(s, 0))
            for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
        )
        oldest = account.oldest_active_key_days
        rows.append(
            [
                str(account.rank or ""),
                shown(account.label) + ("" if read else f" ({account.status.value})"),
                str(account.users) if read else "?",
                str(account.active_keys) if read else "?",
                "—" if oldest is None else f"{oldest} d",
                counts if read else "?",
                str(account.debt_score) if account.debt_score is not None else "unknown",
            ]
        )
    lines = table(["#", "account", "users", "keys", "oldest", "C/H/M/L", "debt"], rows, "rlrrrrr")
    if len(accounts) > ACCOUNT_ROWS:
        lines += ["", f"… and {len(accounts) - ACCOUNT_ROWS} more accounts."]
    return lines


def _suppressed(result: ScanResult) -> list[str]:
    """What the configuration hid is counted here too, never silently dropped."""
    if not result.suppressed:
        return []
    files = sorted({s.ignore.source for s in result.suppressed if s.ignore.source})
    worst = min(result.suppressed, key=lambda s: list(Severity).index(s.finding.severity))
    count = len(result.suppressed)
    return [
        "",
        f"**Suppressed:** {count} finding{'s' if count != 1 else ''} hidden by "
        f"{escape(', '.join(files) or 'the configuration')} (worst "
        f"{worst.finding.severity.value}; listed in the text, JSON and SARIF formats).",
    ]


def _unread(result: ScanResult) -> list[str]:
    lines = []
    for account in result.estate.accounts:
        if account.status is not AccountStatus.SCANNED:
            why = f": {shown(account.error)}" if account.error else ""
            lines.append(f"- account {shown(account.label)} {account.status.value}{why}")
        lines += [f"- {shown(account.label)}: {shown(c.describe())}" for c in account.failed_calls]
    if len(lines) > UNREAD_ROWS:
        lines = [*lines[:UNREAD_ROWS], f"- … and {len(lines) - UNREAD_ROWS} more not read."]
    runs = [run for run in result.check_runs if run.not_evaluated]
    if runs:
        names = ", ".join(run.check.id for run in runs)
        lines.append(f"- {len(runs)} checks not evaluated everywhere: {escape(names)}")
    return ["", "### Not read or not evaluated", "", *lines] if lines else []


def _notes(result: ScanResult) -> list[str]:
    """What the collectors left out on purpose (rows of deleted users)."""
    lines = [f"- {shown(note)}" for note in result.notes[:UNREAD_ROWS]]
    if len(result.notes) > UNREAD_ROWS:
        lines.append(f"- … and {len(result.notes) - UNREAD_ROWS} more notes.")
    return ["", "### Notes", "", *lines] if lines else []


def _unused(result: ScanResult) -> list[str]:
    """Ignores that accepted no finding: a notice each (see render.ignores)."""
    unused = result.unused_ignores
    lines = [f"- {shown(unused_ignore_line(i))}" for i in unused[:UNREAD_ROWS]]
    if len(unused) > UNREAD_ROWS:
        lines.append(f"- … and {len(unused) - UNREAD_ROWS} more ignores that matched nothing.")
    return ["", "### Ignores that matched nothing", "", *lines] if lines else []


def _finding_row(finding: Finding) -> str:
    cells = [finding.severity.value, escape(finding.check), escape(finding.resource)]
    return f"| {' | '.join([*cells, escape(finding.message)])} |"


def _fixes(findings: Sequence[Finding]) -> list[str]:
    seen: dict[str, str] = {}
    for finding in findings:
        seen.setdefault(finding.check, finding.remediation)
    return [f"- **{escape(check)}**: {prose(fix)}" for check, fix in seen.items()]
