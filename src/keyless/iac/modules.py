"""Community modules read by their inputs, where what they create is plainly visible.

A remote module's code is not in the repository, but for a few widely used modules the
trust policy follows directly from the inputs of the call: judging those inputs catches
the loose subject list in the pull request that writes it. Each entry names the module
version whose code it follows; anything else a module might create is not claimed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from keyless.iac import modules_eks, modules_oidc, modules_unfollowed, modules_unfunco
from keyless.iac.model import (
    DEPLOYING_ACCOUNT,
    IacResource,
    ResourceKind,
    SourceKind,
    module_role,
)
from keyless.iac.module_switches import SwitchNotKnown, switch
from keyless.iac.partitions import Partition
from keyless.iac.tfversions import (
    admits_a_major,
    parse_constraint,
    pinned_prerelease,
    unread_reason,
    unread_version,
)
from keyless.iac.values import Node, Position, Unknown, mapping

# terraform-aws-modules/iam/aws//modules/iam-github-oidc-role (5.x): a role trusting the
# GitHub provider of the deploying account for `sts.amazonaws.com` and the subjects given,
# each prefixed with `repo:` (a leading `repo:` is stripped first) under StringLike.
# https://registry.terraform.io/modules/terraform-aws-modules/iam/aws/latest/submodules/iam-github-oidc-role
_GITHUB_OIDC_ROLE = re.compile(
    r"^(registry\.terraform\.io/)?terraform-aws-modules/iam/aws//modules/iam-github-oidc-role$"
)
_GITHUB = "token.actions.githubusercontent.com"
#: 6.x merged iam-github-oidc-role into iam-role ("iam-github-oidc-role has been merged into
#: iam-role", docs/UPGRADE-6.0.md): a call whose constraint admits no 5.x installs nothing.
_GITHUB_OIDC_ROLE_MAJORS = (5,)


# terraform-aws-modules/iam/aws//modules/iam-user: an IAM user, and in 5.x a console
# password and an access key unless turned off (create_iam_user_login_profile,
# create_iam_access_key, both true by default). 6.x renamed the switches
# (create_login_profile, create_access_key): there only an explicit true is claimed.
# https://registry.terraform.io/modules/terraform-aws-modules/iam/aws/latest/submodules/iam-user
_IAM_USER = re.compile(
    r"^(registry\.terraform\.io/)?terraform-aws-modules/iam/aws//modules/iam-user$"
)
#: The first major version with the 6.x switches: ``terraform init`` installs the newest
#: release a constraint admits, so one admitting a 6.x release gets 6.x's.
_RENAMED_SWITCHES = 6


# terraform-aws-modules/iam/aws//modules/iam-role (6.x) with `enable_github_oidc = true`:
# one statement trusting the GitHub provider of the deploying account (`github_provider`),
# ForAllValues:StringEquals iss and aud (`oidc_audiences`, else sts.amazonaws.com),
# StringEquals sub for `oidc_subjects` and StringLike sub for `oidc_wildcard_subjects`
# (each prefixed with `repo:`), and the `trust_policy_conditions`. Its other statements
# (generic OIDC, Bitbucket, SAML, `trust_policy_permissions`) are not read: a role that
# enables one is left not judged.
# https://github.com/terraform-aws-modules/terraform-aws-iam/blob/master/modules/iam-role/main.tf
_IAM_ROLE = re.compile(
    r"^(registry\.terraform\.io/)?terraform-aws-modules/iam/aws//modules/iam-role$"
)
#: iam-role is 6.x's ("iam-assumable-role has been renamed to iam-role", docs/UPGRADE-6.0.md):
#: a call whose constraint admits no 6.x release installs nothing.
_IAM_ROLE_MAJORS = (6,)
_OTHER_TRUST = ("enable_oidc", "enable_bitbucket_oidc", "enable_saml")


def resources_from_module(
    source: str,
    version: str | None,
    inputs: Mapping[str, Node],
    address: str,
    path: Path,
    position: Position,
    partition: Partition | None = None,
) -> list[IacResource] | None:
    """What a known module creates from ``inputs`` (``version`` is the call's version
    constraint, if any; ``partition`` the one the code deploys to, if it says), or None
    for other modules."""
    if _IAM_USER.match(source):
        return _iam_user(version, inputs, address, path, position)
    if modules_eks.IRSA_ROLE.match(source):
        return modules_eks.irsa_role(version, inputs, address, path, position)
    if modules_oidc.OIDC_ROLE.match(source):
        return modules_oidc.oidc_role(version, inputs, address, path, position)
    if modules_unfunco.OIDC_GITHUB.match(source):
        return modules_unfunco.oidc_github(version, inputs, address, path, position, partition)
    if _IAM_ROLE.match(source):
        admitted = None if version is None else admits_a_major(version, _IAM_ROLE_MAJORS)
        if admitted is False:
            return None  # 5.x and older have no such submodule: a note
        role = _iam_role(inputs, address, path, position)
        if role is not None and version is not None and admitted is None:
            role = replace(role, trust=unread_version(version, position))
        return None if role is None else [role]
    unfollowed = modules_unfollowed.unfollowed_roles(
        source, version, inputs, address, path, position
    )
    if unfollowed is not None:
        return unfollowed
    admitted = None
    if _GITHUB_OIDC_ROLE.match(source) and version is not None:
        admitted = admits_a_major(version, _GITHUB_OIDC_ROLE_MAJORS)
        if admitted is False:
            return None  # not a version that has the module: not read (a note)
    role = role_from_module(source, inputs, address, path, position)
    if role is not None and version is not None and admitted is None:
        role = replace(role, trust=unread_version(version, position))
    return None if role is None else [role]


def _iam_user(
    version: str | None, inputs: Mapping[str, Node], address: str, path: Path, position: Position
) -> list[IacResource]:
    constraint = None if version is None else parse_constraint(version)
    if version is not None and (constraint is None or pinned_prerelease(version) is not None):
        # Which switches the installed release reads is not known: what it creates is,
        # when both majors' switches agree; otherwise the call is not read.
        made = _iam_user_made(inputs, five=True)
        if made != _iam_user_made(inputs, five=False):
            raise SwitchNotKnown("version", version, unread_reason(version))
    else:
        five = constraint is not None and not constraint.admits_from_major(_RENAMED_SWITCHES)
        made = _iam_user_made(inputs, five=five)
    name_node = inputs.get("name")
    name = name_node.value if name_node is not None and isinstance(name_node.value, str) else None
    return [
        IacResource(
            kind=kind,
            address=f"{address}.{kind_type}.{label}[0]",
            type=kind_type,
            path=path,
            position=position,
            source=SourceKind.TERRAFORM,
            name=name,
        )
        for kind, kind_type, label in made
    ]


def _iam_user_made(
    inputs: Mapping[str, Node], *, five: bool
) -> list[tuple[ResourceKind, str, str]]:
    """What the iam-user module creates with 5.x's switches (``five``) or 6.x's."""

    def on(name: str, default: bool) -> bool:
        return switch(inputs, name, default)

    if not on("create_user" if five else "create", True):
        return []
    made = [(ResourceKind.USER, "aws_iam_user", "this")]
    if on("create_iam_user_login_profile" if five else "create_login_profile", five):
        made.append((ResourceKind.LOGIN_PROFILE, "aws_iam_user_login_profile", "this"))
    if on("create_iam_access_key" if five else "create_access_key", five):
        made.append((ResourceKind.ACCESS_KEY, "aws_iam_access_key", "this"))
    return made


def _iam_role(
    inputs: Mapping[str, Node], address: str, path: Path, position: Position
) -> IacResource | None:
    """The 6.x iam-role module's role when it trusts GitHub (else None: not read)."""
    if not switch(inputs, "enable_github_oidc", False) or not switch(inputs, "create", True):
        return None
    trust = _github_oidc_statement_document(inputs, position)
    name = inputs.get("name")
    subjects = inputs.get("oidc_wildcard_subjects") or inputs.get("oidc_subjects")
    where = subjects.position if subjects is not None else position
    return _module_role(address, path, position, name, trust, where)


