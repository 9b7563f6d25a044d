"""``keyless diff`` output: the ``keyless/diff/v1`` JSON document, the terminal text and
Markdown for a pull request or an issue.

Text goes through rich with every value a :class:`~rich.text.Text` (never markup), JSON
through orjson, Markdown through :mod:`keyless.render.markdown`'s escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from keyless import __version__
from keyless.dates import iso
from keyless.render import RenderOptions, console_text
from keyless.render.ignores import unused_ignore_document, unused_ignore_line
from keyless.render.jsonout import dumps
from keyless.render.markdown import GITHUB_COMMENT_LIMIT, UNREAD_ROWS, fit, shown
from keyless.render.style import SEVERITY_STYLE
from keyless.render.untrusted import printable
from keyless.store.diff import AccountDiff, Diff, Side
from keyless.store.record import FindingRecord, KeyRecord, UserRecord
from keyless.text_markdown import escape

DIFF_SCHEMA = "keyless/diff/v1"
#: Every count the diff has, in the order the documents list them.
TOTALS = (
    "users_added",
    "users_removed",
    "users_changed",
    "keys_added",
    "keys_removed",
    "keys_deactivated",
    "keys_reactivated",
    "findings_new",
    "findings_fixed",
    "findings_unverified",
    "findings_unchanged",
    "findings_suppressed",
)


def diff_document(diff: Diff) -> dict[str, Any]:
    """The ``keyless/diff/v1`` document (docs/schemas/diff-v1.schema.json)."""
    return {
        "schema": DIFF_SCHEMA,
        "keyless_version": __version__,
        "old": _side(diff.old),
        "new": _side(diff.new),
        "totals": {name: diff.total(name) for name in TOTALS},
        "accounts": [_account(a) for a in diff.accounts],
        "unused_ignores": None
        if diff.unused_ignores is None
        else [unused_ignore_document(i) for i in diff.unused_ignores],
    }


def _side(side: Side) -> dict[str, Any]:
    return {
        "name": side.name,
        "at": iso(side.scanned_at),
        "source": side.source,
        "complete": side.complete,
    }


def _account(account: AccountDiff) -> dict[str, Any]:
    return {
        "account": account.account,
        "label": account.label,
        "old_status": account.old_status,
        "new_status": account.new_status,
        "identities_compared": account.identities_compared,
        "users": {
            "added": [_user(u) for u in account.users_added],
            "removed": [_user(u) for u in account.users_removed],
            "changed": [{**_user(c.user), "change": c.change} for c in account.users_changed],
        },
        "keys": {
            "added": [_key(k) for k in account.keys_added],
            "removed": [_key(k) for k in account.keys_removed],
            "deactivated": [_key(k) for k in account.keys_deactivated],
            "reactivated": [_key(k) for k in account.keys_reactivated],
        },
        "findings": {
            "new": [_finding(f) for f in account.findings_new],
            "fixed": [_finding(f) for f in account.findings_fixed],
            "unverified": [_finding(f) for f in account.findings_unverified],
            "unchanged": account.findings_unchanged,
            "suppressed": [_finding(f) for f in account.findings_suppressed],
        },
    }


def _user(user: UserRecord) -> dict[str, Any]:
    return {
        "name": user.name,
        "arn": user.arn,
        "console_access": user.console_access,
        "mfa_active": user.mfa_active,
    }


def _key(key: KeyRecord) -> dict[str, Any]:
    return {
        "user_arn": key.user_arn,
        "slot": key.slot,
        "key_id": key.key_id,
        "active": key.active,
        "created": iso(key.created),
        "last_used": iso(key.last_used),
    }


def _finding(finding: FindingRecord) -> dict[str, Any]:
    return {
        "check": finding.check,
        "severity": finding.severity.value,
        "account": finding.account,
        "resource": finding.resource,
        "message": finding.message,
    }


def diff_json(diff: Diff, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless diff``."""
    return dumps(diff_document(diff)).decode()


