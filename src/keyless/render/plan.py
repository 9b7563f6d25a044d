"""``keyless plan`` for people: the terminal text (per account and destination, each user
with a one-line reason), ``--explain USER`` (every piece of evidence for one user), and
Markdown for a pull request or a ticket.

Every value in the plan came from the estate (user names, tags, policy names) or from
the command line, so none is trusted: the text goes out as rich ``Text`` (never parsed
as markup), and Markdown escapes every punctuation character of a value that could
open or close syntax with a backslash, which CommonMark reads back as the character
(https://spec.commonmark.org/0.31.2/#backslash-escapes): no value can open a link,
an HTML tag or a table cell, and a word GitHub would autolink or mention
(``www.evil.example``, ``alice@evil.example``, ``@team``) is put in a code span.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from rich.console import Console
from rich.text import Text

from keyless.dates import iso
from keyless.plan.document import dumps, plan_document, summary
from keyless.plan.model import (
    DESTINATIONS,
    Destination,
    Permissions,
    Plan,
    ProofStatus,
    UserPlan,
)
from keyless.render import RenderOptions, console_text
from keyless.render.markdown import GITHUB_COMMENT_LIMIT, cut
from keyless.render.untrusted import printable
from keyless.text_markdown import escape

# The ASCII punctuation that can start or end Markdown syntax inside a line; ``-`` and
# ``.`` only matter at the start of a line, where no value is ever written.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+!|~&:@$\"'=])")
# Ages measured within this of the collection are "as of the collection".
_MOMENT = timedelta(minutes=1)
_STYLE = {
    Destination.IDENTITY_CENTER: "green",
    Destination.OIDC_ROLE: "cyan",
    Destination.ROLES_ANYWHERE: "cyan",
    Destination.WORKLOAD_ROLE: "cyan",
    Destination.RETIRE: "yellow",
    Destination.KEEP: "magenta",
    Destination.UNDECIDED: "bold red",
}


def plan_text(plan: Plan, options: RenderOptions) -> str:
    """The plan for a terminal (``keyless.render`` calls it for ``--format text``)."""
    return console_text(lambda console: render_plan_text(plan, console), options, soft_wrap=True)


def plan_json(plan: Plan, options: RenderOptions) -> str:
    """The ``keyless/plan/v1`` document."""
    return dumps(plan_document(plan)).decode("utf-8")


def plan_markdown(plan: Plan, options: RenderOptions | None = None) -> str:
    """The plan as Markdown, within GitHub's comment size (what is left out is counted)."""
    return cut(list(_markdown_lines(plan)), GITHUB_COMMENT_LIMIT, "lines")


def explain_text(plan: Plan, users: Iterable[UserPlan], options: RenderOptions) -> str:
    """All the evidence for each of ``users`` (``--explain``)."""
    return console_text(lambda console: render_explain(plan, users, console), options)


def render_plan_text(plan: Plan, console: Console) -> None:
    """The plan on a rich console."""
    for line in _text_lines(plan):
        console.print(_one_line(line), soft_wrap=True, highlight=False)


def render_explain(plan: Plan, users: Iterable[UserPlan], console: Console) -> None:
    """All the evidence for each of ``users``, on a rich console."""
    for user in users:
        for line in _explain_lines(plan, user):
            console.print(_one_line(line), soft_wrap=True, highlight=False)
        console.print()


def _one_line(line: Text) -> Text:
    """``line`` kept on its line: names and tags from the estate may hold a newline or an
    escape that would forge a line of their own (their styling is dropped with them)."""
    if line.plain.isprintable():
        return line
    return Text(printable(line.plain), style=line.style)


def target_words(user: UserPlan) -> str:
    """``Identity Center user alice@example.com, permission set admins`` (``…, no permission
    set (no assignment)``) or ``role ci-deploy-github``."""
    target = user.target
    if target is None:
        return ""
    if target.role:
        return f"role {target.role}"
    words = f"Identity Center user {target.identity_center_user}"
    # Without a set the user gets no assignment in the account (nothing to carry): said,
    # or the line reads as if the set were left out of the text.
    chosen = target.permission_set
    return words + (
        f", permission set {chosen}" if chosen else ", no permission set (no assignment)"
    )


