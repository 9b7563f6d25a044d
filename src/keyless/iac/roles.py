"""The roles of infrastructure code as the trust checks see them: model roles named by
their address, with a unique, valid ARN in the deploying account's stand-in, and a trust
policy whose unknowns are stood in for where a finding can hold whatever they are
(:mod:`keyless.iac.role_stand_ins`, narrowed by :mod:`keyless.iac.role_narrowing`); what
cannot be judged is unread, never clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from keyless.engine import Unread
from keyless.errors import PolicyError
from keyless.findings import Finding, Severity
from keyless.iac.model import DEPLOYING_ACCOUNT, IacResource, ResourceKind, location
from keyless.iac.partitions import providers_partition
from keyless.iac.role_narrowing import with_known_siblings
from keyless.iac.role_stand_ins import with_stand_ins, without_unknown_allows
from keyless.iac.stood_in import (
    StandInPlace,
    admitted_whatever_stood_in,
    presents_open_ended,
)
from keyless.iac.values import Node, Unknown, plain, unknowns
from keyless.model import Role
from keyless.policy.document import parse_trust_policy
from keyless.policy.limits import PolicyTooLarge
from keyless.trust.owner import owner_account, owner_partition


@dataclass(frozen=True, slots=True)
class JudgedRole:
    """A role of the code, as the trust checks see it. A role judged with stand-ins
    (``stand_ins`` names what the code leaves unset, judged as its own name; ``places``
    where they are) reports only the findings that hold whatever those names are
    (:func:`holds_for_any_name`); when it has none, it is reported as ``not_judged``."""

    resource: IacResource
    role: Role
    stand_ins: tuple[str, ...] = ()
    not_judged: Unread | None = None
    #: The statements (their indices in the code's policy) left out of ``role``'s trust
    #: policy: ``Allow`` statements whose unknowns no stand-in can fill. Another ``Allow``
    #: only adds who may assume the role, so a :data:`STAND_IN_CHECKS` finding on the rest
    #: holds whatever they are; the role stays not judged (``not_judged``) all the same.
    left_out: tuple[int, ...] = ()
    places: tuple[StandInPlace, ...] = ()
    #: The condition values (their pointers) judged as a sibling of their list: values of
    #: an ``Allow``'s positive operator that no stand-in can fill (a data source's
    #: attribute). Such a value only adds requests the condition admits, so a
    #: :data:`STAND_IN_CHECKS` finding on the rest holds whatever it is; the role stays not
    #: judged all the same.
    values_left_out: tuple[str, ...] = ()

    @property
    def is_partial(self) -> bool:
        """Judged with stand-ins or without some statements or values: only what holds
        whatever the code leaves unset is reported."""
        return bool(self.stand_ins or self.left_out or self.values_left_out)

    @property
    def leaves_out(self) -> bool:
        """Judged without some statements or values: not judged whole, whatever it shows."""
        return bool(self.left_out or self.values_left_out)


def _without_trust(resource: IacResource) -> Unread:
    """A role the code gives no trust policy: Terraform (``assume_role_policy``) and
    CloudFormation (``AssumeRolePolicyDocument``) both require one and refuse the role
    without it, so what the code means to deploy is not known: reported, never skipped.
    https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html"""
    argument = (
        "assume_role_policy" if resource.type == "aws_iam_role" else ("AssumeRolePolicyDocument")
    )
    return Unread(
        location(resource.path, resource.position),
        f"{resource.address}: trust policy not judged: the role has no {argument}, "
        "which is required (the role is refused as written)",
    )


# Checks whose findings on a subject pattern do not depend on the names a stand-in fills
# in: the wildcards the code writes around them admit a pull request, any branch, another
# repository, any tenant or any service account, whatever the names turn out to be.
STAND_IN_CHECKS = frozenset(
    {
        "trust-oidc-untrusted-trigger",
        "trust-oidc-broad-subject",
        "trust-oidc-any-tenant",
        "trust-eks-unpinned",
    }
)


def roles_to_judge(
    resources: Iterable[IacResource],
) -> tuple[list[JudgedRole], list[Unread]]:
    """The roles whose trust policy is known, as model roles (named by their address,
    each with a unique, valid ARN in the stand-in account: :func:`_arn_name`), and those
    that cannot be judged."""
    judged: list[JudgedRole] = []
    unread: list[Unread] = []
    taken: set[str] = set()
    for resource in resources:
        if resource.kind is not ResourceKind.ROLE:
            continue
        if resource.trust is None:
            unread.append(_without_trust(resource))
            continue
        missing = list(unknowns(resource.trust))
        stand_ins: tuple[str, ...] = ()
        places: tuple[StandInPlace, ...] = ()
        left_out: tuple[int, ...] = ()
        not_judged: Unread | None = None
        values_left_out: tuple[str, ...] = ()
        if missing:
            not_judged = _not_judged(resource, missing)
            rendered = with_stand_ins(resource.trust, resource.partition)
            if rendered is None:
                narrowed, values_left_out = with_known_siblings(resource.trust)
                rendered = with_stand_ins(narrowed, resource.partition) if values_left_out else None
                if rendered is None:
                    values_left_out = ()
            if rendered is None:
                rendered, left_out = without_unknown_allows(resource.trust, resource.partition)
                if left_out:  # named by what no stand-in fills, in the first left out
                    first_left = _statement_unknowns(resource.trust, left_out[0])
                    not_judged = _not_judged(resource, first_left)
            if rendered is None:
                unread.append(not_judged)
                continue
            document, stand_ins, places = rendered
        else:
            try:
                document = plain(resource.trust)
            except ValueError as error:  # JSON text keyless cannot write exactly
                unread.append(
                    Unread(
                        location(resource.path, resource.position),
                        f"{resource.address}: trust policy not judged: {error}",
                    )
                )
                continue
        malformed = _malformed(document)
        if malformed is not None:
            unread.append(
                Unread(
                    location(resource.path, resource.position),
                    f"{resource.address}: trust policy not judged: {malformed}",
                )
            )
            continue
        account = _role_account(document)
        # Trust does not cross partitions: the partition the code deploys the role to (its
        # provider's region), else that of its principals (GovCloud's make a GovCloud role).
        partition = (
            resource.partition
            or providers_partition(document)
            or owner_partition(document)
            or "aws"
        )
        role = Role(
            account_id=account,
            name=resource.address,
            arn=f"arn:{partition}:iam::{account}:role/{_arn_name(resource, taken)}",
            trust_policy=document,
        )
        judged.append(
            JudgedRole(resource, role, stand_ins, not_judged, left_out, places, values_left_out)
        )
    return judged, unread


def _not_judged(resource: IacResource, missing: list[Unknown]) -> Unread:
    first = missing[0]
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    return Unread(
        location(resource.path, resource.position),
        f"{resource.address}: trust policy not judged: {first.expression} at "
        f"line {first.position.line}, column {first.position.column}: {first.reason}{more}",
    )


def _statement_unknowns(trust: Node, index: int) -> list[Unknown]:
    """The unknowns of one statement of a policy whose ``Statement`` is a list."""
    assert isinstance(trust.value, Mapping)
    statements = trust.value["Statement"].value
    assert isinstance(statements, tuple)
    return list(unknowns(statements[index]))


# An IAM role name: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_NOT_IN_ROLE_NAME = re.compile(r"[^\w+=,.@-]+", re.ASCII)


def _arn_name(resource: IacResource, taken: set[str]) -> str:
    """The name in a role's ARN: its IAM name when the code fixes a valid one (``name``,
    ``RoleName``), else a stand-in made of its address (``DeployRole-in-StackSet-Org``,
    as CloudFormation or Terraform would generate one); a name another role of the run
    already has (IAM names are unique regardless of case) gets ``-2``, ``-3``…"""
    name = resource.name
    if name is None or not _ROLE_NAME.fullmatch(name):
        name = _NOT_IN_ROLE_NAME.sub("-", resource.address).strip("-")[:64] or "role"
    candidate, count = name, 1
    while candidate.casefold() in taken:
        count += 1
        suffix = f"-{count}"
        candidate = name[: 64 - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _role_account(document: Any) -> str:
    """The deploying account's stand-in, unless the policy names its own account itself (a
    literal provider ARN, ``aws:SourceAccount``) and nowhere stands for the deploying one."""
    owner = owner_account(document)
    if owner is None or DEPLOYING_ACCOUNT in orjson.dumps(document).decode():
        return DEPLOYING_ACCOUNT
    return owner


def _malformed(document: Any) -> str | None:
    """Why a trust policy cannot be judged: beyond keyless's limits
    (keyless.policy.limits), or not a policy IAM accepts (a ``Condition`` written as a
    list: CloudFormation and Terraform fail to create the role). Not judged, so never clean
    and never passed as a finding below ``--fail-on`` (exit 3), as ``keyless trust`` says
    of the same file."""
    try:
        parse_trust_policy(document)
    except PolicyTooLarge as error:
        return error.message
    except PolicyError as error:
        return error.describe()
    return None


def holds_for_any_name(finding: Finding, judged: JudgedRole) -> bool:
    """A finding on a policy judged with stand-ins (or without some statements) that does
    not depend on the names: one of :data:`STAND_IN_CHECKS`, at medium or above (a low one
    is about the named branch itself, which a stand-in only pretends to know); or one whose
    witness the policy decides alike whatever the stand-ins are (it presents none of their
    condition keys: an account trusted beside a statement pinned to an unset
    ``sts:ExternalId``, :mod:`keyless.iac.stood_in`). The statements left out only add
    who may assume the role: what the rest admits, the whole policy admits. A subject
    finding rests on the names alone only when the code closes each one
    (``repo:${var.repo}:*``): one ending the value (``repo:${var.subject}``) may hold a
    narrower rest, so a finding whose request presents its key is not claimed."""
    role_arn = judged.role.arn
    if (
        finding.check in STAND_IN_CHECKS
        and finding.severity >= Severity.MEDIUM
        and not presents_open_ended(finding.witness, role_arn, judged.places)
    ):
        return True
    return admitted_whatever_stood_in(finding.witness, role_arn, judged.places)
