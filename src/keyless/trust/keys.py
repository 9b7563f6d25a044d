"""How to spell a condition key in a witness: AWS's own spelling, not the lower-cased one.

Key names are case-insensitive to IAM, so the reasoner works on lower-cased keys; but a
witness is read by people and pasted into ``keyless simulate`` or a test, and
``sts:ExternalId`` is what they look for, not ``sts:externalid``. The spelling comes from
AWS's condition-key references, then from the policy itself (as its author wrote it), then
the lower-cased key.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.policy.document import Policy

_DOCUMENTED = (
    "aws:CalledVia",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalType",
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceOwner",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "sts:ExternalId",
    "sts:RoleSessionName",
    "sts:SourceIdentity",
    "sts:TransitiveTagKeys",
    "saml:aud",
    "saml:doc",
    "saml:iss",
    "saml:namequalifier",
    "saml:sub",
    "saml:sub_type",
)
_SPELLING = {key.lower(): key for key in _DOCUMENTED}
# Tag keys: the prefix as AWS writes it, the tag name as the policy does.
_PREFIXES = ("aws:RequestTag/", "aws:PrincipalTag/", "aws:ResourceTag/")


def canonical_key(key: str, policy: Policy | None = None) -> str:
    """AWS's spelling of the (lower-cased) condition key ``key``."""
    lowered = key.lower()
    documented = _SPELLING.get(lowered)
    if documented is not None:
        return documented
    written = _written(policy).get(lowered) if policy is not None else None
    for prefix in _PREFIXES:
        if lowered.startswith(prefix.lower()):
            name = (written or key)[len(prefix) :]
            return prefix + name
    return written or key


def canonical_context(context: Mapping[str, Any], policy: Policy | None = None) -> dict[str, Any]:
    """``context`` with each key spelled by :func:`canonical_key`."""
    return {canonical_key(key, policy): value for key, value in context.items()}


def _written(policy: Policy) -> dict[str, str]:
    spelled: dict[str, str] = {}
    for statement in policy.statements:
        for condition in statement.conditions:
            spelled.setdefault(condition.key_lower, condition.key)
    return spelled


__all__ = ["canonical_context", "canonical_key"]
