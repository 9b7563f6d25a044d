"""The evidence about one IAM user: how its console password and keys are used, and
what says "a person" or "a pipeline".

Use is measured against the scan's own thresholds (``keyless.toml`` ``[thresholds]``):
a password is in use when used within ``password_unused_days``, a key within
``key_unused_days``; a key never used is *new* within ``key_never_used_grace_days`` of
its creation. Ages are counted from when the inventory was collected, so the same
inventory always gives the same plan. Without the credential report, use is unknown.

Each signal has a stable name (docs/plan.md lists them) and the destination it argues
for; :mod:`keyless.plan.decide` weighs them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from keyless.config import Thresholds
from keyless.dates import days_since
from keyless.errors import quoted
from keyless.model import AccessKey, Account, Dataset, User
from keyless.people import Person, identify
from keyless.plan.model import Destination, Signal
from keyless.plan.platforms import named_platforms, provider_platforms
from keyless.workflows.model import Platform

CI_WORDS = frozenset(
    {
        "actions", "argo", "argocd", "atlantis", "bitbucket", "build", "builder",
        "buildkite", "cd", "ci", "cicd", "circleci", "deploy", "deployer", "deployment",
        "gha", "github", "gitlab", "jenkins", "pipeline", "pipelines", "release",
        "spacelift", "terraform", "tf", "travis",
    }
)  # fmt: skip
SERVICE_WORDS = frozenset(
    {"ec2", "ecs", "eks", "emr", "fargate", "glue", "k8s", "kubernetes", "lambda", "sagemaker"}
)
HOST_WORDS = frozenset({"backup", "cron", "datacenter", "host", "nas", "onprem", "server", "vm"})
REPOSITORY_TAGS = frozenset(
    {"repo", "repository", "github_repo", "github-repo", "github_repository", "source_repo"}
)
_WORD = re.compile(r"[a-z0-9]+")
_CI_SIGNALS = ("ci-name", "ci-path", "ci-tag", "repository-tag")
# GitHub's ORG/REPO, as keyless.plan.links reads a --link (never "." or ".." for REPO).
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/(?!\.\.?\Z)[A-Za-z0-9._-]{1,100}")


class Use(StrEnum):
    """How a credential is used."""

    NONE = "none"
    RECENT = "recent"
    NEW = "new"
    IDLE = "idle"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Console and key use, with words for each, and every signal."""

    console: Use
    console_detail: str
    keys: Use
    keys_detail: str
    signals: tuple[Signal, ...]
    repository_tag: str | None = None
    #: The CI platforms the name, path or tags name, and those whose tokens the account's
    #: OIDC providers accept (:mod:`keyless.plan.platforms`); empty unless CI-like.
    named_platforms: frozenset[Platform] = frozenset()
    provider_platforms: frozenset[Platform] = frozenset()

    def has(self, *names: str) -> bool:
        """True when any of the named signals is present."""
        return any(signal.name in names for signal in self.signals)


@dataclass(frozen=True, slots=True)
class Estate:
    """What the signals of one user need to know about the others."""

    as_of: datetime
    thresholds: Thresholds
    people: Mapping[str, Person]
    console_users: frozenset[str]
    console_groups: Mapping[tuple[str, str], tuple[str, ...]]


def estate_view(
    users: Iterable[User], people: Iterable[Person], as_of: datetime, thresholds: Thresholds
) -> Estate:
    """Index people by user ARN and note which users use their console password."""
    by_arn = {user.arn: person for person in people for user in person.users}
    console: set[str] = set()
    groups: dict[tuple[str, str], list[str]] = {}
    for user in users:
        if _console(user, as_of, thresholds)[0] is Use.RECENT:
            console.add(user.arn)
            for group in user.groups:
                groups.setdefault((user.account_id, group), []).append(user.name)
    return Estate(
        as_of,
        thresholds,
        by_arn,
        frozenset(console),
        {key: tuple(sorted(names)) for key, names in groups.items()},
    )