def _github_oidc_statement_document(inputs: Mapping[str, Node], position: Position) -> Node:
    for other in _OTHER_TRUST:
        given = inputs.get(other)
        if given is not None and given.value is not False:
            reason = f"{other}: the module's other trust statements are not read"
            return Node(Unknown(f"module input {other}", reason, given.position), position)
    others = inputs.get("trust_policy_permissions")
    if others is not None and others.value not in (None, ()) and others.value != {}:
        reason = "the module's trust_policy_permissions are not read"
        return Node(Unknown("trust_policy_permissions", reason, others.position), position)
    provider = inputs.get("github_provider") or Node(_GITHUB, position)
    audiences = inputs.get("oidc_audiences") or Node((), position)
    exact = inputs.get("oidc_subjects") or Node((), position)
    wildcard = inputs.get("oidc_wildcard_subjects") or Node((), position)
    extra = inputs.get("trust_policy_conditions") or Node((), position)
    for node in (provider, audiences, exact, wildcard, extra):
        if isinstance(node.value, Unknown):
            return node
    if not isinstance(provider.value, str) or not all(
        isinstance(n.value, tuple) for n in (audiences, exact, wildcard, extra)
    ):
        unknown = Unknown(
            "module inputs", "github_provider or a list input not understood", position
        )
        return Node(unknown, position)
    host = provider.value
    blocks: dict[str, dict[str, Node]] = {
        "ForAllValues:StringEquals": {
            f"{host}:iss": Node(f"https://{host}", position),
            f"{host}:aud": audiences
            if audiences.value
            else Node((Node("sts.amazonaws.com", position),), position),
        }
    }
    for operator, subjects in (("StringEquals", exact), ("StringLike", wildcard)):
        if subjects.value:
            prefixed = _prefixed_subjects(subjects)
            if isinstance(prefixed.value, Unknown):
                return prefixed
            blocks[operator] = {f"{host}:sub": prefixed}
    for condition in _as_tuple(extra):
        fields: Mapping[str, Node] = condition.value if isinstance(condition.value, Mapping) else {}
        test, variable, values = (fields.get(k) for k in ("test", "variable", "values"))
        if not (
            test is not None
            and isinstance(test.value, str)
            and variable is not None
            and isinstance(variable.value, str)
            and values is not None
            and not isinstance(values.value, Unknown)
        ):
            unknown = Unknown(
                "trust_policy_conditions", "a condition not understood", condition.position
            )
            return Node(unknown, condition.position)
        merged = blocks.setdefault(test.value, {})
        if variable.value in merged:
            # Same test and variable: the data source adds the values together.
            before = merged[variable.value]
            joined = (*_as_tuple(before), *_as_tuple(values))
            merged[variable.value] = Node(joined, values.position)
        else:
            merged[variable.value] = values
    operators = mapping({op: Node(mapping(keys), position) for op, keys in blocks.items()})
    return _github_document(host, Node(operators, position), position)


