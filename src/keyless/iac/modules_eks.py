"""terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks (4.x, 5.x),
read by its inputs: the IRSA role most EKS users create from the registry.

Its trust policy (``main.tf`` of the 5.x module) has one statement per entry of
``oidc_providers`` (in key order, as ``for_each`` over a map goes): ``Federated`` the
entry's ``provider_arn``, and under ``assume_role_condition_test`` (``StringEquals`` by
default) the issuer's ``:sub`` pinned to ``system:serviceaccount:`` + each of
``namespace_service_accounts`` and its ``:aud`` to ``sts.amazonaws.com``; the issuer is
the ARN without its ``…provider/`` head. With ``allow_self_assume_role`` a statement lets
the role assume itself (``aws:PrincipalArn`` ``ArnLike`` its own ARN).
https://github.com/terraform-aws-modules/terraform-aws-iam/blob/v5.39.0/modules/iam-role-for-service-accounts-eks/main.tf

A ``provider_arn`` the code does not decide (``module.eks.oidc_provider_arn``, the usual
call) stands for an EKS cluster's provider in the deploying account, as any unknown
``Federated`` principal stands for the issuer its condition keys name: what the module's
subjects admit (a namespace's every service account) holds for any cluster, and a role
pinned to named service accounts is left not judged rather than called clean.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from keyless.iac.model import DEPLOYING_ACCOUNT, IacResource, module_role
from keyless.iac.module_switches import switch
from keyless.iac.own_resources import eks_issuer
from keyless.iac.tfversions import admits_a_major, unread_version
from keyless.iac.values import Node, Position, Unknown, mapping

IRSA_ROLE = re.compile(
    r"^(registry\.terraform\.io/)?terraform-aws-modules/iam/aws//modules/"
    r"iam-role-for-service-accounts-eks$"
)
#: The submodule is in 4.x and 5.x (6.x renamed it): a call without a version, or one
#: whose constraint admits 5.x and 6.x, can only create the role with those
#: (``terraform init`` fails on a release without the submodule).
_FOLLOWED_MAJORS = (4, 5)
_HEAD = re.compile(r"^(.*provider/)")


def irsa_role(
    version: str | None, inputs: Mapping[str, Node], address: str, path: Path, position: Position
) -> list[IacResource] | None:
    """The role the module creates (none with ``create_role = false``), or None when the
    call's version is not one whose code this follows."""
    admitted = None if version is None else admits_a_major(version, _FOLLOWED_MAJORS)
    if admitted is False:
        return None
    if not switch(inputs, "create_role", True):
        return []
    name = inputs.get("role_name")
    if version is None or admitted:
        trust = _document(inputs, address, position)
    else:
        trust = unread_version(version, position)
    providers = inputs.get("oidc_providers")
    where = providers.position if providers is not None else position
    return [module_role(f"{address}.aws_iam_role.this[0]", path, position, name, trust, where)]


def _document(inputs: Mapping[str, Node], address: str, position: Position) -> Node:
    """The module's trust policy, or the unknown input it depends on."""
    test = inputs.get("assume_role_condition_test") or Node("StringEquals", position)
    providers = inputs.get("oidc_providers") or Node(mapping({}), position)
    for node in (test, providers):
        if isinstance(node.value, Unknown):
            return node
    if not isinstance(test.value, str) or not isinstance(providers.value, Mapping):
        unknown = Unknown("module inputs", "oidc_providers not understood", position)
        return Node(unknown, position)
    statements: list[Node] = []
    self_assume = inputs.get("allow_self_assume_role")
    if self_assume is not None and self_assume.value is not False:
        made = _self_statement(inputs, self_assume)
        if isinstance(made.value, Unknown):
            return made
        statements.append(made)
    for key in sorted(providers.value):
        made = _provider_statement(providers.value[key], test.value, f"{address}[{key}]")
        if isinstance(made.value, Unknown):
            return made
        statements.append(made)
    document = {
        "Version": Node("2012-10-17", position),
        "Statement": Node(tuple(statements), providers.position),
    }
    return Node(mapping(document), position)


def _provider_statement(entry: Node, test: str, where: str) -> Node:
    """One provider's statement; an unknown provider ARN keeps its place (it stands for
    the issuer of the keys, an EKS cluster's written for ``where``)."""
    at = entry.position
    fields = entry.value if isinstance(entry.value, Mapping) else None
    if fields is None:
        return entry if isinstance(entry.value, Unknown) else _unknown(at)
    provider = fields.get("provider_arn")
    accounts = fields.get("namespace_service_accounts")
    if provider is None or accounts is None:
        return _unknown(at)
    if isinstance(accounts.value, Unknown):
        return accounts
    if isinstance(provider.value, str):
        issuer = _HEAD.sub("", provider.value, count=1)
    elif isinstance(provider.value, Unknown) and provider.value.stand_in is None:
        issuer = eks_issuer(where).removeprefix("https://")
    else:
        return _unknown(at)
    subjects: list[Node] = []
    for account in accounts.value if isinstance(accounts.value, tuple) else ():
        if not isinstance(account.value, str):
            return account if isinstance(account.value, Unknown) else _unknown(account.position)
        subjects.append(Node(f"system:serviceaccount:{account.value}", account.position))
    keys = {
        f"{issuer}:sub": Node(tuple(subjects), accounts.position),
        f"{issuer}:aud": Node((Node("sts.amazonaws.com", at),), at),
    }
    statement = {
        "Effect": Node("Allow", at),
        "Action": Node("sts:AssumeRoleWithWebIdentity", at),
        "Principal": Node(mapping({"Federated": provider}), provider.position),
        "Condition": Node(mapping({test: Node(mapping(keys), at)}), accounts.position),
    }
    return Node(mapping(statement), at)


def _self_statement(inputs: Mapping[str, Node], switch: Node) -> Node:
    """The statement letting the role assume itself (by its ARN, in the deploying account)."""
    at = switch.position
    if switch.value is not True:
        return _unknown(at)
    path = inputs.get("role_path") or Node("/", at)
    name = inputs.get("role_name")
    prefix = inputs.get("role_name_prefix")
    if name is not None and isinstance(name.value, str):
        own = name.value
    elif name is None and prefix is not None and isinstance(prefix.value, str):
        own = f"{prefix.value}*"
    else:
        return _unknown(at)
    if not isinstance(path.value, str):
        return _unknown(at)
    arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:role{path.value}{own}"
    statement = {
        "Sid": Node("ExplicitSelfRoleAssumption", at),
        "Effect": Node("Allow", at),
        "Action": Node("sts:AssumeRole", at),
        "Principal": Node(mapping({"AWS": Node("*", at)}), at),
        "Condition": Node(
            mapping({"ArnLike": Node(mapping({"aws:PrincipalArn": Node(arn, at)}), at)}), at
        ),
    }
    return Node(mapping(statement), at)


def _unknown(at: Position) -> Node:
    return Node(Unknown("module inputs", "oidc_providers not understood", at), at)
