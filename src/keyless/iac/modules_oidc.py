"""terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc (4.x, 5.x), read
by its inputs: the module many GitHub Actions and EKS (IRSA) roles were written with.

Its trust policy (``main.tf``) has one statement per provider URL (``provider_urls`` then
``provider_url``, without ``https://``, duplicates and empty ones dropped): ``Federated``
the provider of that URL in ``aws_account_id`` (else the deploying account), and on the
URL's claims ``:sub`` ``StringEquals`` ``oidc_fully_qualified_subjects``, ``:sub``
``StringLike`` ``oidc_subjects_with_wildcards`` and ``:aud`` ``StringLike``
``oidc_fully_qualified_audiences`` — each only when given. The role is created only with
``create_role = true`` (its default is false).
https://github.com/terraform-aws-modules/terraform-aws-iam/blob/v5.39.0/modules/iam-assumable-role-with-oidc/main.tf

Its statement letting the role assume itself (``allow_self_assume_role``, earlier
``explicit_permission_to_assume_self``) changed across versions and is not read: a call
that turns it on is left not judged. A provider URL the code does not decide
(``module.eks.cluster_oidc_issuer_url``, ``module.iam_github_oidc_provider.url``) stands
for GitHub's issuer when every subject is GitHub's (``repo:…``) and for an EKS cluster's
when every subject is a service account's (``system:serviceaccount:…``), as for the IRSA
module (:mod:`keyless.iac.modules_eks`): what the subjects admit holds for any such
issuer, and a pinned role is left not judged. Otherwise the role is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from keyless.iac.model import DEPLOYING_ACCOUNT, IacResource, ResourceKind, SourceKind
from keyless.iac.module_switches import switch
from keyless.iac.own_resources import eks_issuer
from keyless.iac.partitions import provider_arn
from keyless.iac.tfversions import admits_a_major, unread_version
from keyless.iac.values import Node, Position, Unknown, mapping

OIDC_ROLE = re.compile(
    r"^(registry\.terraform\.io/)?terraform-aws-modules/iam/aws//modules/"
    r"iam-assumable-role-with-oidc$"
)
#: The submodule's inputs as read here are those of 4.x and 5.x; 6.x removed it, so a call
#: without a version, or one whose constraint admits 5.x and 6.x, can only create the role
#: with one of those (``terraform init`` fails on a release without the submodule).
_FOLLOWED_MAJORS = (4, 5)
_SELF = ("allow_self_assume_role", "explicit_permission_to_assume_self")
_SERVICE_ACCOUNT = "system:serviceaccount:"
_GITHUB = "token.actions.githubusercontent.com"


def oidc_role(
    version: str | None, inputs: Mapping[str, Node], address: str, path: Path, position: Position
) -> list[IacResource] | None:
    """The role the module creates (none unless ``create_role = true``), or None when the
    call's version is not one whose code this follows."""
    admitted = None if version is None else admits_a_major(version, _FOLLOWED_MAJORS)
    if admitted is False:
        return None
    if not switch(inputs, "create_role", False):
        return []
    name = inputs.get("role_name")
    subjects = inputs.get("oidc_subjects_with_wildcards") or inputs.get(
        "oidc_fully_qualified_subjects"
    )
    role = IacResource(
        kind=ResourceKind.ROLE,
        address=f"{address}.aws_iam_role.this[0]",
        type="aws_iam_role",
        path=path,
        position=position,
        source=SourceKind.TERRAFORM,
        name=name.value if name is not None and isinstance(name.value, str) else None,
        trust=_document(inputs, address, position)
        if version is None or admitted
        else unread_version(version, position),
        trust_position=subjects.position if subjects is not None else position,
    )
    return [role]


def _document(inputs: Mapping[str, Node], address: str, position: Position) -> Node:
    for self_assume in _SELF:
        given = inputs.get(self_assume)
        if given is not None and given.value is not False:
            reason = f"{self_assume}: the module's statement for the role itself is not read"
            return Node(Unknown(f"module input {self_assume}", reason, given.position), position)
    lists: dict[str, tuple[Node, ...]] = {}
    for key in (
        "provider_urls",
        "oidc_fully_qualified_subjects",
        "oidc_subjects_with_wildcards",
        "oidc_fully_qualified_audiences",
    ):
        given = inputs.get(key)
        if given is None:
            lists[key] = ()
            continue
        if isinstance(given.value, Unknown):
            return given
        items = given.value if isinstance(given.value, tuple) else None
        if items is None or any(isinstance(i.value, Unknown) for i in items):
            return _unknown(f"{key} not understood", given.position)
        lists[key] = items
    single = inputs.get("provider_url")
    account_node = inputs.get("aws_account_id")
    account = DEPLOYING_ACCOUNT
    if account_node is not None:
        if not isinstance(account_node.value, str):
            return (
                account_node
                if isinstance(account_node.value, Unknown)
                else _unknown("aws_account_id not understood", account_node.position)
            )
        account = account_node.value or DEPLOYING_ACCOUNT
    urls: list[Node] = [*lists["provider_urls"], *([single] if single is not None else [])]
    subjects = (*lists["oidc_fully_qualified_subjects"], *lists["oidc_subjects_with_wildcards"])
    statements: list[Node] = []
    seen: set[str] = set()
    for url in urls:
        held = url.value
        if isinstance(held, str):
            host = held.replace("https://", "")
            federated = Node(provider_arn(account, host), url.position)
        elif isinstance(held, Unknown) and held.stand_in is None and _all(subjects, "repo:"):
            host = _GITHUB  # GitHub's subjects: what they admit holds for its issuers
            federated = url  # stands for the provider of the issuer its keys name
        elif (
            isinstance(held, Unknown) and held.stand_in is None and _all(subjects, _SERVICE_ACCOUNT)
        ):
            host = eks_issuer(f"{address}:{held.expression}").removeprefix("https://")
            federated = url
        else:
            return (
                url
                if isinstance(held, Unknown)
                else _unknown("provider_url not understood", url.position)
            )
        if not host or host in seen:
            continue  # compact(distinct(...))
        seen.add(host)
        statements.append(_statement(host, federated, lists, url.position))
    document = {
        "Version": Node("2012-10-17", position),
        "Statement": Node(tuple(statements), position),
    }
    return Node(mapping(document), position)


def _statement(
    host: str, federated: Node, lists: Mapping[str, tuple[Node, ...]], at: Position
) -> Node:
    blocks: dict[str, dict[str, Node]] = {}
    for key, test, claim in (
        ("oidc_fully_qualified_subjects", "StringEquals", "sub"),
        ("oidc_subjects_with_wildcards", "StringLike", "sub"),
        ("oidc_fully_qualified_audiences", "StringLike", "aud"),
    ):
        values = lists[key]
        if values:
            blocks.setdefault(test, {})[f"{host}:{claim}"] = Node(values, values[0].position)
    statement: dict[str, Node] = {
        "Effect": Node("Allow", at),
        "Action": Node("sts:AssumeRoleWithWebIdentity", at),
        "Principal": Node(mapping({"Federated": federated}), federated.position),
    }
    if blocks:
        operators = {test: Node(mapping(keys), at) for test, keys in blocks.items()}
        statement["Condition"] = Node(mapping(operators), at)
    return Node(mapping(statement), at)


def _all(subjects: tuple[Node, ...], prefix: str) -> bool:
    """Every subject is known and starts with ``prefix`` (there is one at least)."""
    return bool(subjects) and all(
        isinstance(s.value, str) and s.value.startswith(prefix) for s in subjects
    )


def _unknown(reason: str, at: Position) -> Node:
    return Node(Unknown("module inputs", reason, at), at)
