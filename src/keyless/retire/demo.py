"""``keyless retire --demo``: the demo organization (``keyless scan --demo``'s) walked
through deactivate → status → rollback, in an in-process AWS emulator, so that a
newcomer sees every stage without an AWS account. Nothing outside this process changes:
the emulator and a temporary journal vanish when it ends.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from keyless.retire.execute import Clock, utc_now
from keyless.retire.model import Report
from keyless.retire.plan import RetirePlan, load_plan, plan_from_document
from keyless.retire.reach import SessionsReach
from keyless.retire.rollback import RollbackRequest, Scope, rollback
from keyless.retire.run import RetireRequest, retire
from keyless.retire.selection import KeyRef, Selection, UserRef
from keyless.retire.status import StatusReport, status


@dataclass(frozen=True, slots=True)
class DemoStage:
    """One step of the walk: what it shows, the command a person would type, and what
    keyless answered."""

    title: str
    command: str
    report: Report | StatusReport
    note: str = ""


@dataclass(frozen=True, slots=True)
class DemoWalk:
    """The walk, stage by stage."""

    stages: tuple[DemoStage, ...]

    @property
    def exit_code(self) -> int:
        """0: the walk went as intended (its refusal and flag are part of the show)."""
        return 0


def demo_walk(clock: Clock = utc_now, plan_path: Path | None = None) -> DemoWalk:
    """Retire two users of the demo organization and one recently used key (refused),
    let a forgotten job use a deactivated key, watch it get flagged, and roll it back;
    then follow the demo's plan (``plan_path``, written by ``keyless plan --demo --out``,
    or made here as ``keyless plan --demo`` makes it) in a dry run, its preconditions
    refusing what is not migrated yet."""
    from keyless.collect.demo.build import demo_day, record_key_use, seeded_demo

    now = clock()
    plan = _demo_plan(now, plan_path)
    if plan_path is not None and plan.collected_at is not None:
        # The demo estate is seeded relative to the start of the day it was collected;
        # seeded at the one the plan's estate was, its keys have the creation times the
        # plan saw (the plan knows keys from the credential report, which has no key IDs).
        now = demo_day(plan.collected_at)
    with seeded_demo(now) as demo, tempfile.TemporaryDirectory(prefix="keyless-demo-") as tmp:
        prod, mgmt = demo.accounts["prod"], demo.accounts["mgmt"]
        reach = SessionsReach(demo.sessions)
        apis = reach.open({prod, mgmt}).apis
        busy = apis[prod].observe("alice-admin").keys[0].key_id
        legacy = next(k for k in apis[prod].observe("legacy-backup").keys if k.active).key_id
        selection = Selection.from_options(
            [str(UserRef(prod, "legacy-backup")), str(UserRef(mgmt, "ci-terraform"))],
            [str(KeyRef(prod, busy))],
        )
        journal = Path(tmp) / "journal.sqlite"
        users = f"--user {prod}:legacy-backup --user {mgmt}:ci-terraform"
        command = f"keyless retire --org {users} --access-key-id {prod}:{busy}"
        stages = [
            DemoStage(
                "1. Dry run: what retire would do, and why",
                command,
                retire(RetireRequest(selection, journal=journal), reach, clock=lambda: now),
                "Nothing changes without --apply. alice-admin's key was used 2 days ago: refused.",
            ),
            DemoStage(
                "2. Deactivate (reversible): the keys go out of service, journaled",
                f"{command} --apply",
                retire(
                    RetireRequest(selection, apply=True, journal=journal), reach, clock=lambda: now
                ),
            ),
        ]
        later = now + timedelta(days=3)
        record_key_use(prod, legacy, now + timedelta(hours=6))
        stages.append(
            DemoStage(
                "3. Three days later: status watches the keys out of service",
                "keyless retire status --org",
                status(reach, journal_path=journal, cloudtrail=False, clock=lambda: later),
                "A forgotten nightly job used legacy-backup's key after it was deactivated "
                "(the emulator has no CloudTrail; a real account is also searched there).",
            )
        )
        scope = Scope(keys=frozenset({KeyRef(prod, legacy)}))
        stages.append(
            DemoStage(
                "4. Roll back the key something still needs",
                f"keyless retire rollback --org --access-key-id {prod}:{legacy} --apply",
                rollback(
                    RollbackRequest(scope, apply=True, journal=journal), reach, clock=lambda: later
                ),
                "ci-terraform's key stays out of service; after 14 quiet days `keyless retire "
                "--apply` deletes it and the user, after a backup.",
            )
        )
        where = plan_path or "plan.json"
        staging = demo.accounts["staging"]
        # A person moving to Identity Center, a CI user moving to an OIDC role, an idle
        # bot. (Users with nothing but a password would go straight to their backup, which
        # reads service-specific credentials: the emulator has no such API.)
        chosen = [f"{prod}:alice-admin", f"{staging}:ci-staging", f"{prod}:ci-deploy"]
        stages.append(
            DemoStage(
                "5. Follow the plan: its retire list, gated by its preconditions",
                f"keyless plan --demo --out {where}; keyless retire --org --plan {where} "
                + " ".join(f"--user {user}" for user in chosen),
                retire(
                    RetireRequest(plan.select(chosen), journal=journal, plan=plan),
                    reach,
                    clock=lambda: later,
                ),
                "A dry run. Users moving to Identity Center wait for --confirmed (IAM cannot "
                "show a sign-in there); the CI user waits until its OIDC role exists and is "
                "used; idle users go in stages.",
            )
        )
    return DemoWalk(tuple(stages))


def _demo_plan(now: datetime, plan_path: Path | None) -> RetirePlan:
    """The plan the walk follows: the file given, or the demo planned as `keyless plan
    --demo` plans it (the emulator's IDs are seeded, so both name the same keys)."""
    if plan_path is not None:
        return load_plan(plan_path, now=now)
    from keyless.collect.demo.build import demo_inventory
    from keyless.plan.build import PlanInputs, make_plan
    from keyless.plan.document import dumps, plan_document

    # As written to plan.json and read back: the document is plain JSON from here on.
    plan = make_plan(demo_inventory(now), PlanInputs(as_of=now))
    document = json.loads(dumps(plan_document(plan)))
    return plan_from_document(document, "plan.json", now=now)
