"""``make_plan``: the whole plan from an Inventory, as one library call.

For each user of each read account: the evidence (:mod:`.signals`), the decision
(:mod:`.decide`), and for users that migrate, the permissions their target carries
(:mod:`.permissions`) and the proof that the target is no broader (:mod:`.prove`).
Then the targets (:mod:`.targets`): people's users become one Identity Center user per
person (:mod:`keyless.people` groups them, as ``user-duplicated-across-accounts`` does)
with one assignment per account and permission set; users with equal carried
permissions share a permission set; each workload user gets a role. Last, what to
retire, user by user, with what must be true first (:mod:`.retire`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType

from keyless.checks._policies import ParsedPolicies
from keyless.config import PlanConfig, Thresholds
from keyless.model import Account, Inventory, User
from keyless.people import Person, group_people
from keyless.plan.decide import decide, within_partition
from keyless.plan.links import SERVICES, LinkRequest, instructions
from keyless.plan.model import (
    UNREAD_PROVIDERS_NOTE_OPENING,
    Assignment,
    Destination,
    IdentityCenterUser,
    LinkKind,
    LinkTarget,
    OidcRolePlan,
    Permissions,
    PermissionSetPlan,
    Plan,
    Proof,
    RolesAnywherePlan,
    Subject,
    TargetRef,
    UserPlan,
    WorkloadRolePlan,
    unread_providers_note,
)
from keyless.plan.partition import account_partition, arn_partition
from keyless.plan.permissions import CarriedPermissions, Parser, carry, mode_for
from keyless.plan.pipelines import RepositoryJobs, WorkflowSource, read_workflows
from keyless.plan.platforms import guess_platform
from keyless.plan.prove import prove
from keyless.plan.retire import retirements
from keyless.plan.signals import SERVICE_WORDS, Evidence, estate_view, gather
from keyless.plan.source import source_ref
from keyless.plan.targets import (
    Names,
    identity_center_users,
    oidc_provider,
    permission_set,
    role_names,
)
from keyless.plan.tenants import PLATFORMS as TENANT_PLATFORMS
from keyless.plan.tenants import parse_project
from keyless.policy.identifiers import TRUST_ANCHOR_ARN

_SERVICE_PRINCIPALS = {
    **SERVICES,
    "fargate": "ecs-tasks.amazonaws.com",
    "k8s": "pods.eks.amazonaws.com",
    "kubernetes": "pods.eks.amazonaws.com",
    "emr": "elasticmapreduce.amazonaws.com",
    "sagemaker": "sagemaker.amazonaws.com",
}


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What ``make_plan`` needs besides the inventory."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    config: PlanConfig = field(default_factory=PlanConfig)
    links: tuple[LinkRequest, ...] = ()
    workflows: tuple[WorkflowSource, ...] = ()
    #: The moment ages are measured against (``--now``, or what ``keyless scan`` would use:
    #: a snapshot's collection time, else the clock); default: the inventory's
    #: ``collected_at``, else the clock.
    as_of: datetime | None = None


@dataclass(slots=True)
class _Draft:
    """One user while the plan is built (mutable only inside this module)."""

    user: User
    account: Account
    evidence: Evidence
    plan: UserPlan
    links: tuple[LinkTarget, ...]
    carried: CarriedPermissions | None = None

    def settle(self, target: TargetRef, proof: Proof | None, notes: tuple[str, ...] = ()) -> None:
        """Record the target, the carried permissions and the proof."""
        self.plan = replace(
            self.plan,
            target=target,
            carried=self.carried.carried if self.carried else None,
            proof=proof,
            notes=self.plan.notes + notes,
        )


def make_plan(inventory: Inventory, inputs: PlanInputs | None = None) -> Plan:
    """Decide a destination for every IAM user of ``inventory`` and build the targets."""
    inputs = inputs or PlanInputs()
    generated_at = datetime.now(UTC)
    as_of = inputs.as_of or inventory.collected_at or generated_at
    told = instructions(inventory, inputs.config, inputs.links)
    jobs, notes = read_workflows(inputs.workflows)
    users = [(account, user) for account in inventory.scanned_accounts for user in account.users]
    people = group_people(user for _, user in users)
    estate = estate_view((user for _, user in users), people, as_of, inputs.thresholds)
    linked = {t.value.lower() for targets in told.links.values() for t in targets}
    unlinked = tuple(name for name in jobs if name.lower() not in linked)
    unlinked_platforms = MappingProxyType({name: jobs[name].platform for name in unlinked})
    organization = inventory.organization.id if inventory.organization else None
    # Group and managed policy documents are shared by many users: parse each once.
    parse = ParsedPolicies().get

    drafts: list[_Draft] = []
    for account, user in users:
        evidence = gather(user, account, estate)
        links = told.links.get(user.arn, ())
        decision = decide(user.name, evidence, links, told.keep.get(user.arn), unlinked_platforms)
        decision = within_partition(user.name, decision, arn_partition(user.arn))
        plan = UserPlan(user.account_id, user.arn, user.name, user.path, decision)
        draft = _Draft(user, account, evidence, plan, links)
        if decision.destination.migrates:
            mode = mode_for(decision.destination is Destination.IDENTITY_CENTER)
            draft.carried = carry(user, account, mode, organization, parse=parse)
        drafts.append(draft)
    prover = _Prover(organization, parse)
    ic_users, permission_sets, assignments = _identity_center(drafts, people, prover)
    repositories = {k.lower(): v for k, v in jobs.items()}
    oidc, anywhere, workload = _roles(drafts, repositories, unlinked_platforms, prover)
    position = {account.id: n for n, account in enumerate(inventory.accounts)}
    ordered = sorted(
        drafts, key=lambda d: (position[d.account.id], d.user.name.lower(), d.user.arn)
    )
    plan_users = tuple(d.plan for d in ordered)
    return Plan(
        source=source_ref(inventory, as_of),
        generated_at=generated_at,
        users=plan_users,
        identity_center_users=tuple(ic_users),
        permission_sets=tuple(permission_sets),
        assignments=tuple(sorted(set(assignments))),
        oidc_roles=tuple(oidc),
        roles_anywhere=tuple(anywhere),
        workload_roles=tuple(workload),
        retirements=retirements(
            plan_users,
            {d.user.arn: d.user for d in drafts},
            as_of,
            {role.user: role.platform for role in oidc},
        ),
        notes=(*notes, *_unread_provider_notes(drafts), *_unlinked_notes(unlinked)),
    )


class _Prover:
    """Proves each target, sharing the work between users whose policies are the same
    and do not depend on who calls (then the proof cannot differ between them)."""

    def __init__(self, organization: str | None, parse: Parser):
        self.organization = organization
        self.parse = parse
        self.proved: dict[tuple[object, ...], Proof] = {}

    def __call__(self, draft: _Draft, permissions: Permissions) -> Proof:
        identity_center = draft.plan.decision.destination is Destination.IDENTITY_CENTER
        mode = mode_for(identity_center)
        key = self._key(draft, permissions, identity_center)
        if key is not None and key in self.proved:
            return self.proved[key]
        proof = prove(
            draft.user, draft.account, mode, permissions, self.organization, parse=self.parse
        )
        if key is not None:
            self.proved[key] = proof
        return proof

    @staticmethod
    def _key(draft: _Draft, permissions: Permissions, ic: bool) -> tuple[object, ...] | None:
        if draft.carried is None or draft.carried.carried.identity_dependent:
            return None
        user = draft.user
        return (
            draft.account.id,
            ic,
            user.permissions_boundary,
            tuple(sorted(user.groups)),
            tuple(ref.arn for ref in user.attached_policies),
            tuple(id(p.document) for p in user.inline_policies),
            id(permissions.inline),
            permissions.aws_managed,
            permissions.customer_managed,
        )


# --------------------------------------------------------------------------- Identity Center


def _identity_center(
    drafts: list[_Draft], people: tuple[Person, ...], prover: _Prover
) -> tuple[list[IdentityCenterUser], list[PermissionSetPlan], list[Assignment]]:
    moving = {
        d.user.arn: d for d in drafts if d.plan.decision.destination is Destination.IDENTITY_CENTER
    }
    persons = [
        (person, tuple(moving[u.arn].user for u in person.users if u.arn in moving))
        for person in people
        if any(u.arn in moving for u in person.users)
    ]
    ic_users = identity_center_users(persons)
    by_key: dict[str, list[_Draft]] = defaultdict(list)
    for draft in moving.values():
        if draft.carried is not None and not draft.carried.carried.permissions.is_empty:
            by_key[draft.carried.key].append(draft)
    names = Names(32)
    sets: dict[str, PermissionSetPlan] = {}
    for key, members in sorted(by_key.items(), key=lambda item: min(m.user.arn for m in item[1])):
        carried = [m.carried.carried for m in members if m.carried is not None]
        sets[key] = permission_set(
            carried[0].permissions,
            [m.user for m in members],
            names,
            tuple(sorted({flag for c in carried for flag in c.flags})),
            _reference_notes(members, carried[0].permissions),
        )
    assignments: list[Assignment] = []
    for ic_user, users in ic_users:
        for user in users:
            draft = moving[user.arn]
            chosen = sets.get(draft.carried.key) if draft.carried else None
            target = TargetRef(ic_user.user_name, chosen.name if chosen else None)
            if chosen is None:
                note = "no permissions to carry: the Identity Center user gets no assignment here"
                draft.settle(target, None, (note,))
                continue
            assignments.append(Assignment(user.account_id, ic_user.user_name, chosen.name))
            draft.settle(target, prover(draft, chosen.permissions))
    ordered = sorted(sets.values(), key=lambda s: s.name.lower())
    return [user for user, _ in ic_users], ordered, assignments


def _reference_notes(members: list[_Draft], permissions: Permissions) -> tuple[str, ...]:
    accounts = ", ".join(sorted({m.user.account_id for m in members}))
    return tuple(
        f"customer managed policy {ref.path}{ref.name} is referenced, not copied: it exists "
        f"with the same document in every account the set is assigned in ({accounts})"
        for ref in permissions.customer_managed
    )


# --------------------------------------------------------------------------- roles


def _roles(
    drafts: list[_Draft],
    repositories: Mapping[str, RepositoryJobs],
    unlinked: Mapping[str, str],
    prover: _Prover,
) -> tuple[list[OidcRolePlan], list[RolesAnywherePlan], list[WorkloadRolePlan]]:
    oidc: list[OidcRolePlan] = []
    anywhere: list[RolesAnywherePlan] = []
    workload: list[WorkloadRolePlan] = []
    names: dict[str, Names] = {}
    for draft in drafts:
        destination = draft.plan.decision.destination
        if not destination.is_role or draft.carried is None:
            continue
        taken = names.setdefault(draft.account.id, role_names(draft.account))
        would = list(draft.plan.decision.would_decide)
        notes: tuple[str, ...] = ()
        role: OidcRolePlan | RolesAnywherePlan | WorkloadRolePlan
        if destination is Destination.OIDC_ROLE:
            role = _oidc_role(draft, repositories, unlinked, taken, would)
            if role.provider.note:
                would.append(role.provider.note)
            if not role.provider.providers_read:
                # A note, not an open item: the plan is decided, the code may need an import.
                partition = account_partition(draft.account)
                notes = (unread_providers_note(role.account, role.provider.issuer, partition),)
            oidc.append(role)
        elif destination is Destination.ROLES_ANYWHERE:
            role = _roles_anywhere(draft, taken, would)
            anywhere.append(role)
        else:
            role = _workload_role(draft, taken)
            workload.append(role)
        decision = replace(draft.plan.decision, would_decide=tuple(dict.fromkeys(would)))
        draft.plan = replace(draft.plan, decision=decision)
        draft.settle(TargetRef(role=role.name), prover(draft, role.permissions), notes)
    return oidc, anywhere, workload


def _oidc_role(
    draft: _Draft,
    repositories: Mapping[str, RepositoryJobs],
    unlinked: Mapping[str, str],
    taken: Names,
    would: list[str],
) -> OidcRolePlan:
    assert draft.carried is not None
    tenant_links = [t for t in draft.links if t.kind.value in TENANT_PLATFORMS]
    if tenant_links:
        return _tenant_role(draft, tenant_links, taken)
    linked = [t for t in draft.links if t.kind in (LinkKind.GITHUB, LinkKind.GITLAB)]
    tagged = draft.evidence.repository_tag
    wanted = [t.value for t in linked] or ([tagged] if tagged else [])
    found = [repositories[name.lower()] for name in wanted if name.lower() in repositories]
    platform = found[0].platform if found else _platform(draft, linked, unlinked)
    # One subject per value and operator (two jobs, or a job's own branch and the default
    # branch fix proposes, may give the same value with different reasons).
    unique: dict[tuple[str, str], Subject] = {}
    for subject in (s for repository in found for s in repository.subjects):
        unique.setdefault((subject.value, subject.operator), subject)
    subjects = tuple(unique.values())
    missing = [name for name in wanted if name.lower() not in repositories]
    if wanted and repositories and missing:
        would.append(
            f"no workflow of {', '.join(missing)} under --workflows uses AWS keys: check the "
            "link, or add its checkout to --workflows"
        )
    elif wanted and not subjects:
        would.append(
            f"pass --workflows PATH (a checkout of {', '.join(wanted)}) for the exact subjects "
            "of the jobs that use the key"
        )
    return OidcRolePlan(
        account=draft.account.id,
        name=taken.claim(f"{draft.user.name}-{platform}"),
        user=draft.user.arn,
        platform=platform,
        provider=oidc_provider(draft.account, platform),
        repositories=tuple(r.repository for r in found) + tuple(missing),
        subjects=subjects,
        permissions=draft.carried.carried.permissions,
    )


def _platform(draft: _Draft, linked: list[LinkTarget], unlinked: Mapping[str, str]) -> str:
    """The platform of an OIDC role no workflow found: the link's, else the one
    :func:`.decide` settled on (it decides ``oidc-role`` only when the evidence names GitHub
    or GitLab, or for a repository tag with no platform named: GitHub)."""
    if linked:
        return linked[0].kind.value
    evidence = draft.evidence
    guess = guess_platform(evidence.named_platforms, evidence.provider_platforms, unlinked)
    return guess.platform.value if guess else "github"


def _tenant_role(draft: _Draft, links: list[LinkTarget], taken: Names) -> OidcRolePlan:
    """A CircleCI or Bitbucket role: the links name the projects, and so the issuer, the
    audience and each project's ``sub`` pattern (:mod:`.tenants`); no pipeline file can."""
    assert draft.carried is not None
    platform = links[0].kind.value
    projects = [p for t in links if (p := parse_project(platform, t.value)) is not None]
    subjects = tuple(
        Subject(p.subject, "StringLike", f"every pipeline of {platform}:{p.text}") for p in projects
    )
    return OidcRolePlan(
        account=draft.account.id,
        name=taken.claim(f"{draft.user.name}-{platform}"),
        user=draft.user.arn,
        platform=platform,
        provider=oidc_provider(draft.account, platform, (projects[0].issuer, projects[0].audience)),
        repositories=tuple(p.text for p in projects),
        subjects=subjects,
        permissions=draft.carried.carried.permissions,
    )


