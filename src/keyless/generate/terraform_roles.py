"""The roles in Terraform: each role with its trust policy and permissions, the Roles
Anywhere trust anchors and profiles that hand out their credentials, and the policy
keyless's own scanner role needs.

Trust policies and permissions come from the plan as JSON and are written through
:func:`~keyless.generate.terraform_refs.hcl_value`, so placeholders become references to
the resources created beside them and every string is quoted by :mod:`.hcl`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.generate.hcl import Attribute, Block, Call, Ref, Template, Value, ref
from keyless.generate.model import Generated, RoleKind, RoleSpec
from keyless.generate.names import terraform_name
from keyless.generate.own_access import SCANNER_POLICY, scanner_policy
from keyless.generate.terraform_refs import (
    account_var,
    anchor_id,
    hcl_value,
    provider_of,
    role_id,
)
from keyless.plan.model import Permissions


def _permissions(
    generated: Generated, owner: str, account: str, role_ref: Ref, permissions: Permissions
) -> list[Block]:
    provider = provider_of(generated, account)
    blocks = [
        Block(
            "resource",
            ("aws_iam_role_policy_attachment", terraform_name(owner, arn.rsplit("/", 1)[-1])),
            (
                Attribute("provider", provider),
                Attribute("role", role_ref),
                Attribute("policy_arn", arn),
            ),
        )
        for arn in permissions.aws_managed
    ]
    for policy in permissions.customer_managed:
        policy_arn = Template(
            (
                f"arn:{generated.partition}:iam::",
                ref("var", account_var(generated, account)),
                f":policy{policy.path}{policy.name}",
            )
        )
        blocks.append(
            Block(
                "resource",
                ("aws_iam_role_policy_attachment", terraform_name(owner, policy.path, policy.name)),
                (
                    Attribute("provider", provider),
                    Attribute("role", role_ref),
                    Attribute("policy_arn", policy_arn),
                ),
            )
        )
    if permissions.inline is not None:
        blocks.append(
            Block(
                "resource",
                ("aws_iam_role_policy", terraform_name(owner, "inline")),
                (
                    Attribute("provider", provider),
                    Attribute("name", "keyless"),
                    Attribute("role", role_ref),
                    Attribute(
                        "policy", Call("jsonencode", hcl_value(permissions.inline, generated))
                    ),
                ),
            )
        )
    return blocks


def role_blocks(generated: Generated, role: RoleSpec) -> list[Block]:
    """A role with its trust policy, and the attachments of its permissions."""
    identifier = role_id(role, generated)
    body: list[Attribute | Block | None] = [
        Attribute("provider", provider_of(generated, role.account)),
        Attribute("name", role.name),
        Attribute("description", role.description),
        Attribute("max_session_duration", role.max_session_duration),
    ]
    if role.permissions.boundary:
        body.append(Attribute("permissions_boundary", role.permissions.boundary))
    if role.kind is RoleKind.KEYLESS:
        policy: Value = Call("jsonencode", _keyless_trust(role.trust, generated))
    else:
        policy = Call("jsonencode", hcl_value(role.trust, generated))
    body.append(Attribute("assume_role_policy", policy))
    blocks = [Block("resource", ("aws_iam_role", identifier), tuple(body))]
    blocks.extend(
        _permissions(
            generated,
            identifier,
            role.account,
            ref("aws_iam_role", identifier, "name"),
            role.permissions,
        )
    )
    return blocks


def _keyless_trust(trust: Mapping[str, Any], generated: Generated) -> Value:
    statements = []
    for statement in trust["Statement"]:
        converted = hcl_value({k: v for k, v in statement.items() if k != "Principal"}, generated)
        assert isinstance(converted, dict)
        converted["Principal"] = {"AWS": ref("var", "keyless_scanner_role_arn")}
        statements.append(converted)
    return {"Version": trust["Version"], "Statement": statements}


def anchor_blocks(generated: Generated, anchor: Any) -> list[Block]:
    """A Roles Anywhere trust anchor (unless it exists) and its profile."""
    identifier = anchor_id(generated, anchor.account)
    provider = provider_of(generated, anchor.account)
    blocks: list[Block] = []
    if anchor.existing_arn is None:
        if anchor.ca_pem is not None:
            source = Block(
                "source",
                (),
                (
                    Attribute("source_type", "CERTIFICATE_BUNDLE"),
                    None,
                    Block("source_data", (), (Attribute("x509_certificate_data", anchor.ca_pem),)),
                ),
            )
        else:
            source = Block(
                "source",
                (),
                (
                    Attribute("source_type", "AWS_ACM_PCA"),
                    None,
                    Block("source_data", (), (Attribute("acm_pca_arn", anchor.pca_arn),)),
                ),
            )
        blocks.append(
            Block(
                "resource",
                ("aws_rolesanywhere_trust_anchor", identifier),
                (
                    Attribute("provider", provider),
                    Attribute("name", anchor.name),
                    Attribute("enabled", True),
                    None,
                    source,
                ),
            )
        )
    roles = [
        ref("aws_iam_role", terraform_name(generated.label(anchor.account), name), "arn")
        for name in anchor.role_names
    ]
    blocks.append(
        Block(
            "resource",
            ("aws_rolesanywhere_profile", identifier),
            (
                Attribute("provider", provider),
                Attribute("name", anchor.name),
                Attribute("enabled", True),
                Attribute("role_arns", roles),
            ),
        )
    )
    return blocks


def scanner_blocks(generated: Generated) -> list[Block]:
    """The policy keyless's own scanner role needs, in the management account."""
    account = generated.management_account
    provider = (
        provider_of(generated, account)
        if any(a.id == account for a in generated.accounts)
        else ref("aws")
    )
    return [
        Block(
            "resource",
            ("aws_iam_policy", terraform_name(SCANNER_POLICY)),
            (
                Attribute("provider", provider),
                Attribute("name", SCANNER_POLICY),
                Attribute(
                    "description",
                    "keyless: what keyless scan --org calls from the management account; "
                    "attach it to the scanner role",
                ),
                Attribute(
                    "policy",
                    Call("jsonencode", hcl_value(scanner_policy(generated.partition), generated)),
                ),
            ),
        )
    ]
