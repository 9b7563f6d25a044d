"""Which condition keys a request of each mechanism can carry at all.

STS builds a request's context from what the call is: the caller's identity (an IAM
principal's ARN, account and organization), the token or assertion it presents (the claims
AWS maps, the SAML keys), what the caller passes (``sts:ExternalId``, session tags, a
session name) and what every call has (time, source IP, TLS). A condition on any other key
can never hold for that mechanism: a typo such as ``token.actions.githubuser.content.com:aud``
under a GitHub principal, a claim AWS does not map (``…githubusercontent.com:repository_owner``),
``aws:PrincipalOrgID`` for a web-identity caller (it has no AWS identity), ``sts:ExternalId``
for ``AssumeRoleWithSAML`` (the API has no such parameter).

:func:`unsupplied` answers *never*, with the reason, only where the sources below say so;
every key it does not know (``aws:`` keys not listed here, service-specific prefixes such as
``ec2:``) may be present, so an unknown key never hides access from the analyser.

Sources: the global condition keys and their availability
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html ;
the web-identity, SAML and STS keys
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
and the STS Service Authorization Reference
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html;
the per-provider claims of :mod:`keyless.idp.providers`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from keyless.errors import quoted
from keyless.idp.providers import Provider, provider_for
from keyless.idp.saml import ASSERTION_KEYS, MULTIVALUED_ATTRIBUTES, SINGLE_VALUED_ATTRIBUTES
from keyless.policy.evaluate import CallerType, Request


class Mechanism(StrEnum):
    """How a caller reaches STS, which decides what its request can hold."""

    AWS = "an AWS principal"  # sts:AssumeRole by a user, role session, root or federated user
    WEB_IDENTITY = "an OIDC token"  # sts:AssumeRoleWithWebIdentity
    SAML = "a SAML assertion"  # sts:AssumeRoleWithSAML
    SERVICE = "an AWS service"  # sts:AssumeRole by a service principal (Roles Anywhere, EKS, SNS…)


# Keys that describe the calling AWS principal: set only for a caller with an AWS identity.
# (A web-identity or SAML caller has none; a service principal is not an IAM principal.)
_CALLER_IDENTITY = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principaltype",
        "aws:userid",
        "aws:username",
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
        "aws:tokenissuetime",
        "aws:sourceidentity",
    }
)
# Keys a service sends when it acts for a resource (the confused-deputy keys).
_SERVICE_SOURCE = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalservicename",
        "aws:principalservicenameslist",
    }
)
_SAML_KEYS = frozenset(
    f"saml:{name}" for name in (*ASSERTION_KEYS, *MULTIVALUED_ATTRIBUTES, *SINGLE_VALUED_ATTRIBUTES)
)


def unsupplied(key: str, mechanism: Mechanism, issuer: str | None = None) -> str | None:
    """Why no request of ``mechanism`` ever carries ``key``; ``None`` when one may.

    ``issuer`` is the OIDC condition-key prefix of a web-identity caller (the ``iss`` claim
    without ``https://``), which decides which ``<issuer>:<claim>`` keys exist.
    """
    lowered = key.lower()
    prefix, _, name = lowered.partition(":")
    if prefix == "aws":
        return _global(lowered, mechanism)
    if prefix == "sts":
        if name == "externalid" and mechanism in (Mechanism.WEB_IDENTITY, Mechanism.SAML):
            return "sts:ExternalId is a parameter of sts:AssumeRole only"
        if name == "roleauthorizedbyidp" and mechanism is not Mechanism.WEB_IDENTITY:
            return "sts:RoleAuthorizedByIdp is set only for OIDC tokens"
        return None
    if prefix == "saml":
        if mechanism is not Mechanism.SAML:
            return "SAML keys exist only in sts:AssumeRoleWithSAML requests"
        if lowered not in _SAML_KEYS:
            return "AWS does not expose this SAML attribute as a condition key"
        return None
    if not _looks_like_issuer(prefix):
        return None  # a service prefix (ec2:, s3:, …): not known to be absent
    return _web_identity(lowered, mechanism, issuer)


def _global(key: str, mechanism: Mechanism) -> str | None:
    if key in _CALLER_IDENTITY or key.startswith("aws:principaltag/"):
        if mechanism in (Mechanism.WEB_IDENTITY, Mechanism.SAML):
            return "it describes an AWS principal, and this caller has no AWS identity"
        if mechanism is Mechanism.SERVICE and not key.startswith("aws:principaltag/"):
            # Roles Anywhere passes certificate attributes as aws:PrincipalTag/x509…
            return "it describes an IAM principal, and a service principal is not one"
    if key in _SERVICE_SOURCE and mechanism is not Mechanism.SERVICE:
        return "a service sends it when it acts for a resource; this caller is not a service"
    return None


def _looks_like_issuer(prefix: str) -> bool:
    # Web-identity prefixes are host names, with a path for some issuers; service prefixes
    # (aws, sts, ec2, s3, …) never hold a dot or a slash.
    return "." in prefix or "/" in prefix


def _web_identity(key: str, mechanism: Mechanism, issuer: str | None) -> str | None:
    prefix, _, name = key.partition(":")
    if mechanism is not Mechanism.WEB_IDENTITY:
        return f"{prefix}: keys come from OIDC tokens, in sts:AssumeRoleWithWebIdentity only"
    if issuer is None:
        return None
    own = issuer.lower().rstrip("/")
    if prefix.rstrip("/") != own:
        return f"it belongs to issuer {prefix}, not to the caller's issuer {own}"
    provider = provider_for(own)
    if name not in exposed_claims(provider):
        return f"AWS does not map the {provider.name} claim {quoted(name)} to a condition key"
    return None


def exposed_claims(provider: Provider) -> frozenset[str]:
    """The claim names (lower-cased) AWS exposes as ``<issuer>:<name>`` for ``provider``."""
    names = {claim.name.lower() for claim in provider.keys}
    if provider.generic_keys:
        names |= {"sub", "aud"}
    return frozenset(names)


_BY_CALLER = {
    CallerType.AWS: Mechanism.AWS,
    CallerType.WEB_IDENTITY: Mechanism.WEB_IDENTITY,
    CallerType.SAML: Mechanism.SAML,
    CallerType.SERVICE: Mechanism.SERVICE,
}


def passed_by_hand(request: Request, keys: Iterable[str]) -> tuple[str, ...]:
    """Notes for keys given explicitly (``keyless simulate --context``) that no real request
    of this caller's mechanism carries: the decision then describes a request STS never
    sees, and says so."""
    mechanism = _BY_CALLER[request.caller.type]
    issuer = request.caller.provider if mechanism is Mechanism.WEB_IDENTITY else None
    notes = []
    for key in keys:
        reason = unsupplied(key, mechanism, issuer)
        if reason is not None:
            notes.append(
                f"{key} was passed with --context, but no request from {mechanism} carries it "
                f"({reason}): a real caller cannot meet a condition that needs it."
            )
    return tuple(notes)


__all__ = ["Mechanism", "exposed_claims", "passed_by_hand", "unsupplied"]
