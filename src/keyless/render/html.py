"""The HTML report: one self-contained file a person reads, forwards and attaches to a
ticket.

Jinja2 templates (``templates/``) with autoescaping on, so every name, tag, message and
policy fragment from AWS is text, never markup. Styles and script are inline, fonts are
the system's, charts are inline SVG; a Content-Security-Policy allows exactly that inline
style and script (by hash) and nothing from the network, so the report works offline
and a value that escaped its escaping still could not run or fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from keyless import __version__
from keyless.engine import ScanResult
from keyless.findings import Severity
from keyless.model import AccountStatus, DatasetState, Inventory
from keyless.render import RenderOptions
from keyless.render.charts import BarChart, LineChart, columns, lines, rows
from keyless.render.html_findings import findings_context
from keyless.render.ignores import unused_ignore_line
from keyless.render.summary import Summary, summarize
from keyless.render.untrusted import visible
from keyless.store.history import History

# Age bands of active keys, in days: [low, high) and a label; AWS recommends rotating
# keys regularly (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html).
KEY_AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 30, "< 30 d"),
    (30, 90, "30-90 d"),
    (90, 180, "90-180 d"),
    (180, 365, "180-365 d"),
    (365, 730, "1-2 y"),
    (730, None, "> 2 y"),
)
RANKED_SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
DEBT_ROWS = 20  # the per-account chart shows the worst accounts; the table has them all


@dataclass(frozen=True, slots=True)
class Page:
    """What every report page shares: its inline style and script, and the policy that
    allows exactly those."""

    css: Markup
    js: Markup
    csp: str


@cache
def environment() -> Environment:
    """The template environment (built on first use, never at import time)."""
    env = Environment(
        loader=PackageLoader("keyless.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    env.filters["code_spans"] = code_spans
    env.filters["when"] = when
    return env


def _shown(value: Any) -> Any:
    """Every value a template prints: text from outside (not markup built by keyless) with
    its control and format characters written out, so that escaping leaves the browser
    nothing to act on (a bidirectional override would reorder the row it is in)."""
    return visible(value) if type(value) is str else value


def code_spans(text: str) -> Markup:
    """Text whose `backticked` parts (as check metadata writes code) show as code; every
    part is escaped by markupsafe, so the text cannot add markup of its own."""
    parts = visible(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return Markup("{}").format(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if n % 2 else Markup("{}").format(part)
        for n, part in enumerate(parts)
    )


def when(moment: datetime | None) -> str:
    """``2026-11-28 17:34 UTC`` for people (the JSON keeps full ISO-8601)."""
    if moment is None:
        return "unknown"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@cache
def page() -> Page:
    """The inline CSS and script, and a Content-Security-Policy that permits only them:
    nothing is fetched (``default-src 'none'``), no form goes anywhere, no base URL moves
    links (https://www.w3.org/TR/CSP3/#directive-default-src)."""
    loader = environment().loader
    assert loader is not None
    css = loader.get_source(environment(), "report.css")[0]
    js = loader.get_source(environment(), "report.js")[0]
    for text in (css, js):
        if "</" in text:  # would close the <style> or <script> element early
            raise ValueError("an inline stylesheet or script must not contain '</'")
    csp = (
        f"default-src 'none'; style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return Page(Markup(css), Markup(js), csp)  # noqa: S704 - our own static files, checked above


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def render_page(template: str, **context: Any) -> str:
    """A page from ``template`` with the shared style, script and policy."""
    shared = page()
    return (
        environment()
        .get_template(template)
        .render(css=shared.css, js=shared.js, csp=shared.csp, version=__version__, **context)
    )


def scan_html(result: ScanResult, options: RenderOptions) -> str:
    """The ``html`` format of ``keyless scan``."""
    inventory = result.estate
    summary = summarize(result)
    title = f"keyless scan — {inventory.origin}"
    if inventory.organization is not None:
        title += f" organization {inventory.organization.id}"
    code = result.exit_code(options.fail_on)
    return render_page(
        "scan.html.j2",
        title=title,
        generated_at=when(result.now),
        source=inventory.origin,
        organization=inventory.organization.id if inventory.organization else None,
        exit_code=code,
        verdict=verdict(code, options.fail_on),
        cards=_cards(summary),
        summary_json=summary.to_json(),
        key_ages=key_age_chart(result),
        debt=_debt_chart(summary),
        ranking=summary.to_json()["ranking"],
        burndown=burndown_chart(options.history),
        burndown_note=_burndown_note(options.history),
        accounts=summary.accounts,
        ranked_severities=RANKED_SEVERITIES,
        **findings_context(result),
        **unread_context(inventory, result),
        suppressed=result.suppressed,
    )


def verdict(code: int, fail_on: Severity) -> str:
    """The exit code in words, as the footer of the text report says it."""
    return {
        0: f"No findings at or above {fail_on.value}: exit code 0.",
        1: f"Findings at or above {fail_on.value}: exit code 1.",
        3: "Part of the estate could not be read: exit code 3. Its findings are unknown.",
    }[code]


@dataclass(frozen=True, slots=True)
class Card:
    """A number in the summary."""

    key: str
    label: str
    value: str
    tone: str = ""


def _cards(summary: Summary) -> list[Card]:
    totals = summary.totals
    oldest = totals.oldest_active_key_days
    cards = [
        Card("accounts", "Accounts", str(totals.accounts)),
        Card("users", "Users", str(totals.users)),
        Card("console_users", "Console access", str(totals.console_users)),
        Card("active_keys", "Active keys", str(totals.active_keys)),
        Card("oldest_active_key_days", "Oldest key (days)", "—" if oldest is None else str(oldest)),
    ]
    if totals.failed or totals.skipped:
        cards.insert(1, Card("unread", "Accounts not read", str(totals.failed + totals.skipped)))
    cards += [
        Card(f"findings.{s.value}", s.value.capitalize(), str(totals.findings[s]), f"sev-{s.value}")
        for s in Severity
    ]
    return cards


def key_age_chart(result: ScanResult) -> BarChart:
    """How many active keys fall in each age band (keys of unknown age are left out)."""
    counts: Counter[str] = Counter()
    for account in result.estate.scanned_accounts:
        for user in account.users:
            for key in user.active_keys:
                if key.created is None:
                    continue
                age = (result.now - key.created).days
                counts[
                    next(label for low, high, label in KEY_AGE_BANDS if _in(age, low, high))
                ] += 1
    return columns(
        "Active access keys by age",
        [(label, counts[label], _age_tone(low)) for low, _, label in KEY_AGE_BANDS],
    )


def _in(age: int, low: int, high: int | None) -> bool:
    return (age >= low or low == 0) and (high is None or age < high)


def _age_tone(low: int) -> str:
    if low >= 365:
        return "tone-high"
    return "tone-medium" if low >= 90 else "tone-good"


def _debt_chart(summary: Summary) -> BarChart | None:
    ranked = summary.ranked
    if len(summary.accounts) < 2 or not ranked:
        return None
    worst = ranked[:DEBT_ROWS]
    return rows(
        "IAM-user debt per account",
        [(a.label, a.debt_score or 0, _debt_tone(a.findings)) for a in worst],
    )


def _debt_tone(findings: Mapping[Severity, int]) -> str:
    worst = next((s for s in Severity if findings.get(s, 0)), None)
    return f"tone-{worst.value}" if worst and worst is not Severity.INFO else "tone-neutral"


def burndown_chart(history: History | None, account: str | None = None) -> LineChart | None:
    """Findings by severity, active keys, users and suppressed findings over the recorded
    scans (two or more)."""
    if history is None or len(history.points) < 2:
        return None
    series = history.series(account)
    times = [point.at for point, _ in series]

    def values(pick: Any) -> list[int | None]:
        return [None if counts is None else pick(counts) for _, counts in series]

    lines_drawn: list[tuple[str, str, Sequence[int | None]]] = [
        (s.value, f"tone-{s.value}", values(lambda c, s=s: c.findings.get(s, 0)))
        for s in RANKED_SEVERITIES
    ]
    lines_drawn.append(("active keys", "tone-accent", values(lambda c: c.active_keys)))
    lines_drawn.append(("users", "tone-neutral", values(lambda c: c.users)))
    # What a configuration ignores, apart: a drop in findings under a broad ignore is not
    # a fix. Not drawn when no scan of the store kept it (written before keyless did).
    suppressed = values(lambda c: c.suppressed)
    if any(v is not None for v in suppressed):
        lines_drawn.append(("suppressed", "tone-info", suppressed))
    incomplete = [
        (not point.complete) if account is None else account in point.unread for point, _ in series
    ]
    label = history.labels.get(account, account) if account else "the estate"
    return lines(f"Burn-down of {label}", times, lines_drawn, incomplete=incomplete)


def _burndown_note(history: History | None) -> str:
    if history is None:
        return "Record scans (keyless scan --record) to see the burn-down over time."
    if len(history.points) < 2:
        return "One scan recorded so far: the burn-down appears from the second."
    return ""


def unread_context(inventory: Inventory, result: ScanResult | None = None) -> dict[str, Any]:
    """Everything that could not be read (accounts, calls, data sets) or evaluated."""
    datasets = [
        (account.label, dataset.description, status.state.value, status.reason)
        for account in inventory.scanned_accounts
        for dataset, status in sorted(account.datasets.items())
        if status.state is not DatasetState.AVAILABLE
    ]
    org = inventory.organization
    if org is not None and org.identity_center_state.state is not DatasetState.AVAILABLE:
        state = org.identity_center_state
        datasets.append(("organization", "IAM Identity Center", state.state.value, state.reason))
    not_evaluated = []
    for run in result.check_runs if result else ():
        by_reason: dict[str, list[str]] = defaultdict(list)
        for gap in run.not_evaluated:
            by_reason[gap.reason].append(gap.account)
        for reason, accounts in by_reason.items():
            where = accounts[0] if len(accounts) == 1 else f"{len(accounts)} accounts"
            not_evaluated.append((run.check.id, run.status.replace("_", " "), where, reason))
    return {
        "unread_accounts": [a for a in inventory.accounts if a.status is not AccountStatus.SCANNED],
        "failed_calls": [(a.label, c) for a in inventory.accounts for c in a.failed_calls],
        "datasets": datasets,
        "not_evaluated": not_evaluated,
        "notes": result.notes if result else (),
        "unused_ignores": [unused_ignore_line(i) for i in result.unused_ignores] if result else (),
    }
