"""What a person tells ``keyless plan`` that the inventory cannot: which repositories,
hosts or AWS services use a user's keys (``--link USER=TARGET``, ``[[plan.link]]``), and
which users stay IAM users (``[[plan.keep]]``, with a reason).

A CI secret such as ``secrets.CI_DEPLOY_AWS_ACCESS_KEY_ID`` does not say which IAM user's
key it holds (only the secret store knows), so the tie between a workflow and a user is
always said by a person. Every value is checked against its grammar here; a link or keep
entry naming no user of the inventory is an error, never ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from keyless.config import PlanConfig
from keyless.errors import ConfigError, InputError, quoted, quoted_hiding_credentials
from keyless.model import Inventory, User
from keyless.model.arn import parse_arn
from keyless.plan.model import Destination, LinkKind, LinkTarget
from keyless.plan.tenants import BITBUCKET_SYNTAX, CIRCLECI_SYNTAX, parse_project

# https://docs.github.com/en/repositories/creating-and-managing-repositories/about-repositories
# (owner: letters, digits, single hyphens; repository: letters, digits, ., -, _; never
# "." or "..", which GitHub reserves: no token names them, and "repo:acme/..:" reads as a
# path that leaves the owner; nor a name ending in ".git", which GitHub strips when it
# creates the repository, so "acme/app.git" is a clone URL's tail for acme/app and no
# token names it: https://github.com/github/docs/issues/44518)
_GITHUB = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/(?!\.\.?\Z)(?![A-Za-z0-9._-]*\.git\Z)[A-Za-z0-9._-]{1,100}"
)
_URL = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://|\A[^/:]+@[^/:]+:")
# https://docs.gitlab.com/user/reserved_names/#rules-for-usernames-project-and-group-names-and-slugs
# A path segment is at most 255 characters, and a group nests at most 20 subgroups
# (https://docs.gitlab.com/user/group/subgroups/): a group, its subgroups, the project.
# No segment ends in ".git" or ".atom" (the rules above).
_GITLAB_SEGMENT = r"(?![A-Za-z0-9_.-]*\.(?:git|atom)(?:/|\Z))[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}"
_GITLAB = re.compile(rf"{_GITLAB_SEGMENT}(?:/{_GITLAB_SEGMENT}){{1,21}}")
# A certificate common name for a host: a DNS-like name (Roles Anywhere maps it to
# aws:PrincipalTag/x509Subject/CN).
_COMMON_NAME = re.compile(r"[A-Za-z0-9*][A-Za-z0-9._*-]{0,63}")
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com")
#: A service principal is a DNS name (``SERVICE.amazonaws.com``): 253 characters at most
#: (RFC 1035 section 2.3.4: 255 octets on the wire, 253 characters written out; the plan
#: schema holds ``service`` to the same).
MAX_SERVICE_PRINCIPAL = 253
_USER_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
# Short names for the services whose role replaces a key used on AWS compute.
SERVICES = MappingProxyType(
    {
        "ec2": "ec2.amazonaws.com",
        "ecs": "ecs-tasks.amazonaws.com",
        "ecs-tasks": "ecs-tasks.amazonaws.com",
        "lambda": "lambda.amazonaws.com",
        "eks": "pods.eks.amazonaws.com",
        "codebuild": "codebuild.amazonaws.com",
        "glue": "glue.amazonaws.com",
        "batch": "ecs-tasks.amazonaws.com",
    }
)
#: Longer than any target the grammars below accept (GitLab's deepest path: 22 segments of
#: 255 characters).
LONGEST_TARGET = 8_192
SYNTAX = (
    f"ORG/REPO, github:ORG/REPO, gitlab:GROUP/PROJECT, {CIRCLECI_SYNTAX}, {BITBUCKET_SYNTAX}, "
    "host:CN or aws:SERVICE"
)


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """A link as given: the user (a name or ARN) and where it came from."""

    user: str
    target: LinkTarget
    account: str | None = None


@dataclass(frozen=True, slots=True)
class Instructions:
    """Links and keeps resolved to users, by user ARN."""

    links: Mapping[str, tuple[LinkTarget, ...]]
    keep: Mapping[str, str]


def parse_target(text: str, source: str) -> LinkTarget:
    """A link target from its text; a :class:`ConfigError` says what is accepted."""
    value = text.strip()
    if len(value) > LONGEST_TARGET:
        raise ConfigError(
            f"not a link target: {shown_target(value)} ({len(value):,} characters, longer "
            f"than any repository, host or service name: at most {LONGEST_TARGET:,})",
            where=source,
            hint=f"A link target is {SYNTAX}.",
        )
    prefix, _, rest = value.partition(":")
    if not rest:
        prefix, rest = "github", value
    kinds = {"github": LinkKind.GITHUB, "gitlab": LinkKind.GITLAB, "host": LinkKind.HOST}
    if prefix in kinds:
        kind = kinds[prefix]
        grammar = {LinkKind.GITHUB: _GITHUB, LinkKind.GITLAB: _GITLAB}.get(kind, _COMMON_NAME)
        if grammar.fullmatch(rest):
            return LinkTarget(kind, rest, source)
    elif prefix in (LinkKind.CIRCLECI, LinkKind.BITBUCKET):
        project = parse_project(prefix, rest)
        if project is not None:
            return LinkTarget(LinkKind(prefix), project.text, source)
    elif prefix == "aws":
        service = SERVICES.get(rest.lower(), rest.lower())
        if len(service) <= MAX_SERVICE_PRINCIPAL and _SERVICE_PRINCIPAL.fullmatch(service):
            return LinkTarget(LinkKind.SERVICE, service, source)
    raise ConfigError(
        f"not a link target: {shown_target(value)}{_why_not(value)}",
        where=source,
        hint=f"A link target is {SYNTAX} (services: {', '.join(sorted(SERVICES))}).",
    )


def shown_target(text: str) -> str:
    """``text`` as a message quotes it, a URL's user information (a token) replaced by
    ``…``: ``'https://…@github.com/acme/app'``."""
    return quoted_hiding_credentials(text)


def is_url(text: str) -> bool:
    """Whether ``text`` is written as a URL (``https://…``, ``git@host:…``), not a name."""
    return _URL.match(text) is not None


def _why_not(value: str) -> str:
    """What is wrong with a value people often give for a repository."""
    if is_url(value):
        return " (a URL: give the repository itself, ORG/REPO or gitlab:GROUP/PROJECT)"
    if re.search(r"\.(?:git|atom)(?:/|\Z)", value):
        return (
            " (a GitHub or GitLab name never ends in .git, nor a GitLab one in .atom: "
            "give it without the suffix)"
        )
    return ""


def is_repository(platform: str, name: str) -> bool:
    """True when ``name`` is a repository of ``platform`` (``github``: ORG/REPO,
    ``gitlab``: GROUP/…/PROJECT) as a ``--link`` takes it."""
    grammar = {"github": _GITHUB, "gitlab": _GITLAB}.get(platform)
    return grammar is not None and grammar.fullmatch(name) is not None


#: The start of every ``sub`` claim of a repository's jobs (GitHub and GitLab).
SUBJECT_PREFIX = MappingProxyType({"github": "repo:{}:", "gitlab": "project_path:{}:"})


def foreign_subjects(
    platform: str, repositories: Iterable[str], values: Iterable[str]
) -> list[int]:
    """The indices of ``values`` that start with no repository's ``sub`` prefix
    (:data:`SUBJECT_PREFIX`). Each value is compared with the prefixes of each length it
    could start with, not with every prefix: a hand-edited plan of 20,000 repositories and
    subjects took 400 million comparisons."""
    prefixes = {SUBJECT_PREFIX[platform].format(r) for r in repositories}
    lengths = sorted({len(prefix) for prefix in prefixes})
    return [
        index
        for index, value in enumerate(values)
        if not any(value[:length] in prefixes for length in lengths if length <= len(value))
    ]


def parse_link_option(text: str) -> LinkRequest:
    """``USER=TARGET`` from ``--link``."""
    user, sep, target = text.partition("=")
    if not sep or not user.strip():
        raise InputError(
            f"--link takes USER=TARGET, not {shown_target(text)}", hint=f"TARGET is {SYNTAX}."
        )
    return LinkRequest(_user_reference(user.strip(), "--link"), parse_target(target, "--link"))


def instructions(
    inventory: Inventory, config: PlanConfig, options: Iterable[LinkRequest] = ()
) -> Instructions:
    """Resolve the configuration's links and keeps and the ``--link`` options to users."""
    requests = [
        LinkRequest(
            _user_reference(entry.user, entry.where),
            parse_target(entry.target, entry.where),
            entry.account,
        )
        for entry in config.links
    ]
    requests.extend(options)
    users = [user for account in inventory.scanned_accounts for user in account.users]
    links: dict[str, list[LinkTarget]] = {}
    for request in requests:
        for user in _matching(users, request.user, request.account, request.target.source):
            found = links.setdefault(user.arn, [])
            if request.target not in found:
                found.append(request.target)
    for arn, targets in links.items():
        destinations = {target.kind.destination for target in targets}
        if len(destinations) > 1:
            labels = ", ".join(target.label for target in targets)
            raise ConfigError(
                f"{arn} is linked to targets of different kinds ({labels})",
                where=targets[-1].source,
                hint="One user's keys become one role: link it to repositories, a host or "
                "a service, not several kinds.",
            )
        _one_issuer(arn, targets)
    keep: dict[str, str] = {}
    for entry in config.keep:
        for user in _matching(
            users, _user_reference(entry.user, entry.where), entry.account, entry.where
        ):
            if user.arn in links:
                raise ConfigError(
                    f"{user.arn} is both kept and linked",
                    where=entry.where,
                    hint="Remove the [[plan.keep]] entry or the link.",
                )
            keep[user.arn] = entry.reason
    return Instructions(
        MappingProxyType({arn: tuple(targets) for arn, targets in links.items()}),
        MappingProxyType(keep),
    )


def _one_issuer(arn: str, targets: list[LinkTarget]) -> None:
    """One user's keys become one OIDC role, which trusts one issuer: its pipeline links
    must all be of one platform (GitHub, GitLab), and CircleCI's or Bitbucket's of one
    organization (workspace), each of which has an issuer of its own. (A GitLab project
    linked beside a GitHub repository was planned as a GitHub repository of that name.)"""
    pipelines = [t for t in targets if t.kind.destination is Destination.OIDC_ROLE]
    tenants = {
        (project.issuer, project.audience)
        for t in pipelines
        if (project := parse_project(t.kind, t.value)) is not None
    }
    if len({t.kind for t in pipelines}) > 1 or len(tenants) > 1:
        labels = ", ".join(target.label for target in targets)
        raise ConfigError(
            f"{arn} is linked to pipelines of more than one OIDC issuer ({labels})",
            where=targets[-1].source,
            hint="One user's keys become one role, which trusts one issuer: link the user "
            "to one platform's repositories (one CircleCI organization's projects, one "
            "Bitbucket workspace's repositories), or split the keys first.",
        )


def _user_reference(text: str, source: str) -> str:
    if text.startswith("arn:"):
        parsed = parse_arn(text)
        if parsed is not None and parsed.service == "iam" and parsed.resource.startswith("user/"):
            return text
    elif _USER_NAME.fullmatch(text):
        return text
    raise ConfigError(
        f"not an IAM user name or user ARN: {shown_target(text)}",
        where=source,
        hint="Name the user (ci-deploy) or give its ARN "
        "(arn:aws:iam::123456789012:user/ci-deploy).",
    )


def _matching(users: list[User], reference: str, account: str | None, source: str) -> list[User]:
    if reference.startswith("arn:"):
        found = [u for u in users if u.arn == reference]
    else:
        # IAM user names are unique per account regardless of case.
        found = [u for u in users if u.name.lower() == reference.lower()]
    if account is not None:
        found = [u for u in found if u.account_id == account]
    if not found:
        where = f" in account {account}" if account else ""
        raise ConfigError(f"no IAM user {quoted(reference)}{where} in the inventory", where=source)
    return found
