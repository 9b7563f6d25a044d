"""Names and values shared by the Terraform emitters: resource identifiers derived from
the plan's names, and JSON values as HCL with placeholders as resource references."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.generate.hcl import Ref, Value, ref
from keyless.generate.model import Generated, Placeholder, PlaceholderKind, RoleSpec
from keyless.generate.names import terraform_name


def account_var(generated: Generated, account: str) -> str:
    return terraform_name("account", generated.label(account))


def provider_of(generated: Generated, account: str) -> Ref:
    return ref("aws", terraform_name(generated.label(account)))


def oidc_id(generated: Generated, account: str, issuer: str) -> str:
    return terraform_name(generated.label(account), issuer)


def anchor_id(generated: Generated, account: str) -> str:
    return terraform_name(generated.label(account), "anchor")


def role_id_of(generated: Generated, account: str, name: str) -> str:
    return terraform_name(generated.label(account), name)


def role_id(role: RoleSpec, generated: Generated) -> str:
    return terraform_name(generated.label(role.account), role.name)


def hcl_value(document: Any, generated: Generated) -> Value:
    """A JSON value as HCL, placeholders as references to the resources they name."""
    if isinstance(document, Placeholder):
        if document.kind is PlaceholderKind.OIDC_PROVIDER:
            spec = next(
                p
                for p in generated.oidc_providers
                if (p.account, p.issuer) == (document.account, document.key)
            )
            if spec.existing_arn:
                return spec.existing_arn
            return ref(
                "aws_iam_openid_connect_provider",
                oidc_id(generated, document.account, document.key),
                "arn",
            )
        anchor = next(a for a in generated.trust_anchors if a.account == document.account)
        if anchor.existing_arn:
            return anchor.existing_arn
        return ref("aws_rolesanywhere_trust_anchor", anchor_id(generated, document.account), "arn")
    if isinstance(document, Mapping):
        return {str(k): hcl_value(v, generated) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [hcl_value(v, generated) for v in document]
    if document is None or isinstance(document, str | int | float | bool):
        return document
    raise TypeError(f"not a JSON value: {type(document).__name__}")