def headline(diff: Diff) -> str:
    """One line with every count, for people."""
    t = diff.total
    keys = f"keys +{t('keys_added')} -{t('keys_removed')}, {t('keys_deactivated')} deactivated"
    if t("keys_reactivated"):
        keys += f", {t('keys_reactivated')} reactivated"
    suppressed = t("findings_suppressed")
    return (
        f"users +{t('users_added')} -{t('users_removed')}"
        f" ({t('users_changed')} changed) · {keys} · findings {t('findings_new')} new,"
        f" {t('findings_fixed')} fixed, {t('findings_unverified')} unverified,"
        f" {t('findings_unchanged')} unchanged"
        + (f", {suppressed} suppressed" if suppressed else "")
    )


def _label(side: Side) -> str:
    state = "" if side.complete else ", incomplete"
    return f"{side.name} ({side.scanned_at:%Y-%m-%d %H:%M}, {side.source}{state})"


# In the text format, every string from the documents or the store (a document or store
# anyone may have edited) is shown through printable(): a line break, an ANSI escape or a
# bidirectional override is written as an escape, never acted on by the terminal.


def diff_text(diff: Diff, options: RenderOptions) -> str:
    """The ``text`` format of ``keyless diff``."""
    return console_text(lambda console: _draw(diff, console), options)


def _draw(diff: Diff, console: Console) -> None:
    title = f"keyless diff — {printable(_label(diff.old))} → {printable(_label(diff.new))}"
    console.print(Text(title, style="bold"))
    console.print(Text(headline(diff)))
    unchanged = [a for a in diff.accounts if not a.has_changes]
    for account in diff.accounts:
        if account.has_changes:
            console.print()
            _draw_account(account, console)
    if unchanged:
        console.print()
        console.print(Text(_no_change(unchanged), style="dim"))
    if diff.unused_ignores:
        console.print()
    for ignore in diff.unused_ignores or ():
        console.print(Text(unused_ignore_line(ignore)), soft_wrap=True)


#: Accounts without change named in the text; past that, counted (an organization of
#: 1,000 accounts named them all in one paragraph).
UNCHANGED_NAMED = 10


def _no_change(unchanged: list[AccountDiff]) -> str:
    if len(unchanged) > UNCHANGED_NAMED:
        return f"No change in {len(unchanged)} accounts: `--format json` lists each."
    names = ", ".join(printable(a.label) for a in unchanged)
    return f"No change in {len(unchanged)} account(s): {names}"


def _draw_account(account: AccountDiff, console: Console) -> None:
    console.print(Text(printable(account.label), style="bold"))
    if account.old_status != account.new_status:
        before = account.old_status or "not in the old scan"
        after = account.new_status or "not in the new scan"
        console.print(Text(f"  account: {before} → {after}", style="yellow"))
    if not account.identities_compared:
        console.print(Text("  users and keys not compared: not read in both scans", style="yellow"))
    rows: list[tuple[str, str, Sequence[Text]]] = [
        ("users added", "green", [_user_text(u) for u in account.users_added]),
        ("users removed", "green", [_user_text(u) for u in account.users_removed]),
        (
            "user changes",
            "",
            [Text(printable(f"{c.user.name}: {c.change}")) for c in account.users_changed],
        ),
        ("keys added", "red", [_key_text(k) for k in account.keys_added]),
        ("keys removed", "green", [_key_text(k) for k in account.keys_removed]),
        ("keys deactivated", "green", [_key_text(k) for k in account.keys_deactivated]),
        ("keys reactivated", "red", [_key_text(k) for k in account.keys_reactivated]),
        ("new findings", "red", [_finding_text(f) for f in account.findings_new]),
        ("fixed", "green", [_finding_text(f) for f in account.findings_fixed]),
        ("unverified", "yellow", [_finding_text(f) for f in account.findings_unverified]),
        ("suppressed", "yellow", [_finding_text(f) for f in account.findings_suppressed]),
    ]
    for title, style, items in rows:
        if not items:
            continue
        console.print(Text(f"  {title} ({len(items)})", style=style or "bold"))
        for item in items:
            console.print(Text("    ").append_text(item), soft_wrap=True)
    if account.findings_unverified:
        console.print(
            Text(
                "    (gone from the new scan, but its check could not run there: not a fix)",
                style="dim",
            )
        )
    if account.findings_suppressed:
        console.print(
            Text(
                "    (found by the new scan, but its configuration ignores it: not a fix)",
                style="dim",
            )
        )