def gather(user: User, account: Account, estate: Estate) -> Evidence:
    """Every signal about ``user``."""
    signals: list[Signal] = []
    if account.has(Dataset.CREDENTIAL_REPORT):
        console, console_detail = _console(user, estate.as_of, estate.thresholds)
        keys, keys_detail = _keys(user, estate.as_of, estate.thresholds)
    else:
        reason = account.dataset(Dataset.CREDENTIAL_REPORT).reason or "not read"
        console = keys = Use.UNKNOWN
        console_detail = keys_detail = f"credential report {reason}"
        signals.append(Signal("usage-unknown", console_detail))
    if console is Use.RECENT:
        signals.append(Signal("console-used", console_detail, Destination.IDENTITY_CENTER))
    elif console in (Use.IDLE, Use.NONE):
        signals.append(Signal(f"console-{console}", console_detail, Destination.RETIRE))
    if keys is Use.RECENT:
        signals.append(Signal("key-used", keys_detail))
    elif keys in (Use.IDLE, Use.NONE, Use.INACTIVE):
        signals.append(Signal(f"keys-{keys}", keys_detail, Destination.RETIRE))
    elif keys is Use.NEW:
        signals.append(Signal("key-new", keys_detail))
    signals.extend(_person_signals(user, account, estate))
    signals.extend(_workload_signals(user))
    repository = _repository_tag(user)
    if repository is not None:
        signals.append(
            Signal("repository-tag", f"tagged with repository {repository}", Destination.OIDC_ROLE)
        )
    named: frozenset[Platform] = frozenset()
    providers: frozenset[Platform] = frozenset()
    if any(s.name in _CI_SIGNALS for s in signals):
        named, providers = named_platforms(user), provider_platforms(account)
        if named:
            signals.append(Signal("ci-platform", f"names {_titles(named)}"))
        if providers:
            signals.append(
                Signal("ci-provider", f"the account trusts {_titles(providers)} tokens already")
            )
    return Evidence(
        console,
        console_detail,
        keys,
        keys_detail,
        tuple(signals),
        repository,
        named,
        providers,
    )


def _titles(platforms: frozenset[Platform]) -> str:
    return " and ".join(sorted(p.display_name for p in platforms))


# --------------------------------------------------------------------------- use


def in_use(user: User, account: Account, as_of: datetime, thresholds: Thresholds) -> list[str]:
    """What of ``user`` is in use at ``as_of`` (its console password, its keys), in words;
    empty when nothing is, or when the account's credential report was not read (use is
    then unknown, and nothing can be said)."""
    if not account.has(Dataset.CREDENTIAL_REPORT):
        return []
    found = (_console(user, as_of, thresholds), _keys(user, as_of, thresholds))
    return [detail for use, detail in found if use is Use.RECENT]


def _console(user: User, as_of: datetime, thresholds: Thresholds) -> tuple[Use, str]:
    profile = user.login_profile
    if profile is None:
        return Use.NONE, "no console password"
    limit = thresholds.password_unused_days
    if profile.password_last_used is not None:
        idle = days_since(as_of, profile.password_last_used)
        if idle <= limit:
            return Use.RECENT, f"console password used {_ago(idle)}"
        return Use.IDLE, f"console password unused for {idle} days (limit {limit})"
    since = profile.created or profile.password_last_changed or user.created
    if since is not None and days_since(as_of, since) <= limit:
        return Use.NEW, f"console password set {_ago(days_since(as_of, since))}, never used"
    age = f", {days_since(as_of, since)} days old" if since is not None else ""
    return Use.IDLE, f"console password never used{age} (limit {limit})"


def _keys(user: User, as_of: datetime, thresholds: Thresholds) -> tuple[Use, str]:
    if not user.access_keys:
        return Use.NONE, "no access keys"
    active = user.active_keys
    if not active:
        return Use.INACTIVE, f"{_count(user.access_keys)} inactive, none active"
    used = sorted(
        (key for key in active if key.last_used is not None),
        key=lambda key: key.last_used or as_of,
        reverse=True,
    )
    limit = thresholds.key_unused_days
    if used and used[0].last_used is not None:
        idle = days_since(as_of, used[0].last_used)
        if idle <= limit:
            return Use.RECENT, f"{used[0].label} used {_ago(idle)}{_where(used[0])}"
    grace = thresholds.key_never_used_grace_days
    for key in active:
        if key.last_used is None and key.created is not None:
            age = days_since(as_of, key.created)
            if age <= grace:
                return Use.NEW, f"{key.label} created {_ago(age)}, not used yet (grace {grace})"
    if used and used[0].last_used is not None:
        idle = days_since(as_of, used[0].last_used)
        return Use.IDLE, f"access keys unused for {idle} days (limit {limit})"
    return Use.IDLE, f"{_count(active)} active, never used"


