"""The roles an identity pool's role attachment gives its identities: Terraform's
``aws_cognito_identity_pool_roles_attachment`` (``identity_pool_id``, ``roles``) and
CloudFormation's ``AWS::Cognito::IdentityPoolRoleAttachment`` (``IdentityPoolId``,
``Roles``), each mapping ``authenticated`` and ``unauthenticated`` to a role's ARN.

A role the code attaches so is said so in a note on its trust policy, naming the pool
(its ID, or the stand-in of the pool the code creates: :mod:`keyless.iac.own_resources`).
Guests of that pool taking its guest role is what the role is for: the
``trust-cognito-unauthenticated`` finding that they can is then low, not critical, and asks
for the ``amr`` pin that says so (:func:`keyless.iac.located.guest_severity`). A role the
pool attaches as its authenticated role that guests can take stays critical: that is the
defect the check is about.
https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html
https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cognito_identity_pool_roles_attachment
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-identitypoolroleattachment.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from keyless.iac.hcl import Block
from keyless.iac.hcleval import Evaluator
from keyless.iac.model import IacResource, ResourceKind
from keyless.iac.tffiles import TerraformFile
from keyless.iac.tfinstances import instance_key
from keyless.iac.tfobjects import resource_object
from keyless.iac.values import Node, Unknown

#: The attachment's resource types, with the names of its pool and roles arguments.
ATTACHMENTS = {
    "aws_cognito_identity_pool_roles_attachment": ("identity_pool_id", "roles"),
    "AWS::Cognito::IdentityPoolRoleAttachment": ("IdentityPoolId", "Roles"),
}
_GUEST_ROLE = "the identity pool attaches the role as its guest (unauthenticated) role: "
_SIGNED_IN_ROLE = "the identity pool attaches the role as its authenticated role: "


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment as the code writes it: its address, and its pool and roles
    arguments evaluated (``None`` when not written)."""

    address: str
    pool: Node | None
    roles: Node | None


def role_key(node: Node) -> str | None:
    """What names a role in an attachment's ``roles``: its ARN when known, else the
    expression of an ARN known only after apply (``aws_iam_role.guest.arn``, a role
    without a ``name``); None for anything else."""
    value = node.value
    if isinstance(value, str):
        return value if value.startswith("arn:") and ":role/" in value else None
    if isinstance(value, Unknown) and value.expression.endswith(".arn"):
        return value.expression
    return None


def with_attachments(
    resources: list[IacResource], attachments: Iterable[Attachment], keys: Mapping[str, str]
) -> list[IacResource]:
    """``resources`` with the roles the ``attachments`` name noted: ``keys`` holds each
    role's :func:`role_key` by its address (a role whose ARN is known, or one alone of its
    block whose ARN is known only after apply)."""
    said: dict[str, list[str]] = {}
    for attachment in attachments:
        pool = attachment.pool.value if attachment.pool is not None else None
        roles = attachment.roles.value if attachment.roles is not None else None
        if not isinstance(pool, str) or not isinstance(roles, Mapping):
            continue  # which pool, or which roles, is not known: nothing said
        for kind, prefix in (("unauthenticated", _GUEST_ROLE), ("authenticated", _SIGNED_IN_ROLE)):
            node = roles.get(kind)
            key = role_key(node) if node is not None else None
            if key is None:
                continue
            for address, own in keys.items():
                if own == key:
                    said.setdefault(address, []).append(f"{prefix}{pool} ({attachment.address})")
    noted = []
    for resource in resources:
        found = said.get(resource.address)
        if found and resource.kind is ResourceKind.ROLE and resource.trust is not None:
            trust = resource.trust
            resource = replace(resource, trust=replace(trust, notes=(*trust.notes, *found)))
        noted.append(resource)
    return noted


def guest_role_pools(notes: Iterable[str]) -> frozenset[str]:
    """The pools whose guest role the notes of a role's trust policy say it is."""
    return _pools(notes, _GUEST_ROLE)


def signed_in_role_pools(notes: Iterable[str]) -> frozenset[str]:
    """The pools whose authenticated role the notes of a role's trust policy say it is."""
    return _pools(notes, _SIGNED_IN_ROLE)


def _pools(notes: Iterable[str], prefix: str) -> frozenset[str]:
    return frozenset(
        note.removeprefix(prefix).split(" (", 1)[0] for note in notes if note.startswith(prefix)
    )


def terraform_attachments(
    declared: Mapping[tuple[str, str], tuple[Block, TerraformFile]],
    instances: Callable[[Block, TerraformFile], Mapping[Any, Mapping[str, Node]] | Node],
    evaluators: Mapping[Path, Evaluator],
    prefix: str,
) -> tuple[list[Attachment], dict[str, str]]:
    """A module's attachments (its ``declared`` resources, each expanded by ``instances``
    and evaluated by its file's evaluator) and the :func:`role_key` of each of its roles
    by address (under ``prefix``); nothing when it declares no attachment."""
    kind = "aws_cognito_identity_pool_roles_attachment"
    if not any(labels[0] == kind for labels in declared):
        return [], {}
    attachments: list[Attachment] = []
    keys: dict[str, str] = {}
    for (resource_type, name), (block, file) in declared.items():
        if resource_type not in (kind, "aws_iam_role"):
            continue
        expanded = instances(block, file)
        if isinstance(expanded, Node):
            continue  # count or for_each not known: reported where the resource is read
        evaluator = evaluators[file.path]
        for key, scope in expanded.items():
            address = f"{prefix}{resource_type}.{name}{instance_key(key)}"
            if resource_type == kind:
                pool, roles = (block.body.attributes.get(n) for n in ATTACHMENTS[kind])
                attachments.append(
                    Attachment(
                        address,
                        evaluator.evaluate(pool.expression, scope) if pool else None,
                        evaluator.evaluate(roles.expression, scope) if roles else None,
                    )
                )
                continue
            made = resource_object(block, evaluator, scope).value
            arn = made.get("arn") if isinstance(made, Mapping) else None
            if arn is not None and isinstance(arn.value, str):
                keys[address] = arn.value
            elif len(expanded) == 1:  # its ARN is known only after apply, and named so
                keys[address] = f"{resource_type}.{name}.arn"
    return attachments, keys


def cloudformation_attachment(
    address: str, properties: Node | None, evaluate: Callable[[Node], Node]
) -> Attachment:
    """An ``AWS::Cognito::IdentityPoolRoleAttachment`` with its ``Properties``' pool and
    roles evaluated by ``evaluate`` (the template's intrinsic functions)."""
    pool_key, roles_key = ATTACHMENTS["AWS::Cognito::IdentityPoolRoleAttachment"]
    given = properties.value if properties is not None else None
    pool, roles = (
        given.get(k) if isinstance(given, Mapping) else None for k in (pool_key, roles_key)
    )
    return Attachment(
        address,
        evaluate(pool) if pool is not None else None,
        evaluate(roles) if roles is not None else None,
    )
