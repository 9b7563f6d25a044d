"""Identity Center as Terraform: ``aws_identitystore_user`` (or a lookup by user name
when an external IdP provisions users), ``aws_ssoadmin_permission_set`` with its
managed, customer managed and inline policies and boundary, and one
``aws_ssoadmin_account_assignment`` per person, permission set and account. These live in
the management (or delegated administrator) account: the default provider.
"""

from __future__ import annotations

from collections.abc import Callable

from keyless.generate.hcl import Attribute, Block, Call, Value, ref
from keyless.generate.model import Generated, IdentitySource
from keyless.generate.names import terraform_name
from keyless.generate.terraform_refs import hcl_value

_INSTANCE = ref("var", "sso_instance_arn")
_STORE = ref("var", "identity_store_id")


def _user_ref(generated: Generated, user_name: str) -> Value:
    identifier = terraform_name("user", user_name)
    if generated.identity_center.source is IdentitySource.EXTERNAL:
        return ref("data", "aws_identitystore_user", identifier, "user_id")
    return ref("aws_identitystore_user", identifier, "user_id")


def identity_center_blocks(
    generated: Generated, account_var: Callable[[Generated, str], str]
) -> list[Block]:
    """The Identity Center blocks of ``generated``."""
    center = generated.identity_center
    blocks: list[Block] = []
    for user in center.users:
        identifier = terraform_name("user", user.user_name)
        if center.source is IdentitySource.EXTERNAL:
            blocks.append(
                Block(
                    "data",
                    ("aws_identitystore_user", identifier),
                    (
                        Attribute("identity_store_id", _STORE),
                        None,
                        Block(
                            "alternate_identifier",
                            (),
                            (
                                Block(
                                    "unique_attribute",
                                    (),
                                    (
                                        Attribute("attribute_path", "UserName"),
                                        Attribute("attribute_value", user.user_name),
                                    ),
                                ),
                            ),
                        ),
                    ),
                )
            )
            continue
        body: list[Attribute | Block | None] = [
            Attribute("identity_store_id", _STORE),
            Attribute("user_name", user.user_name),
            Attribute("display_name", user.display_name),
            None,
            Block(
                "name",
                (),
                (
                    Attribute("given_name", user.given_name),
                    Attribute("family_name", user.family_name),
                ),
            ),
        ]
        if user.email:
            body.append(None)
            body.append(
                Block("emails", (), (Attribute("value", user.email), Attribute("primary", True)))
            )
        blocks.append(Block("resource", ("aws_identitystore_user", identifier), tuple(body)))
    for permission_set in center.permission_sets:
        identifier = terraform_name("ps", permission_set.name)
        set_arn = ref("aws_ssoadmin_permission_set", identifier, "arn")
        blocks.append(
            Block(
                "resource",
                ("aws_ssoadmin_permission_set", identifier),
                (
                    Attribute("instance_arn", _INSTANCE),
                    Attribute("name", permission_set.name),
                    # Identity Center takes 1 to 700 characters, or none (as CloudFormation).
                    *(
                        [Attribute("description", permission_set.description)]
                        if permission_set.description
                        else []
                    ),
                    Attribute("session_duration", permission_set.session_duration),
                ),
            )
        )
        permissions = permission_set.permissions
        blocks.extend(
            Block(
                "resource",
                (
                    "aws_ssoadmin_managed_policy_attachment",
                    terraform_name(identifier, arn.rsplit("/", 1)[-1]),
                ),
                (
                    Attribute("instance_arn", _INSTANCE),
                    Attribute("permission_set_arn", set_arn),
                    Attribute("managed_policy_arn", arn),
                ),
            )
            for arn in permissions.aws_managed
        )
        blocks.extend(
            Block(
                "resource",
                (
                    "aws_ssoadmin_customer_managed_policy_attachment",
                    terraform_name(identifier, policy.path, policy.name),
                ),
                (
                    Attribute("instance_arn", _INSTANCE),
                    Attribute("permission_set_arn", set_arn),
                    None,
                    Block(
                        "customer_managed_policy_reference",
                        (),
                        (Attribute("name", policy.name), Attribute("path", policy.path)),
                    ),
                ),
            )
            for policy in permissions.customer_managed
        )
        if permissions.inline is not None:
            blocks.append(
                Block(
                    "resource",
                    ("aws_ssoadmin_permission_set_inline_policy", identifier),
                    (
                        Attribute("instance_arn", _INSTANCE),
                        Attribute("permission_set_arn", set_arn),
                        Attribute(
                            "inline_policy",
                            Call("jsonencode", hcl_value(permissions.inline, generated)),
                        ),
                    ),
                )
            )
        if permissions.boundary is not None:
            blocks.append(_boundary(identifier, set_arn, permissions.boundary))
    for assignment in center.assignments:
        identifier = terraform_name(
            generated.label(assignment.account), assignment.user_name, assignment.permission_set
        )
        blocks.append(
            Block(
                "resource",
                ("aws_ssoadmin_account_assignment", identifier),
                (
                    Attribute("instance_arn", _INSTANCE),
                    Attribute(
                        "permission_set_arn",
                        ref(
                            "aws_ssoadmin_permission_set",
                            terraform_name("ps", assignment.permission_set),
                            "arn",
                        ),
                    ),
                    Attribute("principal_type", "USER"),
                    Attribute("principal_id", _user_ref(generated, assignment.user_name)),
                    Attribute("target_type", "AWS_ACCOUNT"),
                    Attribute("target_id", ref("var", account_var(generated, assignment.account))),
                ),
            )
        )
    return blocks


def _boundary(identifier: str, set_arn: Value, boundary: str) -> Block:
    account = boundary.split(":")[4]
    if account == "aws":
        inner = Block("permissions_boundary", (), (Attribute("managed_policy_arn", boundary),))
    else:
        resource = boundary.split(":", 5)[5].removeprefix("policy")
        path, _, name = resource.rpartition("/")
        inner = Block(
            "permissions_boundary",
            (),
            (
                Block(
                    "customer_managed_policy_reference",
                    (),
                    (Attribute("name", name), Attribute("path", f"{path}/")),
                ),
            ),
        )
    return Block(
        "resource",
        ("aws_ssoadmin_permissions_boundary_attachment", identifier),
        (
            Attribute("instance_arn", _INSTANCE),
            Attribute("permission_set_arn", set_arn),
            None,
            inner,
        ),
    )
