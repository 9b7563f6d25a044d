"""Checks on the organization as a whole: people who hold IAM users in several
accounts, and whether IAM Identity Center exists to replace them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from keyless.checks.registry import CheckContext, Scope, check
from keyless.errors import quoted
from keyless.findings import Problem, Severity
from keyless.model import AccountStatus, Dataset, DatasetState, Inventory
from keyless.people import Person, duplicated_people


@check(
    "user-duplicated-across-accounts",
    title="Same person has IAM users in several accounts",
    severity=Severity.MEDIUM,
    scope=Scope.ORGANIZATION,
    remediation=(
        "Give the person one identity in IAM Identity Center with permission sets "
        "assigned in each account they need, then retire their IAM users (and keys) "
        "account by account."
    ),
)
def user_duplicated_across_accounts(inventory: Inventory, ctx: CheckContext) -> Iterator[Problem]:
    """One person (or one machine identity) holds IAM users in two or more accounts.

    Every copy carries its own password, MFA device and keys, each rotated (or not)
    separately, and when the person leaves, every copy must be found and removed. One
    Identity Center user with permission sets gives the same access with one set of
    credentials and one place to revoke it:
    https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html
    Users are matched on a normalized name (case, separators, ``@domain`` and affixes
    such as ``-admin`` or ``_ci`` ignored), ``email``/``mail`` tags and console-password
    presence; the evidence lists every matched user once, each account once, and one
    match explaining each user but the first (with its signals), so a person can judge
    it. A user of a skipped or failed account is not considered. When no matched user
    has a console password or email tag the finding is ``low``: it is probably a machine
    identity copied across accounts.
    """
    users = [user for account in inventory.scanned_accounts for user in account.users]
    labels = {account.id: account.label for account in inventory.accounts}
    yield from duplicated_people_problems(duplicated_people(users), labels)


#: How many account IDs a finding's message names; its evidence lists them all.
MESSAGE_ACCOUNTS = 5


def duplicated_people_problems(
    people: Iterable[Person], labels: Mapping[str, str]
) -> Iterator[Problem]:
    """One problem per person, listing each user once and each account once (``labels``
    maps account IDs to ``alias (id)``). Shared by the whole-inventory check and the
    account-by-account scan, which keeps users' identities, not their accounts."""
    for person in people:
        accounts = person.account_ids
        matched = [
            {
                "arn": identity.arn,
                "account": identity.account_id,
                "name": identity.name,
                "normalized": identity.key,
                "email": identity.email,
                "console_password": identity.console,
                "active_keys": identity.active_keys,
            }
            for identity in person.identities
        ]
        links = [
            {"users": [link.first, link.second], "score": link.score, "signals": list(link.signals)}
            for link in person.links
        ]
        named = ", ".join(accounts[:MESSAGE_ACCOUNTS])
        if len(accounts) > MESSAGE_ACCOUNTS:
            named += f" and {len(accounts) - MESSAGE_ACCOUNTS} more"
        noun = "person" if person.is_human else "identity"
        yield Problem(
            resource=person.users[0].arn,
            message=(
                f"{noun} {quoted(person.key)} has {len(person.users)} IAM users in "
                f"{len(accounts)} accounts ({named})"
            ),
            evidence=MappingProxyType(
                {
                    "person": person.key,
                    "users": matched,
                    "accounts": list(accounts),
                    "account_labels": {a: labels.get(a, a) for a in accounts},
                    "matches": links,
                    "signals": sorted({s for link in person.links for s in link.signals}),
                }
            ),
            severity=None if person.is_human else Severity.LOW,
        )


@check(
    "org-identity-center-missing",
    title="Organization has no IAM Identity Center instance",
    severity=Severity.MEDIUM,
    scope=Scope.ORGANIZATION,
    requires=(Dataset.IDENTITY_CENTER,),
    remediation=(
        "Enable IAM Identity Center in the management account (or a delegated "
        "administrator), connect your identity provider, and create permission sets to "
        "replace per-account IAM users."
    ),
)
def org_identity_center_missing(inventory: Inventory, ctx: CheckContext) -> Iterator[Problem]:
    """The organization has no IAM Identity Center instance.

    Without it, people reach member accounts through IAM users (permanent passwords
    and keys in every account) or hand-built SAML federation. Identity Center gives
    every person one sign-in, temporary credentials in every account and one place to
    revoke access: https://docs.aws.amazon.com/singlesignon/latest/userguide/get-started-enable-identity-center.html
    Not evaluated when whether an instance exists could not be read (the engine reports
    the organization's ``identity_center`` state as the reason).
    """
    org = inventory.organization
    if org is None or org.identity_center_state.state is not DatasetState.AVAILABLE:
        return
    if org.identity_center is not None:
        return
    management = next((a for a in inventory.accounts if a.id == org.management_account_id), None)
    partition = management.partition if management else "aws"
    scanned = sum(1 for a in inventory.accounts if a.status is AccountStatus.SCANNED)
    yield Problem(
        resource=f"arn:{partition}:organizations::{org.management_account_id}:organization/{org.id}",
        message=f"organization {org.id} has no IAM Identity Center instance",
        evidence=MappingProxyType(
            {
                "organization": org.id,
                "management_account": org.management_account_id,
                "scanned_accounts": scanned,
            }
        ),
    )
