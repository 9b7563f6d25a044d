"""The AWS partition infrastructure code deploys to, where the code says it.

A role trusts principals of its own partition only (``sts:AssumeRole`` never crosses
partitions), and ARNs, service principals and ``data.aws_partition`` differ by partition
(``aws``, ``aws-cn``, ``aws-us-gov``…: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
A Terraform configuration says which through its AWS provider's ``region``
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs#region): every
``provider "aws"`` block of the root module giving a region of one partition decides it.
Otherwise (no region in the code, regions of several partitions) the ``aws`` partition is
assumed, and the notes of what stands for it say so. A CloudFormation template is deployed
to whatever partition its stack is in: ``AWS::Partition`` is assumed ``aws`` likewise.

Region prefixes: ``cn-`` China, ``us-gov-`` GovCloud (US), ``us-iso-``, ``us-isob-``,
``eu-isoe-``, ``us-isof-`` the isolated partitions
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html,
https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html,
https://docs.amazonaws.cn/en_us/aws/latest/userguide/ARNs.html). The DNS suffix of China is
``amazonaws.com.cn``; GovCloud's is ``amazonaws.com``; an isolated partition's is not
taken from public documentation, so it stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from keyless.iac.model import DEPLOYING_ACCOUNT, IacResource
from keyless.iac.values import JsonText, Node, StandIn, mapping
from keyless.trust.owner import provider_partition

#: The note of a value standing for the partition when the code does not say which.
ASSUMED_NOTE = StandIn("the partition is taken to be aws (the code does not say which)")

_REGION = re.compile(r"([a-z]{2}(?:-[a-z]+)*)-\d{1,2}", re.ASCII)
_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
)
_DNS_SUFFIXES = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
}
# The ARNs keyless writes for the deploying account's resources (stand-ins).
_STAND_IN = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:"


@dataclass(frozen=True, slots=True)
class Partition:
    """A partition the code names, and how: ``region`` is the AWS provider's when that
    decided it (else None: the template's own ARNs did)."""

    name: str
    region: str | None = None

    @property
    def dns_suffix(self) -> str | None:
        """Its DNS suffix, or None where keyless does not know it (isolated partitions)."""
        return _DNS_SUFFIXES.get(self.name)

    @property
    def note(self) -> str:
        """What a value standing for it says."""
        why = (
            f"the AWS provider's region {self.region}"
            if self.region is not None
            else "the partition the template's own ARNs name"
        )
        return f"judged in the {self.name} partition ({why})"


def region_partition(region: str) -> Partition | None:
    """The partition of ``region``, or None when it does not have a region's shape."""
    if not _REGION.fullmatch(region):
        return None
    name = next((p for prefix, p in _PREFIXES if region.startswith(prefix)), "aws")
    return Partition(name, region)


_LITERAL_ARN = re.compile(r"arn:(aws(?:-[a-z]{1,10}){0,3}):", re.ASCII)


def template_partition(root: Node) -> Partition | None:
    """The partition a CloudFormation template names in its own text: the one partition
    of the ARNs it writes literally (``arn:aws-us-gov:…``, in ``Fn::Sub`` text too), when
    that is not ``aws``. A template is deployed to its stack's partition, which
    ``AWS::Partition`` resolves to; one whose ARNs name GovCloud alone is written for
    GovCloud. None when its ARNs name no partition, ``aws``, or several."""
    found: set[str] = set()
    stack = [root]
    while stack:
        value = stack.pop().value
        if isinstance(value, str):
            found.update(_LITERAL_ARN.findall(value))
        elif isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, JsonText):
            stack.append(value.document)
    if len(found) != 1 or "aws" in found:
        return None
    return Partition(found.pop())


# An EKS cluster's OIDC issuer names its region (amazonaws.com.cn in China):
# https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-arns.html
_EKS_ISSUER = re.compile(r"oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/id/.+", re.ASCII)


def issuer_partition(host: str) -> str | None:
    """The partition an OIDC issuer (without ``https://``) is in, when its host says:
    an EKS cluster's issuer is in its region's."""
    match = _EKS_ISSUER.fullmatch(host)
    found = region_partition(match.group(1)) if match else None
    return found.name if found is not None else None


def provider_arn(account: str, host: str, partition: str | None = None) -> str:
    """The ARN of the IAM OIDC provider for the issuer ``host`` in ``account``: in the
    partition the issuer names, else ``partition``, else ``aws``."""
    named = issuer_partition(host) or partition or "aws"
    return f"arn:{named}:iam::{account}:oidc-provider/{host}"


def providers_partition(document: object) -> str | None:
    """The one partition of the IAM identity providers a trust policy's Allow statements
    name as ``Federated`` (:func:`keyless.trust.owner.provider_partition`)."""
    return provider_partition(document)


def one_partition(regions: Iterable[str]) -> Partition | None:
    """The partition all ``regions`` are in (there is one at least), else None."""
    found = [region_partition(r) for r in regions]
    if not found or any(p is None for p in found):
        return None
    names = {p.name for p in found if p is not None}
    return found[0] if len(names) == 1 else None


def in_partition(node: Node, partition: str) -> Node:
    """``node`` with the ARNs keyless wrote for the deploying account's resources
    (``arn:aws:iam::000000000000:…``) written in ``partition``: the code deploys them there.
    ARNs the code writes itself are kept as written."""
    if partition == "aws":
        return node
    value = node.value
    if isinstance(value, str):
        return replace(node, value=arn_in_partition(value, partition))
    if isinstance(value, tuple):
        return replace(node, value=tuple(in_partition(item, partition) for item in value))
    if isinstance(value, JsonText):
        return replace(node, value=replace(value, document=in_partition(value.document, partition)))
    if isinstance(value, Mapping):
        items = {k: in_partition(v, partition) for k, v in value.items()}
        return replace(node, value=mapping(items))
    return node


def arn_in_partition(arn: str, partition: str) -> str:
    """A stand-in ARN (:func:`in_partition`) written in ``partition``; other text as it is."""
    if partition == "aws" or not arn.startswith(_STAND_IN):
        return arn
    return f"arn:{partition}:{arn.removeprefix('arn:aws:')}"


def resource_in(resource: IacResource, partition: Partition) -> IacResource:
    """``resource`` as deployed to ``partition``: its stand-in ARNs written there."""
    name = partition.name
    return replace(
        resource,
        partition=name,
        trust=None if resource.trust is None else in_partition(resource.trust, name),
        provider_arn=(
            None if resource.provider_arn is None else arn_in_partition(resource.provider_arn, name)
        ),
    )
