"""The root module's scaffolding in Terraform: versions, variables, providers, outputs.

These are the files that make the generated resources a module an operator can apply in
their own estate: the variables hold what differs per environment (account IDs, the
Identity Center instance, the break-glass role, the SCP targets) with the plan's values as
defaults, each account gets an aliased ``aws`` provider that assumes
``var.deploy_role_name`` there, and the outputs say what comes next (role ARNs for
``keyless workflows fix --role-arn``, ``credential_process`` lines). The resources
themselves are in :mod:`.terraform_roles`, :mod:`.terraform_ic` and :mod:`.terraform`.
"""

from __future__ import annotations

from keyless.generate.guardrails import TARGET_ID, TARGET_ID_TEXT
from keyless.generate.hcl import Attribute, Block, Call, Matches, Ref, Template, Value, ref
from keyless.generate.model import Generated, RoleKind
from keyless.generate.names import terraform_name
from keyless.generate.terraform_refs import account_var, anchor_id, role_id, role_id_of


def versions_block() -> Block:
    """The ``terraform`` block: the Terraform and AWS provider versions needed."""
    return Block(
        "terraform",
        (),
        (
            Attribute("required_version", ">= 1.5"),
            None,
            Block(
                "required_providers",
                (),
                (Attribute("aws", {"source": "hashicorp/aws", "version": ">= 5.81"}),),
            ),
        ),
    )


def _variable(
    name: str,
    kind: str,
    description: str,
    default: Value = None,
    *,
    has_default: bool = True,
    validation: tuple[Matches, str] | None = None,
) -> Block:
    body: list[Attribute | Block | None] = [
        Attribute("description", description),
        Attribute("type", ref(*kind.split(".")))
        if "(" not in kind
        else Attribute("type", _type(kind)),
    ]
    if has_default:
        body.append(Attribute("default", default))
    if validation is not None:
        condition, message = validation
        body.append(None)
        body.append(
            Block(
                "validation",
                (),
                (Attribute("condition", condition), Attribute("error_message", message)),
            )
        )
    return Block("variable", (name,), tuple(body))


def _type(kind: str) -> Value:
    return Call(kind.split("(")[0], ref(kind.split("(")[1].rstrip(")")))


def variable_blocks(generated: Generated) -> list[Block]:
    """``variables.tf``: what differs per environment, with the plan's values as defaults."""
    blocks = [
        _variable(
            "region", "string", "The region of the providers (IAM is global).", generated.region
        ),
        _variable(
            "deploy_role_name",
            "string",
            "The role Terraform assumes in each account to create its resources.",
            "OrganizationAccountAccessRole",
        ),
    ]
    blocks.extend(
        _variable(
            account_var(generated, account.id),
            "string",
            f"The account ID of {account.label}.",
            account.id,
            validation=(
                Matches(ref("var", account_var(generated, account.id)), "[0-9]{12}"),
                "An account ID is 12 digits.",
            ),
        )
        for account in generated.accounts
    )
    if generated.identity_center.permission_sets or generated.identity_center.users:
        blocks.append(
            _variable(
                "sso_instance_arn",
                "string",
                "The IAM Identity Center instance (aws sso-admin list-instances).",
                has_default=False,
            )
        )
        blocks.append(
            _variable(
                "identity_store_id",
                "string",
                "The instance's identity store (aws sso-admin list-instances).",
                has_default=False,
            )
        )
    blocks.append(
        _variable(
            "break_glass_role_arn",
            "string",
            "The one role the guardrail lets create IAM users and keys (null: none).",
            next(
                (
                    s["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
                    for p in generated.guardrails[:1]
                    for s in p.document["Statement"]
                    if "Condition" in s
                ),
                None,
            ),
        )
    )
    blocks.append(
        _variable(
            "guardrail_target_ids",
            "list(string)",
            "The organization root (r-…), OUs (ou-…) or accounts the guardrail SCP is attached to.",
            [],
            validation=(
                Matches(ref("var", "guardrail_target_ids"), TARGET_ID, each=True),
                f"Each of guardrail_target_ids must be {TARGET_ID_TEXT}.",
            ),
        )
    )
    blocks.append(
        _variable(
            "keyless_scanner_role_arn",
            "string",
            "The management account's role that runs keyless scan --org.",
            generated.keyless_scanner_role,
        )
    )
    return blocks


def provider_blocks(generated: Generated) -> list[Block]:
    """``providers.tf``: the default provider and one aliased provider per account."""
    blocks = [
        Block(
            "provider",
            ("aws",),
            (Attribute("region", ref("var", "region")),),
        )
    ]
    for account in generated.accounts:
        role_arn = Template(
            (
                f"arn:{generated.partition}:iam::",
                ref("var", account_var(generated, account.id)),
                ":role/",
                ref("var", "deploy_role_name"),
            )
        )
        blocks.append(
            Block(
                "provider",
                ("aws",),
                (
                    Attribute("alias", terraform_name(account.label)),
                    Attribute("region", ref("var", "region")),
                    None,
                    Block("assume_role", (), (Attribute("role_arn", role_arn),)),
                ),
            )
        )
    return blocks


def output_blocks(generated: Generated) -> list[Block]:
    """``outputs.tf``: role ARNs, and a ``credential_process`` line per Roles Anywhere role."""
    blocks = []
    for role in generated.roles:
        if role.kind is RoleKind.KEYLESS:
            continue
        identifier = role_id(role, generated)
        blocks.append(
            Block(
                "output",
                (f"role_arn_{identifier}",),
                (
                    Attribute("description", f"{role.name} in {generated.label(role.account)}"),
                    Attribute("value", ref("aws_iam_role", identifier, "arn")),
                ),
            )
        )
    for anchor in generated.trust_anchors:
        identifier = anchor_id(generated, anchor.account)
        anchor_arn: str | Ref = anchor.existing_arn or ref(
            "aws_rolesanywhere_trust_anchor", identifier, "arn"
        )
        for name in anchor.role_names:
            role_ref = ref(
                "aws_iam_role", terraform_name(generated.label(anchor.account), name), "arn"
            )
            line = Template(
                (
                    "aws_signing_helper credential-process --certificate CERT.pem"
                    " --private-key KEY.pem --trust-anchor-arn ",
                    anchor_arn,
                    " --profile-arn ",
                    ref("aws_rolesanywhere_profile", identifier, "arn"),
                    " --role-arn ",
                    role_ref,
                )
            )
            blocks.append(
                Block(
                    "output",
                    (f"credential_process_{role_id_of(generated, anchor.account, name)}",),
                    (
                        Attribute("description", f"credential_process for {name} (~/.aws/config)"),
                        Attribute("value", line),
                    ),
                )
            )
    return blocks
