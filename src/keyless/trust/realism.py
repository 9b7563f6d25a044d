"""What every real request of an access path's kind satisfies: the facts of its mechanism.

An OIDC token always has ``sub`` and ``aud``, its ``sub`` is one the provider can mint
(:mod:`keyless.idp.grammars`), and STS exposes only the claims AWS maps; a SAML assertion
always has a recipient (``saml:aud``) and names its provider (``saml:doc``); Roles Anywhere
always passes a trust anchor; and no request carries a key its mechanism never supplies
(:func:`keyless.idp.context_keys.unsupplied`: another issuer's keys, ``aws:PrincipalOrgID``
for a web-identity caller, ``sts:ExternalId`` for SAML).

These facts are part of every question asked of a path (:attr:`AccessPath.universe`), so a
statement that only an impossible request satisfies admits nobody, for every check alike,
and :mod:`keyless.trust.witness` builds witnesses a real caller could present.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

from keyless.idp.context_keys import Mechanism, exposed_claims, unsupplied
from keyless.idp.grammars import claim_values, grammar_for
from keyless.idp.providers import provider_for
from keyless.model.arn import parse_arn
from keyless.patterns.dfa import CharClass, Token
from keyless.patterns.language import Glob, Language
from keyless.trust.formula import TRUE, Term, absent, all_of, any_of, present, with_question

# Claims real tokens always carry (besides sub and aud), per provider.
# GitHub: https://docs.github.com/en/actions/reference/security/oidc ; GitLab and Buildkite:
# their ID-token references (see keyless.idp.providers).
_GITHUB_CLAIMS = (
    "actor",
    "actor_id",
    "job_workflow_ref",
    "ref",
    "repository",
    "repository_id",
    "repository_owner_id",
    "workflow",
)
ALWAYS_PRESENT = {
    "GitHub Actions": _GITHUB_CLAIMS,
    "GitHub Enterprise Server": _GITHUB_CLAIMS,
    "GitLab": ("namespace_id", "pipeline_source", "project_id", "ref_protected", "user_id"),
    "Buildkite": ("organization_slug", "organization_id", "pipeline_slug", "pipeline_id"),
}

#: The mechanism each principal class reaches STS through (``None``: nothing is known).
MECHANISMS = {
    "anyone": Mechanism.AWS,
    "aws-account": Mechanism.AWS,
    "aws-principal": Mechanism.AWS,
    "deleted-principal": Mechanism.AWS,
    "oidc": Mechanism.WEB_IDENTITY,
    "saml": Mechanism.SAML,
    "service": Mechanism.SERVICE,
    "roles-anywhere": Mechanism.SERVICE,
}

# Any partition: a GovCloud or China trust anchor is as real as one in `aws`.
_ANCHORS = Language.arn_pattern("arn:aws*:rolesanywhere:*:*:trust-anchor/*")


# STS takes an ExternalId of 2 to 1,224 characters of [\w+=,.@:/-]: an empty or one-character
# value, or one with a space, is never presented (the upper bound is not modelled).
# https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
_EXTERNAL_ID_CHAR = CharClass(frozenset(string.ascii_letters + string.digits + "_+=,.@:/-"))
EXTERNAL_IDS = Language.from_tokens(
    (Token(_EXTERNAL_ID_CHAR), Token(_EXTERNAL_ID_CHAR), Token(_EXTERNAL_ID_CHAR, star=True))
)


def mechanism_facts(
    principal_class: str,
    principal: str,
    issuer: str | None,
    keys: Iterable[str],
    *,
    complete: bool,
) -> Term:
    """The facts of a path's mechanism about ``keys`` (lower-cased condition keys).

    With ``complete`` the facts also cover keys the policy does not mention (an OIDC token
    has ``sub`` and ``aud`` whatever the policy says): what a witness needs. Without, only
    ``keys`` are constrained: what every question of the path needs, at the least cost.
    """
    mechanism = MECHANISMS.get(principal_class)
    if mechanism is None:
        return TRUE
    keys = frozenset(keys)
    terms = [absent(key) for key in sorted(keys) if unsupplied(key, mechanism, issuer)]
    if mechanism is Mechanism.WEB_IDENTITY and issuer is not None:
        terms.extend(_token_facts(issuer, keys, complete))
    elif mechanism is Mechanism.SAML:
        terms.extend(_assertion_facts(principal, keys, complete))
    elif principal_class == "roles-anywhere" and (complete or "aws:sourcearn" in keys):
        terms += [any_of("aws:sourcearn", _ANCHORS), all_of("aws:sourcearn", _ANCHORS)]
    if "sts:externalid" in keys and not unsupplied("sts:externalid", mechanism, issuer):
        terms.append(all_of("sts:externalid", EXTERNAL_IDS))
    terms.extend(_service_identity_facts(mechanism, keys))
    return with_question(*terms) if terms else TRUE


# aws:PrincipalIsAWSService "is present in the request context for all signed API requests
# that use AWS credentials": true only when the call is made directly by an AWS service
# principal, false for an IAM user, role session or root. aws:PrincipalServiceName is
# present when (and only when) a service principal makes the call.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalservicename
IS_SERVICE = "aws:principalisawsservice"
SERVICE_NAME = "aws:principalservicename"
_IS_SERVICE_VALUE = {Mechanism.AWS: "false", Mechanism.SERVICE: "true"}


def _service_identity_facts(mechanism: Mechanism, keys: frozenset[str]) -> list[Term]:
    # Only for keys the policy mentions, also for witnesses: a witness shows no key its
    # policy does not look at.
    terms: list[Term] = []
    value = _IS_SERVICE_VALUE.get(mechanism)
    if value is not None and IS_SERVICE in keys:
        only = Language.literal(value)
        terms += [any_of(IS_SERVICE, only), all_of(IS_SERVICE, only)]
    if mechanism is Mechanism.SERVICE and SERVICE_NAME in keys:
        terms.append(present(SERVICE_NAME))
    return terms


def _token_facts(issuer: str, keys: frozenset[str], complete: bool) -> list[Term]:
    provider = provider_for(issuer)
    exposed = exposed_claims(provider)
    always: set[str] = set()
    if provider.generic_keys:
        always |= {"sub", "aud"}
    if provider.name == "Google":
        always |= {"sub", "aud", "oaud"}
    if provider.name == "Amazon Cognito identity pools":
        always |= {"amr"}
    always |= set(ALWAYS_PRESENT.get(provider.name, ()))

    def key(name: str) -> str:
        return f"{issuer}:{name}".lower()

    terms = [
        present(key(name)) for name in sorted(always & exposed) if complete or key(name) in keys
    ]
    for name in sorted(exposed):
        values = claim_values(provider.name, name)
        if values is not None and (complete or key(name) in keys):
            # A claim's value is one the provider writes (an ID is decimal): a policy
            # value outside them is never presented.
            terms.append(all_of(key(name), values))
    grammar = grammar_for(provider.name)
    sub = key("sub")
    if grammar is not None and "sub" in exposed and (complete or sub in keys):
        # A sub the provider cannot mint is never presented (git forbids ':' in a branch).
        terms.append(all_of(sub, grammar.well_formed_language()))
        tenant = provider.issuer_tenant(issuer)
        if tenant is not None and grammar.tenant_templates:
            # An issuer of one tenant mints only that tenant's subjects (CircleCI's
            # oidc.circleci.com/org/ID: org/ID/…).
            terms.append(all_of(sub, grammar.tenant_language(tenant)))
    return terms


def named_facts(issuer: str | None, values: Mapping[str, tuple[str, ...]]) -> list[Term]:
    """What a policy's ``sub`` values say no token holds: a name the provider never gives
    (:meth:`keyless.idp.subject_grammar.SubGrammar.invalid_name`: GitHub's ``repo:o/ré``,
    in any case, wherever the field is). Read from the values, not built into the
    grammar's automaton (whose alphabet would grow by every character a name may hold), so
    it costs only the policies that name one."""
    if issuer is None:
        return []
    grammar = grammar_for(provider_for(issuer).name)
    sub = f"{issuer}:sub".lower()
    if grammar is None or grammar.invalid_names is None or sub not in values:
        return []
    names = {name for value in values[sub] if (name := grammar.invalid_name(value))}
    forms: list[list[str | Glob]] = []
    for name in sorted(names):
        forms += [[name, Glob.STAR], [Glob.STAR, f":{name}", Glob.STAR]]
    never = [Language.from_glob(form, ignore_case=True) for form in forms]
    # A character no name holds after a wildcard (`repo:o/r*é`): no name field holds it.
    foreign = grammar.foreign_names(values[sub])
    if foreign is not None:
        never.append(foreign)
    if not never:
        return []
    return [all_of(sub, ~Language.union_all(never))]


def _assertion_facts(principal: str, keys: frozenset[str], complete: bool) -> list[Term]:
    terms = []
    if complete or "saml:aud" in keys:
        terms.append(present("saml:aud"))  # the assertion's Recipient
    parsed = parse_arn(principal)
    if parsed is not None and (complete or "saml:doc" in keys):
        doc = Language.literal(f"{parsed.account}/{parsed.resource.split('/', 1)[-1]}")
        terms += [any_of("saml:doc", doc), all_of("saml:doc", doc)]
    return terms


__all__ = [
    "ALWAYS_PRESENT",
    "EXTERNAL_IDS",
    "IS_SERVICE",
    "MECHANISMS",
    "SERVICE_NAME",
    "mechanism_facts",
    "named_facts",
]
