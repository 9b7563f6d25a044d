"""unfunco/oidc-github/aws (0.6.0 to 2.0.2), read by its inputs and its version: a GitHub
Actions provider and role, much called from the registry.

Its trust policy (``data.tf``) changed between releases, so the release the call installs
decides it (:mod:`keyless.iac.tfversions`: the newest its ``version`` admits). One
statement: ``Federated`` the GitHub provider of the deploying account (the module's own,
or the one ``create_oidc_provider = false`` looks up), ``StringLike`` on ``:sub`` one value
per entry of ``github_repositories``:

- 0.6.x: ``repo:ENTRY:*``;
- from 0.7.0: ``repo:ENTRY`` when the entry holds a ``:``, else ``repo:ENTRY:*`` (every
  branch, tag, environment and pull request of the repository);
- from 1.2.1, ``StringEquals`` on ``:aud``: ``sts.amazonaws.com`` (in 2.x
  ``sts.`` + the partition's DNS suffix: ``sts.amazonaws.com.cn`` where the AWS provider's
  region is China's), and from 1.6.0 ``additional_audiences`` after it.

The role exists unless ``enabled = false`` (before 2.0.0) or ``create = false`` /
``create_iam_role = false`` (2.x); the provider it creates (``create_oidc_provider``, true
by default) lists ``https://github.com/OWNER`` for each owner of the repositories, and
``sts.amazonaws.com``.
https://github.com/unfunco/terraform-aws-oidc-github/blob/v1.7.1/data.tf
https://github.com/unfunco/terraform-aws-oidc-github/blob/v2.0.2/data.tf
https://github.com/unfunco/terraform-aws-oidc-github/blob/v2.0.2/CHANGELOG.md

Not judged (the role is reported, exit 3): a call without ``version`` or one admitting a
release after 2.0.2 (those renamed ``github_repositories`` to ``github_subjects`` and write
``ref:refs/heads/main`` after a bare repository, in code keyless has not followed), a
release before 0.6.0 (``github_organisation``), and ``enterprise_slug`` (the provider of
an enterprise's own issuer, whose condition keys the module does not rename).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from keyless.iac.model import (
    DEPLOYING_ACCOUNT,
    IacResource,
    ResourceKind,
    SourceKind,
    module_role,
)
from keyless.iac.module_switches import switch
from keyless.iac.partitions import Partition
from keyless.iac.tfversions import (
    Version,
    parse_constraint,
    pinned_prerelease,
    unread_version,
)
from keyless.iac.values import Node, Position, Unknown, mapping

OIDC_GITHUB = re.compile(r"^(registry\.terraform\.io/)?unfunco/oidc-github/aws$")
_HOST = "token.actions.githubusercontent.com"
_PROVIDER_ARN = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:oidc-provider/{_HOST}"
_STS = "sts.amazonaws.com"
#: Every release up to 2.0.2, from the module's CHANGELOG.md: Terraform installs the newest
#: the constraint admits.
RELEASES: tuple[Version, ...] = (
    (0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 2, 0), (0, 3, 0), (0, 4, 0), (0, 4, 1),
    (0, 5, 0), (0, 6, 0), (0, 6, 1), (0, 7, 0), (0, 8, 0), (1, 0, 0), (1, 1, 0),
    (1, 1, 1), (1, 2, 0), (1, 2, 1), (1, 3, 0), (1, 3, 1), (1, 4, 0), (1, 5, 0),
    (1, 5, 1), (1, 5, 2), (1, 6, 0), (1, 7, 0), (1, 7, 1), (1, 8, 0), (1, 8, 1),
    (2, 0, 0), (2, 0, 1), (2, 0, 2),
)  # fmt: skip
_FOLLOWED = ((0, 6, 0), (2, 0, 2))
_LATER = (
    "releases after 2.0.2 write another trust policy (github_subjects, "
    "ref:refs/heads/main after a bare repository), in code keyless does not follow"
)


def oidc_github(
    version: str | None,
    inputs: Mapping[str, Node],
    address: str,
    path: Path,
    position: Position,
    partition: Partition | None = None,
) -> list[IacResource]:
    """The provider and role the call creates; the role's trust is unknown, with why,
    when the release installed is not one whose code this follows. ``partition`` (the
    code's, if it says) gives 2.x its STS audience."""
    release = _release(version, position)
    if isinstance(release, Node):
        return [_role(address, path, position, inputs, release, release.position)]
    if not _switch(inputs, "enabled" if release < (2, 0, 0) else "create"):
        return []
    repositories = inputs.get("github_repositories") or Node((), position)
    sts = _sts(release, partition, position)
    made = []
    if _switch(inputs, "create_oidc_provider"):
        made.append(_provider(address, path, position, repositories, sts))
    if release < (2, 0, 0) or _switch(inputs, "create_iam_role"):
        trust = _document(release, inputs, repositories, sts, position)
        made.append(_role(address, path, position, inputs, trust, repositories.position))
    return made


def _release(version: str | None, position: Position) -> Version | Node:
    """The release ``terraform init`` installs for ``version``, or why it is not known."""
    if version is None:
        reason = f"no version: the latest release is installed, and {_LATER}"
        return Node(Unknown("module version", reason, position), position)
    constraint = parse_constraint(version)
    if constraint is None or pinned_prerelease(version) is not None:
        return unread_version(version, position)
    if constraint.admits_newer_than(RELEASES[-1]):
        reason = f"version {version!r} admits a release after 2.0.2, and {_LATER}"
        return Node(Unknown("module version", reason, position), position)
    release = constraint.newest(RELEASES)
    if release is None or not _FOLLOWED[0] <= release <= _FOLLOWED[1]:
        named = "no release" if release is None else ".".join(map(str, release))
        reason = (
            f"version {version!r} installs {named}, whose trust policy keyless does not "
            "follow (it follows 0.6.0 to 2.0.2)"
        )
        return Node(Unknown("module version", reason, position), position)
    return release


def _switch(inputs: Mapping[str, Node], name: str) -> bool:
    """A boolean input whose default is true (:func:`keyless.iac.module_switches.switch`:
    one not known raises, the call not read)."""
    return switch(inputs, name, True)


def _sts(release: Version, partition: Partition | None, position: Position) -> Node:
    """The STS audience the release writes: ``sts.amazonaws.com``; from 2.0.0 ``sts.`` and
    the partition's DNS suffix (``data.aws_partition``), ``aws``'s when the code does not
    say which."""
    if release < (2, 0, 0) or partition is None:
        return Node(_STS, position)
    if partition.dns_suffix is None:
        reason = f"the DNS suffix of {partition.name} is not known to keyless"
        return Node(Unknown("data.aws_partition.this[0].dns_suffix", reason, position), position)
    return Node(f"sts.{partition.dns_suffix}", position, (partition.note,))


def _document(
    release: Version, inputs: Mapping[str, Node], repositories: Node, sts: Node, position: Position
) -> Node:
    slug = inputs.get("enterprise_slug")
    if release >= (1, 5, 0) and slug is not None and slug.value != "":
        reason = "enterprise_slug: the provider of an enterprise's own issuer is not read"
        return Node(Unknown("module input enterprise_slug", reason, slug.position), position)
    if isinstance(repositories.value, Unknown):
        return repositories
    if not isinstance(repositories.value, tuple):
        return _unknown("github_repositories not understood", repositories.position)
    subjects = []
    for entry in repositories.value:
        if not isinstance(entry.value, str):
            return (
                entry
                if isinstance(entry.value, Unknown)
                else _unknown("github_repositories not understood", entry.position)
            )
        pinned = release >= (0, 7, 0) and ":" in entry.value
        subjects.append(Node(f"repo:{entry.value}{'' if pinned else ':*'}", entry.position))
    operators = {
        "StringLike": Node(
            mapping({f"{_HOST}:sub": Node(tuple(subjects), repositories.position)}), position
        )
    }
    if release >= (1, 2, 1):
        audiences = _audiences(release, inputs, sts, position)
        if isinstance(audiences.value, Unknown):
            return audiences
        operators["StringEquals"] = Node(mapping({f"{_HOST}:aud": audiences}), position)
    statement = {
        "Effect": Node("Allow", position),
        "Action": Node("sts:AssumeRoleWithWebIdentity", position),
        "Principal": Node(mapping({"Federated": Node(_PROVIDER_ARN, position)}), position),
        "Condition": Node(mapping(operators), position),
    }
    document = {
        "Version": Node("2012-10-17", position),
        "Statement": Node((Node(mapping(statement), position),), position),
    }
    return Node(mapping(document), position)


def _audiences(release: Version, inputs: Mapping[str, Node], sts: Node, position: Position) -> Node:
    if isinstance(sts.value, Unknown):
        return sts
    extra = inputs.get("additional_audiences")
    if release < (1, 6, 0) or extra is None or extra.value is None:
        return Node((sts,), position)
    if isinstance(extra.value, Unknown):
        return extra
    if not isinstance(extra.value, tuple):
        return _unknown("additional_audiences not understood", extra.position)
    return Node((sts, *extra.value), extra.position)


def _provider(
    address: str, path: Path, position: Position, repositories: Node, sts: Node
) -> IacResource:
    audiences: tuple[str, ...] | None = None
    entries = repositories.value if isinstance(repositories.value, tuple) else None
    known = entries is not None and all(isinstance(e.value, str) for e in entries)
    if entries is not None and known and isinstance(sts.value, str):
        owners = sorted({str(e.value).split("/", 1)[0] for e in entries})
        audiences = (*(f"https://github.com/{owner}" for owner in owners), sts.value)
    return IacResource(
        kind=ResourceKind.OIDC_PROVIDER,
        address=f"{address}.aws_iam_openid_connect_provider.github[0]",
        type="aws_iam_openid_connect_provider",
        path=path,
        position=position,
        source=SourceKind.TERRAFORM,
        provider_arn=_PROVIDER_ARN,
        audiences=audiences,
    )


def _role(
    address: str,
    path: Path,
    position: Position,
    inputs: Mapping[str, Node],
    trust: Node,
    where: Position,
) -> IacResource:
    github = f"{address}.aws_iam_role.github[0]"
    return module_role(github, path, position, inputs.get("iam_role_name"), trust, where)


def _unknown(reason: str, at: Position) -> Node:
    return Node(Unknown("module inputs", reason, at), at)