def _roles_anywhere(draft: _Draft, taken: Names, would: list[str]) -> RolesAnywherePlan:
    assert draft.carried is not None
    host = next((t.value for t in draft.links if t.kind is LinkKind.HOST), None)
    # ARNs, as generate reuses one (the role's ``aws:SourceArn``): a name there matched
    # no anchor. Only the account's own anchors: a snapshot can hold anything.
    anchors = tuple(
        sorted(
            anchor.arn
            for anchor in draft.account.trust_anchors
            if TRUST_ANCHOR_ARN.fullmatch(anchor.arn)
            and anchor.arn.split(":")[4] == draft.account.id
        )
    )
    return RolesAnywherePlan(
        account=draft.account.id,
        name=taken.claim(f"{draft.user.name}-rolesanywhere"),
        user=draft.user.arn,
        common_name=host or draft.user.name,
        common_name_source="link" if host else "proposed",
        trust_anchors=anchors,
        permissions=draft.carried.carried.permissions,
    )


def _workload_role(draft: _Draft, taken: Names) -> WorkloadRolePlan:
    assert draft.carried is not None
    service = next((t.value for t in draft.links if t.kind is LinkKind.SERVICE), None)
    if service is None:
        words = sorted(set(re.findall(r"[a-z0-9]+", draft.user.name.lower())) & SERVICE_WORDS)
        service = _SERVICE_PRINCIPALS.get(words[0] if words else "ec2", "ec2.amazonaws.com")
    short = service.split(".")[0]
    return WorkloadRolePlan(
        account=draft.account.id,
        name=taken.claim(f"{draft.user.name}-{short}"),
        user=draft.user.arn,
        service=service,
        permissions=draft.carried.carried.permissions,
    )


def _unread_provider_notes(drafts: list[_Draft]) -> tuple[str, ...]:
    # Once per account and issuer, in the plan's summary: the users' own notes say it too.
    return tuple(
        dict.fromkeys(
            note
            for draft in drafts
            for note in draft.plan.notes
            if note.startswith(UNREAD_PROVIDERS_NOTE_OPENING)
        )
    )


def _unlinked_notes(unlinked: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        f"workflows of {name} use AWS keys, but no IAM user is linked to {name}"
        for name in unlinked
    )