# --------------------------------------------------------------------------- text


def _by_account(plan: Plan) -> Iterator[tuple[str, dict[Destination, list[UserPlan]]]]:
    labels = {a.id: a.label for a in plan.source.accounts}
    grouped: dict[str, dict[Destination, list[UserPlan]]] = {}
    for user in plan.users:
        grouped.setdefault(user.account, defaultdict(list))[user.decision.destination].append(user)
    for account, destinations in grouped.items():
        yield labels.get(account, account), destinations


def _text_lines(plan: Plan) -> Iterator[Text]:
    counts = summary(plan)
    source = plan.source
    head = f"keyless plan — {source.origin}"
    if source.organization:
        head += f" organization {source.organization}"
    head += f" · {_count(len(source.accounts), 'account')} · {_count(counts['users'], 'user')}"
    if source.collected_at:
        head += f" · collected {_second(source.collected_at)}"
    if source.as_of and (
        source.collected_at is None or abs(source.as_of - source.collected_at) > _MOMENT
    ):
        head += f" · ages as of {_second(source.as_of)}"
    yield Text(head, style="bold")
    yield Text("   ".join(f"{d} {counts['destinations'][d.value]}" for d in DESTINATIONS))
    width = max((len(u.name) for u in plan.users), default=8)
    for label, destinations in _by_account(plan):
        yield Text()
        yield Text(label, style="bold")
        for destination in DESTINATIONS:
            users = destinations.get(destination, [])
            if not users:
                continue
            yield Text(f"  {destination} ({len(users)})", style=_STYLE[destination])
            for user in users:
                line = Text(f"    {user.name:<{width}}  {user.decision.confidence:<6}  ")
                line.append(user.decision.reason)
                if user.target is not None:
                    line.append(f" → {target_words(user)}", style="dim")
                yield line
    yield from _targets_text(plan)
    yield from _footer_text(plan, counts)


def _targets_text(plan: Plan) -> Iterator[Text]:
    yield Text()
    yield Text(
        f"Identity Center: {len(plan.identity_center_users)} users, "
        f"{len(plan.permission_sets)} permission sets, {len(plan.assignments)} assignments",
        style="bold",
    )
    assigned = defaultdict(list)
    for assignment in plan.assignments:
        assigned[assignment.permission_set].append(
            f"{assignment.user_name} in {assignment.account}"
        )
    for permission_set in plan.permission_sets:
        line = Text(f"  {permission_set.name}", style="green")
        if permission_set.flags:
            line.append(f"  [{', '.join(permission_set.flags)}]", style="red")
        line.append(f"  {permissions_words(permission_set.permissions)}", style="dim")
        yield line
        yield Text(f"    → {'; '.join(assigned.get(permission_set.name, []))}")
    roles = [*plan.oidc_roles, *plan.roles_anywhere, *plan.workload_roles]
    if roles:
        yield Text(f"Roles: {len(roles)}", style="bold")
    for role in plan.oidc_roles:
        subjects = ", ".join(s.value for s in role.subjects) or "no subjects yet"
        yield Text(f"  {role.name} ({role.account}) OIDC {role.provider.issuer}: {subjects}")
    for anywhere in plan.roles_anywhere:
        yield Text(
            f"  {anywhere.name} ({anywhere.account}) Roles Anywhere, certificate CN "
            f"{anywhere.common_name} ({anywhere.common_name_source})"
        )
    for workload in plan.workload_roles:
        yield Text(f"  {workload.name} ({workload.account}) assumed by {workload.service}")


