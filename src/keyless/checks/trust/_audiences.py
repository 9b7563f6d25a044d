"""The audiences an IAM OIDC provider accepts, as far as the inventory tells them.

STS accepts a web-identity token only when its ``aud`` is one of the client IDs (audiences)
registered on the IAM OIDC provider the role trusts: "If you remove an audience, identities
federating with the audience cannot assume roles associated with the audience."
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
(``ClientIDList``: "a list of client IDs, also known as audiences").

A trust policy without an ``aud`` condition therefore accepts exactly the provider's list,
which the export's ``oidc-providers.json`` and the live ``GetOpenIDConnectProvider`` give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from keyless.checks.registry import CheckContext
from keyless.model import Account, Dataset
from keyless.patterns.language import Language
from keyless.trust.paths import AccessPath
from keyless.trust.witness import sts_audience


@dataclass(frozen=True, slots=True)
class ProviderAudiences:
    """The client IDs of the IAM OIDC provider a path names, or why they are unknown.

    ``audiences`` is ``None`` when keyless does not know the list; ``unknown`` then says why
    (the providers were not read, the provider is not among those read, its entry carries
    no client IDs).
    """

    audiences: tuple[str, ...] | None
    unknown: str = ""


def provider_audiences(provider_arn: str, ctx: CheckContext) -> ProviderAudiences:
    """The audiences of the IAM OIDC provider ``provider_arn`` (a trust policy's
    ``Federated`` principal), looked up in the account the ARN names.

    Unknown, never assumed, when that account is not in the inventory, its OIDC providers
    were not read, the provider is not among them, or its entry lists no client ID (a
    ``list-open-id-connect-providers`` entry carries only the ARN; and what STS does with a
    provider of no audience is not documented, so it is not taken to accept nothing).
    """
    origin = ctx.inventory.origin
    alone = _JUDGED_WITHOUT_PROVIDERS.get(origin)
    if alone is not None:
        return ProviderAudiences(None, f"{alone}: no OIDC provider was read")
    if origin == "iac":
        return _declared_in_code(provider_arn, ctx)
    parts = provider_arn.split(":", 5)
    owner = parts[4] if len(parts) == 6 and parts[2] == "iam" else ""
    account = _account(owner, ctx)
    if account is None:
        return ProviderAudiences(None, f"account {owner or '?'} of {provider_arn} was not read")
    status = account.dataset(Dataset.OIDC_PROVIDERS)
    if not account.has(Dataset.OIDC_PROVIDERS):
        reason = status.reason or status.state.value
        return ProviderAudiences(
            None, f"the OIDC providers of {account.id} were not read: {reason}"
        )
    provider = next((p for p in account.oidc_providers if p.arn == provider_arn), None)
    if provider is None:
        return ProviderAudiences(
            None, f"{provider_arn} is not among the OIDC providers read from {account.id}"
        )
    if not provider.client_ids:
        return ProviderAudiences(None, f"the entry of {provider_arn} lists no client IDs")
    return ProviderAudiences(tuple(dict.fromkeys(provider.client_ids)))


#: Inventories made up around a trust policy (``keyless trust``, the proof of ``keyless
#: generate``): their accounts' data is "available" so that nothing is unread, but no OIDC
#: provider was read into them.
_JUDGED_WITHOUT_PROVIDERS = {
    "policy": "the trust policy is judged alone",
    "generate": "the trust policy is judged before it is deployed",
}


def _declared_in_code(provider_arn: str, ctx: CheckContext) -> ProviderAudiences:
    """``keyless iac``: the deploying account holds the providers the code declares (one
    per URL in an account), with the client IDs the code fixes; any other provider exists
    outside the code, its audiences unknown."""
    for account in ctx.inventory.accounts:
        for provider in account.oidc_providers:
            if provider.arn == provider_arn:
                if provider.client_ids:
                    return ProviderAudiences(tuple(dict.fromkeys(provider.client_ids)))
                return ProviderAudiences(
                    None, f"the code does not fix the client IDs of {provider_arn}"
                )
    return ProviderAudiences(None, f"{provider_arn} is not declared in the code read")


def _account(owner: str, ctx: CheckContext) -> Account | None:
    if ctx.account is not None and ctx.account.id == owner:
        return ctx.account
    return next((a for a in ctx.inventory.accounts if a.id == owner), None)


def vendor_audience(path: AccessPath) -> str:
    """The ``aud`` the vendor's tokens carry by default (STS's audience unless the provider
    table says otherwise: CircleCI's organization ID, Bitbucket's workspace)."""
    provider = path.provider
    if provider is None or not provider.audience or path.issuer is None:
        return sts_audience(path.partition)
    return provider.default_audience(path.issuer)


def preferring_accepted(
    path: AccessPath,
    ctx: CheckContext,
    prefer: Mapping[str, Iterable[Language]] | None = None,
) -> dict[str, tuple[Language, ...]]:
    """``prefer`` (a witness's preferred values) with, where the provider's audiences are
    known and ``prefer`` says nothing of ``aud``, those audiences (the vendor's first): a
    witness then carries an audience STS accepts from that provider, not STS's default."""
    merged = {key: tuple(values) for key, values in (prefer or {}).items()}
    known = provider_audiences(path.principal, ctx).audiences
    aud = path.key("aud")
    if known and aud not in merged:
        default = vendor_audience(path)
        ordered = sorted(known, key=lambda audience: audience != default)
        merged[aud] = tuple(Language.literal(audience) for audience in ordered)
    return merged
