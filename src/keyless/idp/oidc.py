"""Web identity (OIDC) requests: the context keys STS derives from a decoded token.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from keyless.errors import InputError, quoted
from keyless.idp.common import (
    ExtraContext,
    add_context,
    context_value,
    session_tag_values,
    session_tags,
    with_session_actions,
)
from keyless.idp.providers import Provider, issuer_prefix, provider_for
from keyless.policy.conditions import ContextValue
from keyless.policy.evaluate import (
    ASSUME_ROLE_WITH_WEB_IDENTITY,
    Caller,
    CallerType,
    Request,
)

# Session tags in a token: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp
_TAGS_CLAIM = "https://aws.amazon.com/tags"


def _claim(claims: Mapping[str, Any], path: str) -> object:
    """A claim by name; ``a|b`` takes the first present; dotted paths may also be nested."""
    for name in path.split("|"):
        if name in claims:
            return claims[name]
        if "." in name:
            head, _, rest = name.partition(".")
            nested = claims.get(head)
            if isinstance(nested, Mapping) and rest in nested:
                return nested[rest]
    return None


def web_identity_context(claims: Mapping[str, Any]) -> tuple[Provider, dict[str, ContextValue]]:
    """The provider of ``claims['iss']`` and the condition keys AWS exposes for the token.

    Only keys AWS documents are produced: ``<prefix>:sub`` and ``<prefix>:aud`` (except
    where a provider maps them differently) and the provider-specific keys of
    :mod:`keyless.idp.providers`. Any other claim is invisible to a trust policy.
    """
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer.strip():
        raise InputError(
            "the token claims have no 'iss' (issuer)"
            if issuer is None or isinstance(issuer, str)
            else f"the token's 'iss' (issuer) is {_kind(issuer)}, not a URL",
            hint="The claims are the token's decoded payload: at least iss, sub and aud.",
        )
    prefix = issuer_prefix(issuer)
    provider = provider_for(prefix)
    context: dict[str, ContextValue] = {}

    def put(name: str, raw: object, multivalued: bool = False) -> None:
        key = f"{prefix}:{name}"
        value = context_value(key, raw, multivalued=multivalued)
        # An object, or a null or an object among a list's values, was dropped without a
        # word (the key absent, or read as the values left).
        items = raw if isinstance(raw, list) else [raw]
        if raw is not None and any(
            item is None or isinstance(item, list | Mapping) for item in items
        ):
            raise InputError(
                f"the claim behind {key} is {_kind(raw)}: AWS exposes a claim that is a"
                " string, a number, a boolean or a list of them"
            )
        if value is not None and value.values:
            context[key.lower()] = value

    subject = claims.get("sub")
    if subject is not None and not isinstance(subject, str):
        # RFC 7519 4.1.2: "sub" is one case-sensitive string. How STS reads a token
        # with another (a list would match a condition on any of its values) is not
        # documented: such a token is refused rather than judged by a guess.
        shown = "a list" if isinstance(subject, list) else _kind(subject)
        raise InputError(
            f"the token's sub claim is {shown}: a JWT's sub is one string (RFC 7519),"
            " and how STS reads another is not documented"
        )
    if provider.generic_keys:
        put("sub", claims.get("sub"))
        # A list-valued aud becomes a multivalued key. How STS presents a token with several
        # audiences is undocumented; with a plain operator any audience then matches.
        put("aud", claims.get("aud"))
    for claim_key in provider.keys:
        raw = _claim(claims, claim_key.claim)
        if claim_key.multivalued and isinstance(raw, str):
            raw = [raw]
        put(claim_key.name, raw, claim_key.multivalued)
    return provider, context


def _kind(raw: object) -> str:
    if isinstance(raw, list):
        return "a list holding a null, an object or a list"
    if isinstance(raw, Mapping):
        return "an object"
    return "a boolean" if isinstance(raw, bool) else "a number"


def web_identity_request(
    claims: Mapping[str, Any],
    *,
    account: str | None = None,
    role_arn: str | None = None,
    context: ExtraContext | None = None,
) -> Request:
    """An ``sts:AssumeRoleWithWebIdentity`` request from decoded token ``claims``.

    ``account`` is the role's account (the IAM OIDC provider must live there); when it is
    unknown, any account's provider for this issuer matches. ``role_arn`` enables
    ``sts:RoleAuthorizedByIdp``. ``context`` adds or overrides keys.
    """
    provider, keys = web_identity_context(claims)
    prefix = issuer_prefix(str(claims["iss"]))
    notes = []
    roles = claims.get("roles")
    if role_arn is not None and roles is not None:
        # sts:RoleAuthorizedByIdp: whether the IdP listed this role in a `roles` claim (a
        # role ARN, or a list of them: an object's keys or a number were compared too).
        items = roles if isinstance(roles, list) else [roles]
        if not all(isinstance(item, str) for item in items):
            kind = (
                _kind(roles)
                if not isinstance(roles, list)
                else "a list holding a value that is not text"
            )
            raise InputError(
                f"the token's 'roles' claim is {kind}: it lists role ARNs (a string or a list"
                " of strings)"
            )
        listed = role_arn in items
        keys["sts:roleauthorizedbyidp"] = ContextValue(
            "sts:RoleAuthorizedByIdp", ("true" if listed else "false",)
        )
    tags = claims.get(_TAGS_CLAIM)
    if tags is not None:
        # {"principal_tags": {"team": ["ops"]}, "transitive_tag_keys": [...]}: anything
        # else was ignored without a word (the session passed no tags).
        principal_tags = tags.get("principal_tags", {}) if isinstance(tags, Mapping) else None
        if not isinstance(principal_tags, Mapping):
            raise InputError(
                f"the claim {quoted(_TAGS_CLAIM)} must be an object whose 'principal_tags' is"
                ' an object of tags ({"principal_tags": {"team": ["ops"]}})'
            )
        source = f"claim {quoted(_TAGS_CLAIM)}, principal_tags"
        session_tags(keys, session_tag_values(principal_tags.items(), source))
    add_context(keys, context)
    if provider.shared:
        # Said whatever the decision: the request cannot see the policy. Worded as what
        # decides it, not as a demand the policy may already meet.
        told = f"its condition on {provider.tenant_claim!r}" if provider.tenant_claim else "it"
        notes.append(
            f"{prefix} is a shared issuer ({provider.name}): every tenant gets tokens from it, "
            f"and only the trust policy tells this tenant's from another's ({told}; "
            "`keyless trust` checks it)."
        )
    caller = Caller(CallerType.WEB_IDENTITY, provider=prefix, account=account)
    return Request(
        caller=caller,
        actions=with_session_actions(ASSUME_ROLE_WITH_WEB_IDENTITY, keys),
        context=MappingProxyType(keys),
        resource=role_arn,
        notes=tuple(notes),
    )