def _footer_text(plan: Plan, counts: dict[str, object]) -> Iterator[Text]:
    keys = sum(len(r.keys) for r in plan.retirements)
    # Every user the plan decides goes in the end; the header's `retire N` counts those
    # that go without a replacement. Saying which is which spares a reader the sum.
    outright = {u.arn for u in plan.users if u.decision.destination is Destination.RETIRE}
    now = sum(1 for r in plan.retirements if r.arn in outright)
    later = len(plan.retirements) - now
    split = f" ({now} outright, {later} once their replacement is in use)" if later else ""
    users = len(plan.retirements)
    yield Text(
        f"To retire: {users} IAM user{'' if users == 1 else 's'} with {keys} access "
        f"key{'' if keys == 1 else 's'}{split}",
        style="bold",
    )
    proofs = counts["proofs"]
    assert isinstance(proofs, dict)
    line = Text(
        f"Targets never broader than their users: {proofs['proved']} proved, "
        f"{proofs['failed']} failed, "
        f"{proofs['unproved']} unproved",
        style="bold" if not (proofs["failed"] or proofs["unproved"]) else "bold red",
    )
    yield line
    if plan.open_users:
        yield Text(f"Open ({len(plan.open_users)}): a person must look at these", style="bold red")
        for user in plan.open_users:
            what = "; ".join(user.decision.would_decide) or (
                user.proof.detail if user.proof else user.decision.reason
            )
            yield Text(f"  {user.name} ({user.account}): {what}")
    for note in plan.notes:
        yield Text(f"note: {note}", style="dim")
    if plan.source.unread_accounts:
        yield Text(
            f"incomplete: {', '.join(plan.source.unread_accounts)} could not be read",
            style="bold red",
        )
    for gap in plan.source.not_read:
        yield Text(f"partial (--allow-partial): not read: {printable(gap)}", style="bold yellow")


def _second(moment: datetime) -> str | None:
    return iso(moment.replace(microsecond=0))


