"""The account a trust policy belongs to, as far as the policy itself tells.

A trust policy judged alone (``keyless trust POLICY.json``, a Terraform or CloudFormation
role) has no account of its own, yet "another account" depends on it. Some of its parts
can only name the role's own account:

* an IAM OIDC provider in ``Principal.Federated``: STS only accepts a token through a
  provider of the role's own account
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html);
  an IAM SAML provider is taken for the role's account too, as every AWS example writes
  it, though no AWS page found says STS refuses another account's (so such a statement is
  still judged as usable, never as dead);
* ``aws:SourceAccount`` / ``aws:SourceOwner`` and the account of ``aws:SourceArn`` in an
  Allow statement: the account whose resources a service acts for, which AWS's
  confused-deputy guidance pins to the role's own
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).

When these name exactly one account, it is taken for the role's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from keyless.errors import quoted
from keyless.policy.evaluate import BUILT_IN_WEB_IDENTITY_PROVIDERS
from keyless.policy.templates import has_placeholder

_PROVIDER = re.compile(r"arn:aws[a-z-]*:iam::([0-9]{12}):(?:oidc|saml)-provider/.+", re.ASCII)
_ACCOUNT = re.compile(r"[0-9]{12}", re.ASCII)
_SOURCE_ARN = re.compile(r"arn:aws[a-z-]*:[^:*?]+:[^:]*:([0-9]{12}):.*", re.ASCII)
# A partition as AWS names them; "arn:aws*:" (a wildcard) names none.
_PARTITION = re.compile(r"arn:(aws(?:-[a-z]{1,10}){0,3}):", re.ASCII)
_SOURCE_ACCOUNT_KEYS = frozenset({"aws:sourceaccount", "aws:sourceowner"})


_OIDC_PROVIDER = re.compile(r"arn:aws[a-z-]*:iam::([0-9]{12}):oidc-provider/.+", re.ASCII)


def oidc_provider_account(principal: str) -> str | None:
    """The account of the IAM OIDC provider a ``Principal.Federated`` ARN names (None: a
    built-in provider such as ``accounts.google.com``, or an account that is a placeholder).

    STS looks the token's issuer up among the IAM OIDC providers *of the role's account*
    ("No OpenIDConnect provider found in your account for ISSUER" when there is none:
    https://github.com/aws-actions/configure-aws-credentials/issues/280), and a role trusted
    by pods of another account's cluster needs a provider in its own account
    (https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html, option 1):
    a statement naming another account's provider admits no token at all.
    """
    match = _OIDC_PROVIDER.fullmatch(principal)
    return match.group(1) if match else None


def names_provider_by_host(principal: str) -> bool:
    """Does the ``Principal.Federated`` value ``principal`` name an OIDC issuer by its host
    name (``token.actions.githubusercontent.com``) where STS takes only an IAM OIDC
    provider's ARN? Host names are for the providers built into STS alone
    (``accounts.google.com``, ``cognito-identity.amazonaws.com``, ``graph.facebook.com``,
    ``www.amazon.com``); "for other OIDC providers, use the ARN of the OIDC identity
    provider you created"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html),
    so such a principal matches no token. ``*`` and an unrendered placeholder
    (``${provider}``) are not judged here."""
    text = principal.strip()
    return not (
        text == "*"
        or text.lower() in BUILT_IN_WEB_IDENTITY_PROVIDERS
        or text.lower().startswith("arn:")
        or has_placeholder(text)
    )


# An IAM identity provider's ARN, whatever its parts hold.
_ANY_PROVIDER = re.compile(
    r"arn:([^:]*):iam:([^:]*):([^:]*):(?:oidc|saml)-provider/.*", re.ASCII | re.DOTALL
)
_PARTITION_NAME = re.compile(r"aws(?:-[a-z]{1,10}){0,3}", re.ASCII)


def malformed_provider(principal: str) -> str | None:
    """Why ``principal``, a ``Principal.Federated`` IAM OIDC or SAML provider ARN, can be
    no account's provider (``arn:aws:iam:::oidc-provider/HOST``: no account; a partition
    AWS has not; a Region, which IAM ARNs never hold), or None. No provider can have such
    an ARN (IAM makes it of the provider's partition and account), and STS takes a token
    or an assertion only through a provider that exists (for OIDC, one of the role's own
    account: :func:`oidc_provider_account`), so such a statement admits nobody, whatever
    the role's account is. An unrendered placeholder (``arn:aws:iam::${AWS::AccountId}:…``)
    is not judged here."""
    match = _ANY_PROVIDER.fullmatch(principal)
    if match is None or has_placeholder(principal):
        return None
    partition, region, account = match.groups()
    if not _PARTITION_NAME.fullmatch(partition):
        return f"its partition {quoted(partition)} is none AWS has"
    if region:
        return f"it names the Region {quoted(region)}, and IAM ARNs name none"
    if not _ACCOUNT.fullmatch(account):
        return f"its account {quoted(account)} is not 12 digits"
    return None


UNKNOWN_ACCOUNT = "000000000000"
"""No role lives in it: the stand-in for a role's account that nothing tells (the account
infrastructure code is deployed to; a policy file naming the providers of several
accounts). Nothing is "another account's provider" to it."""


def names_foreign_provider(principal: str, account: str) -> bool:
    """Does ``principal`` name the OIDC provider of an account other than ``account`` (the
    role's)? An unknown role account (empty, :data:`UNKNOWN_ACCOUNT`) is never "other"."""
    if account in ("", UNKNOWN_ACCOUNT):
        return False
    provider_account = oidc_provider_account(principal)
    return provider_account is not None and provider_account != account


def owner_account(document: Any) -> str | None:
    """The one account the policy's providers and source conditions name, else None."""
    found = named_accounts(document)
    return next(iter(found)) if len(found) == 1 else None


def named_accounts(document: Any) -> frozenset[str]:
    """Every account the policy's providers and source conditions name (see above)."""
    return frozenset(_named_accounts(document))


def owner_partition(document: Any) -> str | None:
    """The role's partition as the policy tells it: the one its IAM identity providers are
    in (a role trusts its own account's providers only, :func:`provider_partition`), else
    the one partition (``aws``, ``aws-us-gov``, ``aws-cn``) the ARNs of its principals and
    ``aws:SourceArn`` name; else None. Trust does not cross partitions, so a policy naming
    GovCloud principals is a GovCloud role's."""
    providers = provider_partition(document)
    if providers is not None:
        return providers
    found = set(_named_partitions(document))
    return found.pop() if len(found) == 1 else None


def provider_partition(document: Any) -> str | None:
    """The one partition of the IAM OIDC and SAML providers the Allow statements name as
    ``Federated`` (a role trusts providers of its own account only:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html),
    else None."""
    found = set()
    for statement in _allow_statements(document):
        principal = statement.get("Principal")
        if isinstance(principal, Mapping):
            for value in _strings(principal.get("Federated")):
                if _PROVIDER.fullmatch(value) and (match := _PARTITION.match(value)):
                    found.add(match.group(1))
    return found.pop() if len(found) == 1 else None


def _named_partitions(document: Any) -> Iterator[str]:
    for statement in _allow_statements(document):
        principal = statement.get("Principal")
        if isinstance(principal, Mapping):
            for kind in ("AWS", "Federated"):
                for value in _strings(principal.get(kind)):
                    if match := _PARTITION.match(value):
                        yield match.group(1)
        conditions = statement.get("Condition")
        for operator, block in conditions.items() if isinstance(conditions, Mapping) else ():
            # As for accounts: an ArnNotEquals names what the role is *not* for.
            negated = "Not" in str(operator) or not isinstance(block, Mapping)
            for key, values in block.items() if not negated else ():
                if str(key).lower() == "aws:sourcearn":
                    for value in _strings(values):
                        if match := _PARTITION.match(value):
                            yield match.group(1)


def _allow_statements(document: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        return
    for statement in statements:
        if isinstance(statement, Mapping) and statement.get("Effect") == "Allow":
            yield statement


def _named_accounts(document: Any) -> Iterator[str]:
    for statement in _allow_statements(document):
        principal = statement.get("Principal")
        if isinstance(principal, Mapping):
            for value in _strings(principal.get("Federated")):
                if match := _PROVIDER.fullmatch(value):
                    yield match.group(1)
        conditions = statement.get("Condition")
        if not isinstance(conditions, Mapping):
            continue
        for operator, block in conditions.items():
            negated = "Not" in str(operator) or not isinstance(block, Mapping)
            for key, values in block.items() if not negated else ():
                name = str(key).lower()
                for value in _strings(values):
                    if name in _SOURCE_ACCOUNT_KEYS and _ACCOUNT.fullmatch(value):
                        yield value
                    elif name == "aws:sourcearn" and (match := _SOURCE_ARN.fullmatch(value)):
                        yield match.group(1)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
