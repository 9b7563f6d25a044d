"""Naming and shaping the targets: one Identity Center user per person, one permission
set per distinct set of carried permissions, one role per migrating workload user.

Names follow AWS's grammars, so a plan can be built as it is: permission sets
``[\\w+=,.@-]{1,32}`` (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html),
roles ``[\\w+=,.@-]{1,64}`` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
Names are unique: a clash gets ``-2``, ``-3``…, and a role never takes the name of a role
the account already has.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from keyless.model import Account, Dataset, User
from keyless.people import Person
from keyless.plan.model import (
    IdentityCenterUser,
    OidcProviderRef,
    Permissions,
    PermissionSetPlan,
)
from keyless.plan.partition import account_partition, sts_audience

PERMISSION_SET_NAME = re.compile(r"[\w+=,.@-]{1,32}", re.ASCII)
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_NAME_CHAR = re.compile(r"[\w+=,.@-]", re.ASCII)
# The issuers and audiences each CI platform's tokens carry:
# https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
# https://docs.gitlab.com/ci/cloud_services/aws/
PROVIDERS = {
    "github": ("token.actions.githubusercontent.com", "sts.amazonaws.com"),
    "gitlab": ("gitlab.com", "https://gitlab.com"),
}


def platform_provider(platform: str, partition: str) -> tuple[str, str]:
    """The issuer and audience of ``platform``'s tokens for STS in ``partition``: GitHub's
    audience is STS's own, which differs in China; GitLab's is the one keyless pins."""
    issuer, audience = PROVIDERS[platform]
    if platform == "github":
        return issuer, sts_audience(partition)
    return issuer, audience


class Names:
    """Hands out unique names (case-insensitively) within a length limit; characters
    outside the grammar become ``-``."""

    def __init__(
        self, limit: int, taken: Iterable[str] = (), *, allowed: Callable[[str], bool] | None = None
    ):
        self.limit = limit
        self.taken = {name.lower() for name in taken}
        self.allowed = allowed or (lambda char: bool(_NAME_CHAR.fullmatch(char)))

    def claim(self, wanted: str, *alternatives: str) -> str:
        """``wanted`` made valid and unique: when it is taken, the first free of
        ``alternatives``, else ``wanted`` with ``-2``, ``-3``…"""
        for alternative in alternatives:
            if self._clean(wanted).lower() not in self.taken:
                break
            candidate = self._clean(alternative)
            if candidate.lower() not in self.taken:
                self.taken.add(candidate.lower())
                return candidate
        base = self._clean(wanted)
        name, counter = base, 1
        while name.lower() in self.taken:
            counter += 1
            suffix = f"-{counter}"
            name = base[: self.limit - len(suffix)] + suffix
        self.taken.add(name.lower())
        return name

    def _clean(self, wanted: str) -> str:
        cleaned = "".join(c if self.allowed(c) else "-" for c in wanted)
        return re.sub("-{2,}", "-", cleaned).strip("-")[: self.limit] or "keyless"


def _identity_store_char(char: str) -> bool:
    # UserName: letters, marks, symbols, numbers and punctuation, no spaces or controls:
    # https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html
    return unicodedata.category(char)[0] in "LMSNP"


def identity_center_users(
    people: Sequence[tuple[Person, tuple[User, ...]]],
) -> list[tuple[IdentityCenterUser, tuple[User, ...]]]:
    """One Identity Center user per person, from the person's users moving there: named
    by the person's email when one is known, else by the normalized name."""
    names = Names(128, allowed=_identity_store_char)
    result = []
    for person, users in people:
        email = next((i.email for i in person.identities if i.email), None)
        tokens = max((i.tokens for i in person.identities), key=len, default=())
        display = " ".join(t.capitalize() for t in tokens) or users[0].name
        user = IdentityCenterUser(
            user_name=names.claim(email or person.key or users[0].name),
            display_name=display,
            email=email,
            iam_users=tuple(u.arn for u in users),
        )
        result.append((user, users))
    return result


def permission_set(
    permissions: Permissions,
    users: Sequence[User],
    names: Names,
    flags: tuple[str, ...],
    notes: tuple[str, ...],
) -> PermissionSetPlan:
    """A permission set named after its one policy, or its users' one group, or its
    users (see :func:`permission_set_name`)."""
    wanted = permission_set_name(permissions, users)
    first = min(user.name for user in users)
    name = names.claim(wanted, f"{wanted}-{first}")
    shown = sorted({user.name for user in users})
    description = f"keyless plan: the permissions of {', '.join(shown[:5])}"
    if len(shown) > 5:
        description += f" and {len(shown) - 5} more"
    return PermissionSetPlan(name, description[:700], permissions, flags, notes)


def permission_set_name(permissions: Permissions, users: Sequence[User]) -> str:
    """The one managed policy's name (``ReadOnlyAccess``); else the one group every user
    has its permissions from (``admins``); else the policies' names joined; else
    ``Carried-`` and the users' names."""
    references = [a.rsplit("/", 1)[-1] for a in permissions.aws_managed] + [
        c.name for c in permissions.customer_managed
    ]
    if len(references) == 1 and permissions.inline is None:
        return references[0]
    groups = {tuple(sorted(user.groups)) for user in users}
    direct = any(user.attached_policies or user.inline_policies for user in users)
    if len(groups) == 1 and not direct:
        only = next(iter(groups))
        if len(only) == 1:
            return only[0]
    if references and permissions.inline is None:
        return "+".join(references)
    return "Carried-" + "-".join(sorted({user.name for user in users}))


def role_names(account: Account) -> Names:
    """Names for new roles in ``account``, avoiding its existing ones."""
    return Names(64, (role.name for role in account.roles))


def oidc_provider(
    account: Account, platform: str, tenant: tuple[str, str] | None = None
) -> OidcProviderRef:
    """The provider a role of ``platform`` trusts, with its ARN and client IDs when the
    account has it. ``tenant`` is the issuer and audience of a platform with an issuer per
    tenant (:mod:`keyless.plan.tenants`).

    IAM holds one provider per URL in an account, so an existing one is reused, whatever
    its client IDs: STS accepts a token only when its ``aud`` is one of them
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html,
    ``ClientIDList``), so a reused provider that lacks the audience needs it added
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddClientIDToOpenIDConnectProvider.html):
    :attr:`OidcProviderRef.note` says so, and ``keyless generate`` writes the step. A list
    the inventory does not hold (a ``list-open-id-connect-providers`` entry only) is
    ``None``: unknown, never taken to hold the audience."""
    issuer, audience = tenant or platform_provider(platform, account_partition(account))
    existing = next(
        (
            p
            for p in account.oidc_providers
            if p.url.lower().removeprefix("https://").rstrip("/") == issuer.lower()
        ),
        None,
    )
    if existing is None:
        # An export without oidc-providers.json: a provider may exist all the same.
        return OidcProviderRef(issuer, audience, providers_read=account.has(Dataset.OIDC_PROVIDERS))
    return OidcProviderRef(issuer, audience, existing.arn, existing.client_ids or None)
