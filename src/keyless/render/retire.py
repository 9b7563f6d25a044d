"""``keyless retire``, ``retire status``, ``retire rollback`` and ``retire --demo`` as text
and JSON (``keyless/retire/v1``, ``keyless/retire-status/v1``).

User names, tags, reasons and AWS error messages are not ours: in text, control
characters are written as escapes so that a crafted value cannot start a line of its
own; JSON goes through the serialiser.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from itertools import groupby

from keyless.dates import iso
from keyless.render import RenderOptions
from keyless.render.retire_document import report_document
from keyless.render.retire_status import status_document, user_state
from keyless.render.untrusted import printable
from keyless.retire.demo import DemoWalk
from keyless.retire.model import Report, Step, StepStatus
from keyless.retire.status import KeyWatch, StatusReport, UserWatch

_EXIT = {
    0: "0: nothing refused, failed or unread",
    1: "1: something was refused or failed",
    3: "3: an account or user could not be read",
}
_STATUS_EXIT = {
    0: "0: no key flagged",
    1: "1: a key is flagged",
    3: "3: an account or key could not be read",
}
_ORDER = tuple(StepStatus)


def clean(text: object) -> str:
    """``text`` with control characters escaped (a line break cannot forge a line)."""
    return printable(str(text))


# -- retire and rollback ---------------------------------------------------------------


def report_text(report: Report, options: RenderOptions) -> str:
    """A run, account by account and user by user, then what cannot come back."""
    del options
    lines = [_title(report)]
    lines += _plan_lines(report)
    if report.settled:
        lines.append("")
        lines.append("Settled first (actions an interrupted run left unrecorded):")
        lines += [f"  {_step(step, with_user=True)}" for step in report.settled]
    steps = sorted(report.steps, key=lambda s: (s.account, s.user))
    for account, in_account in groupby(steps, key=lambda s: s.account):
        lines.append("")
        lines.append(f"account {clean(account)}")
        for user, of_user in groupby(in_account, key=lambda s: s.user):
            lines.append(f"  {clean(user) or '(key named by ID)'}")
            lines += [f"    {_step(step)}" for step in of_user]
    if not report.steps:
        lines += ["", "Nothing to do."]
    if report.unreachable:
        lines += ["", "Not reached (nothing done there):"]
        lines += [f"  {clean(a)}: {clean(why)}" for a, why in sorted(report.unreachable.items())]
    if report.lost:
        lines += ["", "Cannot come back (AWS never reveals these again):"]
        lines += [f"  {clean(user)} in {clean(a)}: {clean(what)}" for a, user, what in report.lost]
    counts = [f"{report.count(s)} {s.value}" for s in _ORDER if report.count(s)]
    lines += ["", f"{', '.join(counts) or 'no steps'}. Exit {_EXIT[report.exit_code]}."]
    return "\n".join(lines) + "\n"


def _title(report: Report) -> str:
    name = "keyless retire" if report.command == "retire" else "keyless retire rollback"
    if not report.apply:
        return (
            f"{name}: dry run, nothing changed (--apply does it); journal {clean(report.journal)}"
        )
    resumed = ", resuming an interrupted run" if report.resumed else ""
    return f"{name}: run {report.run_id}{resumed}; journal {clean(report.journal)}"


def _plan_lines(report: Report) -> list[str]:
    """Which plan the run followed, and what a person confirmed for it."""
    plan = report.plan
    if plan is None:
        return []
    as_of = _moment(plan["as_of"])
    lines = [f"following plan {clean(plan['path'])} (its evidence as of {as_of})"]
    for confirmed in plan["confirmed"]:
        kinds = ", ".join(clean(p["kind"]) for p in confirmed["preconditions"])
        who = f"{clean(confirmed['user'])} in {clean(confirmed['account'])}"
        lines.append(f"confirmed by --confirmed: {who}: {kinds}")
    return lines


def _moment(text: object) -> str:
    """A recorded time for people, to the second as every other time of the text (a plan
    made without ``--now`` records microseconds); as written when it is not a time."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return clean(text)
    if moment.tzinfo is None or moment.utcoffset():
        return clean(text)
    return _when(moment)


def _step(step: Step, *, with_user: bool = False) -> str:
    target = f" {clean(step.target)}" if step.target else ""
    who = f" {clean(step.user)} in {clean(step.account)}" if with_user else ""
    return f"{step.status.value:<8} {step.label}{who}{target}: {clean(step.reason)}"


def report_json(report: Report, options: RenderOptions) -> str:
    """The document as indented JSON."""
    del options
    return json.dumps(report_document(report), indent=2) + "\n"


# -- status ----------------------------------------------------------------------------