def _as_tuple(node: Node) -> tuple[Node, ...]:
    return node.value if isinstance(node.value, tuple) else (node,)


def _prefixed_subjects(subjects: Node) -> Node:
    """Each subject with `repo:` written before it (a leading `repo:` stripped first), as
    the modules do; a stand-in keeps the prefix too."""
    values = []
    for subject in _as_tuple(subjects):
        held = subject.value
        if isinstance(held, Unknown):
            values.append(Node(_repo_prefixed(held), subject.position))
            continue
        if not isinstance(held, str):
            return subject
        values.append(Node(f"repo:{held.removeprefix('repo:')}", subject.position))
    return Node(tuple(values), subjects.position)


def _repo_prefixed(held: Unknown) -> Unknown:
    """An unknown subject as the modules write it, ``repo:`` before it: its stand-in too,
    ending with a name when the subject is a name alone (``subjects = [var.repo]``: its
    value may be ``acme/app:ref:refs/heads/main``). A stand-in starting with ``repo:``
    has none: the module strips a leading ``repo:`` of the value, but the stand-in's may
    be a name's (``"${var.repo}:*"`` stands as ``repo:*``), and stripping it would judge
    a pattern the code never writes."""
    stand_in = held.stand_in
    if stand_in is None or stand_in.startswith("repo:"):
        return Unknown(held.expression, held.reason, held.position)
    alone = not any(c in stand_in for c in ":/*?")
    return Unknown(
        held.expression,
        held.reason,
        held.position,
        f"repo:{stand_in}",
        open_ended=held.open_ended or alone,
    )