def _count(number: object, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def permissions_words(permissions: Permissions) -> str:
    """``ReadOnlyAccess, /team/deploy, inline (2 statements)``: the policies a target carries."""
    parts = [arn.rsplit("/", 1)[-1] for arn in permissions.aws_managed]
    parts += [f"{ref.path}{ref.name}" for ref in permissions.customer_managed]
    if permissions.inline is not None:
        count = len(permissions.inline.get("Statement", []))
        parts.append(f"inline ({count} statement{'' if count == 1 else 's'})")
    return ", ".join(parts)


def _explain_lines(plan: Plan, user: UserPlan) -> Iterator[Text]:
    decision = user.decision
    yield Text(f"{user.name}  {user.arn}", style="bold")
    yield Text.assemble(
        "  destination  ",
        (str(decision.destination), _STYLE[decision.destination]),
        f" ({decision.confidence})",
    )
    yield Text(f"  reason       {decision.reason}")
    yield Text("  evidence")
    for signal in decision.signals:
        arrow = f"→ {signal.points_to}" if signal.points_to else "·"
        yield Text(f"    {signal.name:<26} {arrow:<20} {signal.detail}")
    for item in decision.would_decide:
        yield Text(f"  to decide    {item}", style="yellow")
    if user.target is not None:
        yield Text(f"  target       {target_words(user)}")
    if user.carried is not None:
        yield Text(f"  from         {', '.join(user.carried.sources) or 'no policies'}")
        for dropped in user.carried.dropped:
            yield Text(f"  dropped      {dropped.policy} {dropped.statement}: {dropped.why}")
        if user.carried.flags:
            yield Text(
                f"  flags        {', '.join(user.carried.flags)} (worth narrowing)", style="red"
            )
        for note in user.carried.notes:
            yield Text(f"  note         {note}")
    if user.proof is not None:
        style = "green" if user.proof.status is ProofStatus.PROVED else "bold red"
        yield Text(f"  proof        {user.proof.status}: {user.proof.detail}", style=style)
        for assumption in user.proof.assumptions:
            yield Text(f"  assumes      {assumption}", style="dim")
    for note in user.notes:
        yield Text(f"  note         {note}")
    retirement = next((r for r in plan.retirements if r.arn == user.arn), None)
    if retirement is not None:
        for key in retirement.keys:
            status = "active" if key.active else "inactive"
            used = f"last used {iso(key.last_used)}" if key.last_used else "never used"
            label = key.key_id or f"key slot {key.slot}"
            yield Text(f"  retire       {label} ({status}, {used})")
        if retirement.console_password:
            yield Text("  retire       console password")
        for precondition in retirement.preconditions:
            yield Text(f"  first        {precondition.text}")


# --------------------------------------------------------------------------- Markdown


def md(text: object) -> str:
    """``text`` safe inside Markdown prose or a table cell (see the module doc): a word
    GitHub would link or mention with no syntax (``www.evil.example``, ``a@evil.example``)
    in a code span, as :func:`keyless.render.markdown.escape` does; control and format
    characters (an ANSI escape, a bidirectional override) become spaces."""
    return escape(" ".join(str(text).split()), _PUNCTUATION)


def _markdown_lines(plan: Plan) -> Iterator[str]:
    counts = summary(plan)
    source = plan.source
    yield f"# keyless plan: {md(source.origin)}"
    yield ""
    yield (
        f"{_count(len(source.accounts), 'account')}, {_count(counts['users'], 'user')}"
        + (f", collected {md(iso(source.collected_at))}" if source.collected_at else "")
        + f". Fingerprint {md(source.fingerprint)}."
    )
    if source.unread_accounts:
        yield ""
        yield f"**Incomplete:** not read: {md(', '.join(source.unread_accounts))}."
    if source.not_read:
        yield ""
        yield "**Partial (`--allow-partial`):** not read:"
        yield ""
        yield from (f"- {md(gap)}" for gap in source.not_read)
    yield ""
    yield "| destination | users |"
    yield "|---|---|"
    for destination in DESTINATIONS:
        yield f"| {md(destination)} | {counts['destinations'][destination.value]} |"
    for label, destinations in _by_account(plan):
        yield ""
        yield f"## {md(label)}"
        yield ""
        yield "| user | destination | confidence | reason | target |"
        yield "|---|---|---|---|---|"
        for destination in DESTINATIONS:
            for user in destinations.get(destination, []):
                yield (
                    f"| {md(user.name)} | {md(destination)} | {md(user.decision.confidence)} "
                    f"| {md(user.decision.reason)} | {md(target_words(user))} |"
                )
    yield ""
    yield "## Permission sets"
    yield ""
    yield "| permission set | policies | flags | assigned |"
    yield "|---|---|---|---|"
    assigned = defaultdict(list)
    for assignment in plan.assignments:
        assigned[assignment.permission_set].append(
            f"{assignment.user_name} in {assignment.account}"
        )
    for permission_set in plan.permission_sets:
        yield (
            f"| {md(permission_set.name)} | {md(permissions_words(permission_set.permissions))} "
            f"| {md(', '.join(permission_set.flags))} "
            f"| {md('; '.join(assigned.get(permission_set.name, [])))} |"
        )
    roles = [*plan.oidc_roles, *plan.roles_anywhere, *plan.workload_roles]
    if roles:
        yield ""
        yield "## Roles"
        yield ""
        for role in plan.oidc_roles:
            subjects = ", ".join(f"{s.operator} {s.value}" for s in role.subjects)
            what = f"OIDC, {subjects or 'no subjects yet'}"
            yield f"- {md(role.name)} in {md(role.account)}: {md(what)}"
        for anywhere in plan.roles_anywhere:
            what = f"Roles Anywhere, CN {anywhere.common_name}"
            yield f"- {md(anywhere.name)} in {md(anywhere.account)}: {md(what)}"
        for workload in plan.workload_roles:
            what = f"assumed by {workload.service}"
            yield f"- {md(workload.name)} in {md(workload.account)}: {md(what)}"
    if plan.open_users:
        yield ""
        yield "## Open"
        yield ""
        for user in plan.open_users:
            what = "; ".join(user.decision.would_decide) or user.decision.reason
            yield f"- {md(user.name)} ({md(user.account)}): {md(what)}"