def _where(key: AccessKey) -> str:
    parts = [part for part in (key.last_used_service, key.last_used_region) if part]
    return f" ({', '.join(parts)})" if parts else ""


def _ago(days: int) -> str:
    if days <= 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def _count(keys: tuple[AccessKey, ...]) -> str:
    return "1 access key" if len(keys) == 1 else f"{len(keys)} access keys"


# --------------------------------------------------------------------------- who


def _person_signals(user: User, account: Account, estate: Estate) -> list[Signal]:
    to = Destination.IDENTITY_CENTER
    signals: list[Signal] = []
    if user.has_mfa:
        signals.append(Signal("mfa-device", "has an MFA device", to))
    identity = identify(user)
    if identity.email:
        signals.append(Signal("email-tag", f"email {identity.email}", to))
    words = set(_words(user.name))
    if "@" in user.name or (
        len(identity.tokens) >= 2
        and all(token.isalpha() for token in identity.tokens)
        and not words & (CI_WORDS | SERVICE_WORDS | HOST_WORDS)
    ):
        signals.append(
            Signal("person-name", f"the name {quoted(user.name)} reads like a person's", to)
        )
    sharing = sorted(
        {
            name
            for group in user.groups
            for name in estate.console_groups.get((user.account_id, group), ())
            if name != user.name
        }
    )
    if sharing:
        shown = ", ".join(sharing[:3]) + (" …" if len(sharing) > 3 else "")
        signals.append(
            Signal("shares-group-with-people", f"in a group with console users ({shown})", to)
        )
    person = estate.people.get(user.arn)
    if person is not None and len(person.users) > 1:
        others = [other for other in person.users if other.arn != user.arn]
        active = [other for other in others if other.arn in estate.console_users]
        if person.is_human:
            named = ", ".join(f"{o.name} ({o.account_id})" for o in (active or others)[:3])
            signals.append(Signal("same-person", f"same person as {named}", to))
    return signals


def _workload_signals(user: User) -> list[Signal]:
    words = set(_words(user.name))
    path_words = set(_words(user.path))
    tag_words = {
        word
        for key, value in user.tags.items()
        if key.lower() not in ("email", "mail")
        for word in (*_words(key), *_words(value))
    }
    signals = []
    ci = Destination.OIDC_ROLE
    if words & CI_WORDS:
        signals.append(Signal("ci-name", f"the name {quoted(user.name)} reads like CI", ci))
    if path_words & CI_WORDS:
        signals.append(Signal("ci-path", f"the path {quoted(user.path)} is for CI", ci))
    if tag_words & CI_WORDS:
        signals.append(Signal("ci-tag", f"tagged {', '.join(sorted(tag_words & CI_WORDS))}", ci))
    service = (words | tag_words) & SERVICE_WORDS
    if service:
        signals.append(
            Signal(
                "aws-service-name",
                f"name or tags mention {', '.join(sorted(service))}",
                Destination.WORKLOAD_ROLE,
            )
        )
    host = (words | tag_words) & HOST_WORDS
    if host:
        signals.append(
            Signal(
                "host-name",
                f"name or tags mention {', '.join(sorted(host))}",
                Destination.ROLES_ANYWHERE,
            )
        )
    return signals


def _repository_tag(user: User) -> str | None:
    for key, value in sorted(user.tags.items()):
        if key.lower() in REPOSITORY_TAGS and _REPOSITORY.fullmatch(value.strip()):
            return value.strip()
    return None


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def is_person_like(evidence: Evidence) -> bool:
    """Any signal that the user is a person (other than using the console)."""
    return evidence.has("mfa-device", "email-tag", "person-name", "same-person")


def is_ci_like(evidence: Evidence) -> bool:
    """Any signal that the user is a CI pipeline."""
    return evidence.has(*_CI_SIGNALS)
