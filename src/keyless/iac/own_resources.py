"""Identifiers of resources the same code creates, written as stand-ins.

An identity pool's ID, a Roles Anywhere trust anchor's ARN, a SAML provider's ARN and an
EKS cluster's OIDC issuer are known only after deploy, but a trust policy that names the
one the same code creates is pinned to that resource, in the deploying account, whatever
its identifier will be: it is judged with a stand-in identifier (one per resource, derived
from its address) and the finding says so, as for the deploying account itself.
https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from keyless.iac.model import DEPLOYING_ACCOUNT
from keyless.iac.values import StandIn

#: The region stand-in identifiers are written in (the code does not say which).
REGION = "us-east-1"
_NAMESPACE = uuid.UUID("8f1f3a52-5c3e-4b8e-9d57-6f0c2f1d7a10")


def _guid(address: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, address))


def identity_pool_id(address: str) -> str:
    """The stand-in ID (``REGION:GUID``) of the identity pool declared at ``address``."""
    return f"{REGION}:{_guid(address)}"


def trust_anchor_id(address: str) -> str:
    """The stand-in ID of the Roles Anywhere trust anchor declared at ``address``."""
    return _guid(address)


def trust_anchor_arn(address: str) -> str:
    """The stand-in ARN of the Roles Anywhere trust anchor declared at ``address``."""
    return f"arn:aws:rolesanywhere:{REGION}:{DEPLOYING_ACCOUNT}:trust-anchor/{_guid(address)}"


def eks_issuer(address: str) -> str:
    """The stand-in OIDC issuer of the EKS cluster declared at ``address``, in the shape
    EKS gives it (``https://oidc.eks.REGION.amazonaws.com/id/`` and 32 hexadecimal digits:
    https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html)."""
    cluster_id = uuid.uuid5(_NAMESPACE, address).hex.upper()
    return f"https://oidc.eks.{REGION}.amazonaws.com/id/{cluster_id}"


def generated_name(logical_id: str) -> str:
    """The stand-in name of a role or user whose name CloudFormation generates (it writes
    the stack's name, the logical ID and a random suffix: ``Name type``,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html);
    the suffix here is derived from the logical ID. At most 64 characters, as IAM takes."""
    return f"{logical_id[:50]}-{uuid.uuid5(_NAMESPACE, logical_id).hex[:12].upper()}"


def saml_provider_arn(name: str) -> str:
    """The ARN of the SAML provider ``name`` in the deploying account."""
    return f"arn:aws:iam::{DEPLOYING_ACCOUNT}:saml-provider/{name}"


_GUESTS_OFF = "guest (unauthenticated) access is off for the identity pool "


def guests_off_note(pool: str) -> str:
    """The note of a stand-in pool ID whose pool the code creates without guest access."""
    return f"{_GUESTS_OFF}{pool}"


def pools_without_guests(notes: Iterable[str]) -> frozenset[str]:
    """The stand-in pool IDs that :func:`guests_off_note` marked among ``notes``."""
    return frozenset(n.removeprefix(_GUESTS_OFF) for n in notes if n.startswith(_GUESTS_OFF))


def created_note(what: str, address: str, value: str) -> StandIn:
    """The note a value standing for a resource the code creates carries."""
    return StandIn(f"the {what} the code creates ({address}) is shown as {value}")
