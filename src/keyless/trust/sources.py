"""The accounts whose resources a service path is pinned to (``aws:SourceAccount``, …).

A service principal acting for a resource sends the resource's account as
``aws:SourceAccount`` (``aws:SourceOwner`` for a few older services) and its ARN as
``aws:SourceArn``. AWS's confused-deputy guidance: "Use aws:SourceArn if you want only one
resource to be associated with the cross-service access. Use aws:SourceAccount if you want
to allow any resource in that account to be associated with the cross-service use"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). An account the
policy names exactly — the role's own, or another one deliberately delegated to (a central
logging account's SNS topic) — is *pinned*: the service cannot be made to act for anyone
else's resources, which is what a confused deputy is. A pattern over accounts
(``StringLike "*"``, ``arn:aws:events:*:*:rule/*``) names none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from keyless.patterns.dfa import CharClass, Token
from keyless.patterns.language import Language
from keyless.trust.formula import Term, all_of, with_question
from keyless.trust.paths import AccessPath

_ACCOUNT = re.compile(r"[0-9]{12}", re.ASCII)
_ACCOUNT_KEYS = ("aws:sourceaccount", "aws:sourceowner")

#: Twelve digits: what an account ID is, for a witness's aws:SourceAccount.
ACCOUNT_IDS = Language.from_tokens((Token(CharClass(frozenset("0123456789"))),) * 12)


def named_source_accounts(path: AccessPath) -> tuple[str, ...]:
    """The accounts the path's Allow statements name exactly as a source: 12-digit
    ``aws:SourceAccount`` / ``aws:SourceOwner`` values, and the account field of an
    ``aws:SourceArn`` value when it is 12 digits (``arn:aws:sns:*:222233334444:*``)."""
    found: set[str] = set()
    for key in _ACCOUNT_KEYS:
        found.update(v for v in path.policy_values(key) if _ACCOUNT.fullmatch(v))
    for value in path.policy_values("aws:sourcearn"):
        fields = value.split(":", 5)
        if len(fields) == 6 and _ACCOUNT.fullmatch(fields[4]):
            found.add(fields[4])
    return tuple(sorted(found))


def from_other_accounts(accounts: Iterable[str]) -> Term:
    """A service request for a resource of none of ``accounts`` (or naming no account)."""
    accounts = sorted(set(accounts))
    named = Language.finite(accounts)
    arns = Language.union_all(Language.arn_pattern(f"arn:*:*:*:{a}:*") for a in accounts)
    return with_question(
        all_of("aws:sourceaccount", ~named),
        all_of("aws:sourcearn", ~arns),
        all_of("aws:sourceowner", ~named),
    )


def pinned_source_accounts(path: AccessPath) -> tuple[str, ...]:
    """The accounts the path admits service requests for, when it admits none for a
    resource of any other account; else ``()``."""
    accounts = named_source_accounts(path)
    if not accounts or path.admits(from_other_accounts(accounts)):
        return ()
    return accounts


__all__ = ["ACCOUNT_IDS", "from_other_accounts", "named_source_accounts", "pinned_source_accounts"]
