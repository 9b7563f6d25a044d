"""The one model every reader produces: IAM resources found in infrastructure code, each
with the file and position it was declared at, and what could not be read.

Terraform, a Terraform plan, CloudFormation and CDK output differ only in how they are
read; the checks judge :class:`IacResource` values alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from keyless.engine import ScannedFile, Unread
from keyless.iac.values import Node, Position
from keyless.trust.owner import UNKNOWN_ACCOUNT

#: The account a resource is deployed to is not written in the code: trust policies are
#: judged as if the role lived in this stand-in account, and references to "this account"
#: (``${AWS::AccountId}``, ``data.aws_caller_identity``) stand for it, exactly as AWS
#: resolves them to the role's own account.
DEPLOYING_ACCOUNT = UNKNOWN_ACCOUNT
#: The organization the deploying account belongs to, as ``data.aws_organizations_organization``
#: reads it (``o-`` and 10 to 32 lower-case letters or digits, as AWS Organizations writes
#: an organization ID): a trust statement pinned to it is pinned to one organization.
DEPLOYING_ORGANIZATION = "o-0000000000"


class SourceKind(StrEnum):
    """What kind of file a resource was read from."""

    TERRAFORM = "terraform"
    TERRAFORM_PLAN = "terraform-plan"
    CLOUDFORMATION = "cloudformation"
    CDK = "cdk"


class ResourceKind(StrEnum):
    """The IAM resources keyless judges in infrastructure code."""

    USER = "iam-user"
    ACCESS_KEY = "access-key"
    LOGIN_PROFILE = "login-profile"
    SECRET_OUTPUT = "secret-output"  # noqa: S105 (a kind of resource, not a secret)
    ROLE = "role"
    OIDC_PROVIDER = "oidc-provider"


@dataclass(frozen=True, slots=True)
class IacResource:
    """An IAM resource declared in a file.

    ``address`` names it as its tool does (``module.ci.aws_iam_role.deploy["main"]``, a
    CloudFormation logical ID); ``name`` is its IAM name when the code fixes one (for a
    key or login profile, its user's); for a
    role, ``trust`` is its trust policy (``None`` when the code gives none) and
    ``trust_position`` where the policy is written. For an OIDC provider,
    ``provider_arn`` is its ARN in the deploying account (from its URL) and ``audiences``
    its client IDs (``None`` when the code does not fix them): STS accepts only those
    audiences from it. ``partition`` is the AWS partition the code deploys it to, when the
    code says (:mod:`keyless.iac.partitions`).
    """

    kind: ResourceKind
    address: str
    type: str
    path: Path
    position: Position
    source: SourceKind
    name: str | None = None
    trust: Node | None = None
    trust_position: Position | None = None
    provider_arn: str | None = None
    audiences: tuple[str, ...] | None = None
    partition: str | None = None


@dataclass(frozen=True, slots=True)
class LiteralKey:
    """An access key ID written in a file (:mod:`keyless.iac.literal_keys`): where, and
    the ID redacted (``AKIA…WXYZ``)."""

    path: Path
    position: Position
    key_id: str
    source: SourceKind


@dataclass(frozen=True, slots=True)
class IacModel:
    """What reading some paths produced: the files read, the resources found in them,
    what could not be read, and notes on what was deliberately not read (remote modules).
    ``included`` are the other files read into them: those Terraform's ``file()`` and
    ``templatefile()`` name."""

    files: tuple[ScannedFile, ...] = ()
    resources: tuple[IacResource, ...] = ()
    unread: tuple[Unread, ...] = ()
    notes: tuple[str, ...] = ()
    included: tuple[Path, ...] = ()
    literal_keys: tuple[LiteralKey, ...] = ()


def location(path: Path, position: Position) -> str:
    """``file:line:column`` for messages."""
    return f"{path}:{position.line}:{position.column}"


def module_role(
    address: str, path: Path, position: Position, name: Node | None, trust: Node, where: Position
) -> IacResource:
    """The Terraform role at ``address`` a module call creates (its IAM name when the
    ``name`` input is a literal), its trust policy read at ``where``."""
    return IacResource(
        kind=ResourceKind.ROLE,
        address=address,
        type="aws_iam_role",
        path=path,
        position=position,
        source=SourceKind.TERRAFORM,
        name=name.value if name is not None and isinstance(name.value, str) else None,
        trust=trust,
        trust_position=where,
    )