def status_text(report: StatusReport, options: RenderOptions) -> str:
    """Every key out of service and every user backed up, flags first."""
    del options
    lines = [f"keyless retire status; journal {clean(report.journal)}"]
    keys = sorted(report.keys, key=lambda k: (k.flag is None, k.account, k.user, k.key_id))
    if keys:
        lines += ["", "Keys out of service:"]
        for key in keys:
            lines += _key_lines(key, report)
    else:
        lines += ["", "No key out of service."]
    if report.users:
        lines += ["", "Users backed up:"]
        for user in report.users:
            kind = user_state(user)
            if kind == "restored":
                state = f"restored {_when(user.restored)}"
            elif kind == "superseded":
                # A rollback restores a user's latest backup only.
                gone = f"deleted {_when(user.deleted)}; " if user.deleted else ""
                state = f"{gone}superseded by its backup of {_when(user.superseded)}"
            elif kind == "deleted":
                state = f"deleted {_when(user.deleted)}; {_rollback_would(user)}"
            else:
                state = (
                    "retirement started, not finished: the next `keyless retire --apply` goes on"
                )
            who = f"{clean(user.user)} in {clean(user.account)}"
            lines.append(f"  {who}: backup {_when(user.backed_up)}, {state}")
    if report.interrupted:
        lines += ["", "Interrupted (recorded as intended, outcome unknown):"]
        lines += [f"  {_step(step, with_user=True)}" for step in report.interrupted]
    if report.unreachable:
        lines += ["", "Not reached:"]
        lines += [f"  {clean(a)}: {clean(why)}" for a, why in sorted(report.unreachable.items())]
    if not report.cloudtrail:
        lines += ["", "CloudTrail was not searched (--no-cloudtrail)."]
    lines += ["", f"Exit {_STATUS_EXIT[report.exit_code]}."]
    return "\n".join(lines) + "\n"


def _rollback_would(user: UserWatch) -> str:
    """What ``keyless retire rollback`` does with a deleted user's latest backup, from what
    the journal knows: the name may be held by another user since, which only AWS says,
    and a rollback refuses to restore onto a user of another unique ID
    (:func:`keyless.retire.rollback.rollback`)."""
    if user.recreated:
        return (
            f"a rollback created it again {_when(user.recreated)} without finishing:"
            " `keyless retire rollback` goes on restoring it"
        )
    if user.user_id:
        return (
            "`keyless retire rollback` recreates it if the name is free; it checks the"
            f" user's unique ID ({clean(user.user_id)}) first and leaves another user of the"
            " name alone"
        )
    return (
        "`keyless retire rollback` recreates it, or restores it onto any user holding the"
        " name now: the backup recorded no unique ID to tell them apart"
    )


def _when(moment: datetime | None) -> str:
    """A time for people: UTC, to the second."""
    return str(iso(moment.replace(microsecond=0))) if moment else "never"


def _key_lines(key: KeyWatch, report: StatusReport) -> list[str]:
    flag = "FLAG " if key.flag else ""
    head = f"  {flag}{clean(key.key_id)} of {clean(key.user)} in {clean(key.account)}"
    by = "deactivated by keyless" if key.by_keyless else "found inactive"
    if key.state == "deleted":
        return [f"{head}: deleted by keyless after {key.inactive_days} days out of service"]
    if key.state == "unread":
        return [f"{head}: could not be read: {clean(key.error)}"]
    lines = [f"{head}: {key.state}; {by} {_when(key.since)} ({key.inactive_days} days)"]
    if key.state == "inactive":
        ends = _when(key.quarantine_ends)
        ready = "over" if key.quarantine_ends <= report.now else "ends"
        lines.append(f"      quarantine of {report.quarantine_days} days {ready} {ends}")
    service = f" ({clean(key.last_used_service)})" if key.last_used_service else ""
    used = "never used" if key.last_used is None else f"last used {_when(key.last_used)}"
    lines.append(f"      {used}{service}")
    if key.trail is not None:
        latest = (
            f"; latest {clean(key.trail.latest_name)} {_when(key.trail.latest_time)}"
            + (f" ({clean(key.trail.latest_error)})" if key.trail.latest_error else "")
            if key.trail.events
            else ""
        )
        region = clean(key.trail.region)
        lines.append(f"      CloudTrail ({region}): {key.trail.events} event(s) since{latest}")
    elif key.trail_error:
        lines.append(f"      CloudTrail not searched: {clean(key.trail_error)}")
    if key.flag:
        lines.append(
            f"      {clean(key.flag)}: `keyless retire rollback --access-key-id {key.key_id}`"
        )
    return lines


def status_json(report: StatusReport, options: RenderOptions) -> str:
    """The document as indented JSON."""
    del options
    return json.dumps(status_document(report), indent=2) + "\n"


# -- the demo --------------------------------------------------------------------------


def demo_text(walk: DemoWalk, options: RenderOptions) -> str:
    """Each stage: its title, the command, keyless's answer indented."""
    parts = [
        "keyless retire --demo: the demo organization in an in-process AWS emulator",
        "(nothing outside this process changes; the journal is temporary).",
        "Each stage shows the command as you would run it on your own organization ($ …),",
        "then what keyless answered here.",
    ]
    for stage in walk.stages:
        body = (
            status_text(stage.report, options)
            if isinstance(stage.report, StatusReport)
            else report_text(stage.report, options)
        )
        parts += ["", f"== {stage.title}", f"$ {stage.command}", *_indent(body.splitlines())]
        if stage.note:
            parts.append(f"-> {stage.note}")
    return "\n".join(parts) + "\n"


def _indent(lines: Iterable[str]) -> list[str]:
    return [f"   {line}" if line else "" for line in lines]