def role_from_module(
    source: str, inputs: Mapping[str, Node], address: str, path: Path, position: Position
) -> IacResource | None:
    """The role a known module creates from ``inputs``, or None for other modules."""
    if not _GITHUB_OIDC_ROLE.match(source):
        return None
    if not switch(inputs, "create", True):
        return None
    provider = inputs.get("provider_url") or Node(_GITHUB, position)
    audience = inputs.get("audience") or Node("sts.amazonaws.com", position)
    subjects = inputs.get("subjects") or Node((), position)
    name = inputs.get("name")
    trust = _github_trust(provider, audience, subjects, position)
    return _module_role(address, path, position, name, trust, subjects.position)


def _module_role(
    address: str, path: Path, position: Position, name: Node | None, trust: Node, where: Position
) -> IacResource:
    """The role (``aws_iam_role.this[0]``) a module call creates, its trust policy read at
    ``where``."""
    return module_role(f"{address}.aws_iam_role.this[0]", path, position, name, trust, where)


def _github_trust(provider: Node, audience: Node, subjects: Node, position: Position) -> Node:
    for node in (provider, audience, subjects):
        if isinstance(node.value, Unknown):
            return node
    if not isinstance(provider.value, str) or not isinstance(subjects.value, tuple):
        unknown = Unknown("module inputs", "provider_url or subjects not understood", position)
        return Node(unknown, position)
    host = provider.value.removeprefix("https://")
    values = []
    for subject in subjects.value:
        held = subject.value
        if isinstance(held, Unknown):
            # The module writes `repo:` before it: so does the stand-in.
            values.append(Node(_repo_prefixed(held), subject.position))
            continue
        if not isinstance(subject.value, str):
            return subject
        values.append(Node(f"repo:{subject.value.removeprefix('repo:')}", subject.position))
    condition = mapping(
        {
            "StringEquals": Node(mapping({f"{host}:aud": audience}), audience.position),
            "StringLike": Node(
                mapping({f"{host}:sub": Node(tuple(values), subjects.position)}),
                subjects.position,
            ),
        }
    )
    return _github_document(host, Node(condition, position), position)


def _github_document(host: str, condition: Node, position: Position) -> Node:
    """The trust policy both modules write: one statement letting the deploying account's
    provider for ``host`` assume the role (and tag the session) under ``condition``."""
    arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:oidc-provider/{host}"
    statement = {
        "Sid": Node("GithubOidcAuth", position),
        "Effect": Node("Allow", position),
        "Action": Node(
            (Node("sts:TagSession", position), Node("sts:AssumeRoleWithWebIdentity", position)),
            position,
        ),
        "Principal": Node(mapping({"Federated": Node(arn, position)}), position),
        "Condition": condition,
    }
    document = {
        "Version": Node("2012-10-17", position),
        "Statement": Node((Node(mapping(statement), position),), position),
    }
    return Node(mapping(document), position)
