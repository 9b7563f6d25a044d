"""The existing OIDC provider a plan's role reuses (``provider.arn``), checked.

``keyless generate`` writes that ARN as the role's ``Federated`` principal (and imports
the provider into Terraform by it), so a hand-edited one decides whom the role trusts: a
provider of another issuer, another account or another partition, or one the account does
not have, is refused by ``keyless plan --check`` and ``keyless generate`` alike.

IAM names a provider ``arn:PARTITION:iam::ACCOUNT:oidc-provider/URL``, the URL without
its ``https://`` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html);
a role trusts a provider of its own account, the one IAM holds for the issuer (one per
URL), and partitions are isolated
(https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
URLs are compared without case, as the plan picked the provider.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from keyless.errors import quoted
from keyless.model import Account, Dataset
from keyless.model.arn import parse_arn
from keyless.plan.partition import arn_partition

_PREFIX = "oidc-provider/"


def provider_arn(account: str, issuer: str, partition: str) -> str:
    """The ARN IAM gives the provider of ``issuer`` in ``account``."""
    return f"arn:{partition}:iam::{account}:{_PREFIX}{issuer}"


def same_issuer(one: str, other: str) -> bool:
    """Whether two provider URLs (no scheme) name one issuer, without case: as
    :func:`keyless.plan.targets.oidc_provider` picks the account's provider, so a plan
    keyless writes passes its own check."""
    return one.lower() == other.lower()


def provider_problems(role: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """What is wrong with an ``oidc_roles`` entry's ``provider.arn`` on its own (a JSON
    pointer below the entry and a message): not an IAM OIDC provider ARN, or one of
    another partition, account or issuer than the role's."""
    arn = role["provider"]["arn"]
    if arn is None:
        return
    issuer = role["provider"]["issuer"]
    partition = arn_partition(role["user"]) or "aws"
    wanted = provider_arn(role["account"], issuer, partition)
    parsed = parse_arn(arn)
    where = "/provider/arn"
    if (
        parsed is None
        or parsed.service != "iam"
        or parsed.region
        or not parsed.resource.startswith(_PREFIX)
    ):
        yield where, f"{quoted(arn)} is not an IAM OIDC provider ARN (the role's is {wanted})"
    elif parsed.partition != partition:
        yield (
            where,
            f"{quoted(arn)} is in the partition {quoted(parsed.partition)}, the role in "
            f"{quoted(partition)}: partitions are isolated (the role's provider is {wanted})",
        )
    elif parsed.account != role["account"]:
        yield (
            where,
            f"{quoted(arn)} is a provider of account {quoted(parsed.account)}: a role trusts "
            f"its own account's provider ({wanted})",
        )
    elif not same_issuer(parsed.resource.removeprefix(_PREFIX), issuer):
        yield (
            where,
            f"{quoted(arn)} is not the provider of the role's issuer {issuer} ({wanted})",
        )


def account_provider_problems(
    role: Mapping[str, Any], account: Account
) -> Iterator[tuple[str, str]]:
    """What is wrong with ``provider.arn`` against the account as the inventory read it:
    an ARN the account does not have, or none where the account has the issuer's provider
    (``generate`` would create a second one, which IAM refuses). Nothing when the
    account's providers were not read."""
    if not account.has(Dataset.OIDC_PROVIDERS):
        return
    arn, issuer = role["provider"]["arn"], role["provider"]["issuer"]
    existing = next(
        (p.arn for p in account.oidc_providers if same_issuer(_url(p.url), issuer)),
        None,
    )
    if arn is None and existing is not None:
        yield (
            "/provider/arn",
            f"account {account.id} already has the provider of {issuer} ({existing}): the "
            "role reuses it (IAM holds one provider per URL)",
        )
    elif arn is not None and not any(p.arn == arn for p in account.oidc_providers):
        yield "/provider/arn", f"account {account.id} has no OIDC provider {quoted(arn)}"


def _url(url: str) -> str:
    """A provider's URL as its ARN and the plan's issuer write it: no scheme, no final /."""
    return url.removeprefix("https://").removeprefix("HTTPS://").rstrip("/")
