"""The HTML report of ``keyless plan``: one self-contained page a team reads before it
migrates, and attaches to the ticket that tracks the migration.

It is the scan report's sibling: the same base template, stylesheet, script and
Content-Security-Policy (:func:`keyless.render.html.render_page`), so what makes that
report safe and offline makes this one so. Every value in a plan came from the estate
(user names, tags, policy names) or the command line; the template shows each as text
through Jinja2's autoescaping, and the numbers it shows are those of the plan document's
``summary`` (embedded as JSON for scripts that read reports).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from keyless.plan.document import summary
from keyless.plan.model import (
    DESTINATIONS,
    Confidence,
    Destination,
    KeyToRetire,
    Plan,
    ProofStatus,
    UserPlan,
)
from keyless.render import RenderOptions
from keyless.render.charts import BarChart, rows
from keyless.render.html import Card, render_page, when
from keyless.render.plan import permissions_words, target_words

# The colour of each destination, in the chart and on its badge (a CSS class of report.css).
TONES = {
    Destination.IDENTITY_CENTER: "tone-good",
    Destination.OIDC_ROLE: "tone-low",
    Destination.ROLES_ANYWHERE: "tone-accent",
    Destination.WORKLOAD_ROLE: "tone-info",
    Destination.RETIRE: "tone-medium",
    Destination.KEEP: "tone-neutral",
    Destination.UNDECIDED: "tone-high",
}


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as the decisions table shows it; ``anchor`` is the row's element ID (built
    from its position, never from a name)."""

    anchor: str
    user: UserPlan
    account_label: str
    target: str
    tone: str
    is_open: bool
    open_because: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccountGroup:
    """One account's users, in the plan's order."""

    id: str
    label: str
    users: tuple[UserRow, ...]


def plan_html(plan: Plan, options: RenderOptions) -> str:
    """The ``html`` format of ``keyless plan``."""
    counts = summary(plan)
    source = plan.source
    title = f"keyless plan — {source.origin}"
    if source.organization:
        title += f" organization {source.organization}"
    labels = {a.id: a.label for a in source.accounts}
    groups = _groups(plan, labels)
    users = [row for group in groups for row in group.users]
    return render_page(
        "plan.html.j2",
        title=title,
        plan=plan,
        source=source,
        generated_at=when(plan.generated_at),
        collected_at=when(source.collected_at) if source.collected_at else None,
        as_of=when(source.as_of) if source.as_of else None,
        exit_code=exit_code(plan),
        verdict=verdict(plan),
        summary_json=counts,
        cards=_cards(plan, counts),
        destination_cards=[
            Card(f"destinations.{d.value}", d.value, str(counts["destinations"][d.value]), tone)
            for d, tone in TONES.items()
        ],
        chart=destination_chart(counts),
        groups=groups,
        user_count=len(users),
        open_rows=[row for row in users if row.is_open],
        destination_options=_options(Counter(r.user.decision.destination.value for r in users)),
        confidence_options=_options(Counter(r.user.decision.confidence.value for r in users)),
        account_options=[(g.id, g.label) for g in groups],
        labels=labels,
        assigned=_assigned(plan),
        tones={d.value: tone for d, tone in TONES.items()},
        permissions_words=permissions_words,
        key_words=key_words,
        when=when,
    )


def exit_code(plan: Plan) -> int:
    """The exit code ``keyless plan`` ends with for this plan."""
    if not plan.is_complete:
        return 3
    return 1 if plan.open_users else 0


def verdict(plan: Plan) -> str:
    """The exit code in words."""
    code = exit_code(plan)
    if code == 3:
        return "Part of the estate could not be read: exit code 3. Its users are not in this plan."
    if code == 1:
        count = len(plan.open_users)
        who = "1 user needs" if count == 1 else f"{count} users need"
        return f"{who} a person before migrating: exit code 1."
    return "Every user has a destination and every target is proved no broader: exit code 0."


def _cards(plan: Plan, counts: dict[str, Any]) -> list[Card]:
    proofs = counts["proofs"]
    cards = [
        Card("accounts", "Accounts", str(len(plan.source.accounts))),
        Card("users", "IAM users", str(counts["users"])),
        Card("open", "Need a person", str(counts["open"]), "sev-high" if counts["open"] else ""),
        Card("keys_to_retire", "Access keys to retire", str(counts["keys_to_retire"])),
        Card(f"proofs.{ProofStatus.PROVED}", "Proved no broader", str(proofs["proved"])),
    ]
    if plan.source.unread_accounts:
        cards.insert(1, Card("unread", "Accounts not read", str(len(plan.source.unread_accounts))))
    cards += [
        Card(f"proofs.{status}", f"Proof {status}", str(proofs[status.value]), "sev-high")
        for status in (ProofStatus.FAILED, ProofStatus.UNPROVED)
        if proofs[status.value]
    ]
    return cards


def destination_chart(counts: dict[str, Any]) -> BarChart:
    """How many users go to each destination (every destination, in the plan's order)."""
    return rows(
        "Users per destination",
        [(d.value, counts["destinations"][d.value], TONES[d]) for d in DESTINATIONS],
        width=520,
        label_width=130,
    )


def _groups(plan: Plan, labels: dict[str, str]) -> list[AccountGroup]:
    by_account: dict[str, list[UserRow]] = defaultdict(list)
    for n, user in enumerate(plan.users):
        by_account[user.account].append(
            UserRow(
                anchor=f"user-{n}",
                user=user,
                account_label=labels.get(user.account, user.account),
                target=target_words(user),
                tone=TONES[user.decision.destination],
                is_open=user.is_open,
                open_because=open_because(user) if user.is_open else (),
            )
        )
    return [
        AccountGroup(account, labels.get(account, account), tuple(users))
        for account, users in by_account.items()
    ]


def open_because(user: UserPlan) -> tuple[str, ...]:
    """What a person must settle for an open user: what would decide it, else why its
    proof was not made, else its reason."""
    if user.decision.would_decide:
        return user.decision.would_decide
    if user.proof is not None and user.proof.status is not ProofStatus.PROVED:
        return (f"never-broader proof {user.proof.status}: {user.proof.detail}",)
    return (user.decision.reason,)


def _options(counts: Counter[str]) -> list[tuple[str, int]]:
    order = [d.value for d in DESTINATIONS] + [c.value for c in Confidence]
    return [(value, counts[value]) for value in order if counts[value]]


def _assigned(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    """Permission set name -> (Identity Center user, account) pairs."""
    assigned: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for assignment in plan.assignments:
        assigned[assignment.permission_set].append((assignment.user_name, assignment.account))
    return assigned


def key_words(key: KeyToRetire) -> str:
    """``AKIA… (active, last used 2026-11-30 09:00 UTC by s3 in eu-west-1)``."""
    label = key.key_id or f"key slot {key.slot}"
    status = "active" if key.active else "inactive"
    if key.last_used is None:
        return f"{label} ({status}, never used)"
    where = " ".join(
        part
        for part in (
            f"by {key.last_used_service}" if key.last_used_service else "",
            f"in {key.last_used_region}" if key.last_used_region else "",
        )
        if part
    )
    used = f"last used {when(key.last_used)}" + (f" {where}" if where else "")
    return f"{label} ({status}, {used})"
