"""An entity listed twice in authorization details: AWS lists each user, group, role and
managed policy once, and IAM keeps user, group and role names unique in an account
ignoring case (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names).
A second entry (pages concatenated twice, or edited in) would be counted and judged twice,
or, with other policies than the first, leave it unclear which one IAM holds."""

from __future__ import annotations

from collections.abc import Iterable

from keyless.collect.formats.auth_details import AuthDetails
from keyless.errors import quoted


def first_duplicate(details: AuthDetails) -> str | None:
    """The first entity ``details`` lists twice, described; None when each is listed once."""
    users = (str(entry.get("UserName", "")) for entry in details.raw_users)
    kinds: tuple[tuple[str, Iterable[str]], ...] = (
        ("user", users),
        ("group", (group.name for group in details.groups)),
        ("role", (role.name for role in details.roles)),
        ("managed policy", (policy.arn for policy in details.policies)),
    )
    for kind, names in kinds:
        seen: set[str] = set()
        for name in names:
            if name.casefold() in seen:
                return f"the {kind} {quoted(name)} is listed twice"
            seen.add(name.casefold())
    return None