def _user_text(user: UserRecord) -> Text:
    return Text.assemble(printable(user.name), ("  ", ""), (printable(user.arn), "dim"))


def _key_text(key: KeyRecord) -> Text:
    created = f"  created {key.created:%Y-%m-%d}" if key.created else ""
    return Text.assemble(printable(key.label), (created, "dim"))


def _finding_text(finding: FindingRecord) -> Text:
    return Text.assemble(
        (f"[{finding.severity.value}]", SEVERITY_STYLE[finding.severity]),
        " ",
        (printable(finding.check), "bold"),
        "  ",
        (printable(finding.resource), "magenta"),
        ": ",
        printable(finding.message),
    )


def diff_markdown(diff: Diff, options: RenderOptions) -> str:
    """The ``markdown`` format of ``keyless diff``: the counts, then each changed account's
    changes, within GitHub's comment limit."""
    head = [
        f"## keyless diff: {shown(_label(diff.old))} → {shown(_label(diff.new))}",
        "",
        escape(headline(diff)),
        "",
        *_md_unused(diff),
    ]
    items: list[str] = []
    for account in diff.accounts:
        if not account.has_changes:
            continue
        items.append(f"### {escape(account.label)}")
        if not account.identities_compared:
            items.append("_users and keys not compared: not read in both scans_")
        items += _markdown_lines("User added", [_md_user(u) for u in account.users_added])
        items += _markdown_lines("User removed", [_md_user(u) for u in account.users_removed])
        items += _markdown_lines(
            "User changed", [f"{escape(c.user.name)}: {c.change}" for c in account.users_changed]
        )
        items += _markdown_lines("Key added", [escape(k.label) for k in account.keys_added])
        items += _markdown_lines("Key removed", [escape(k.label) for k in account.keys_removed])
        items += _markdown_lines(
            "Key deactivated", [escape(k.label) for k in account.keys_deactivated]
        )
        items += _markdown_lines(
            "Key reactivated", [escape(k.label) for k in account.keys_reactivated]
        )
        items += _markdown_lines("New", [_md_finding(f) for f in account.findings_new])
        items += _markdown_lines("Fixed", [_md_finding(f) for f in account.findings_fixed])
        items += _markdown_lines(
            "Unverified", [_md_finding(f) for f in account.findings_unverified]
        )
        items += _markdown_lines(
            "Suppressed", [_md_finding(f) for f in account.findings_suppressed]
        )
        items.append("")
    return fit(head, items, ["<sub>keyless diff</sub>"], GITHUB_COMMENT_LIMIT, "lines")


def _md_unused(diff: Diff) -> list[str]:
    """The ignores that matched nothing, a notice each (at most ``UNREAD_ROWS``: the head
    of a comment is never cut)."""
    unused = diff.unused_ignores or ()
    lines = [f"- {escape(unused_ignore_line(i))}" for i in unused[:UNREAD_ROWS]]
    if len(unused) > UNREAD_ROWS:
        lines.append(f"- … and {len(unused) - UNREAD_ROWS} more ignores that matched nothing.")
    return [*lines, ""] if lines else []


def _markdown_lines(kind: str, entries: Sequence[str]) -> list[str]:
    return [f"- **{kind}**: {entry}" for entry in entries]


def _md_user(user: UserRecord) -> str:
    return f"{escape(user.name)} ({escape(user.arn)})"


def _md_finding(finding: FindingRecord) -> str:
    return (
        f"{finding.severity.value} {escape(finding.check)} {escape(finding.resource)}:"
        f" {escape(finding.message)}"
    )
