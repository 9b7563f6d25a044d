"""What retire may act on: users and keys, each checked against its grammar; never a
role or the root user."""

from __future__ import annotations

import pytest

from keyless.retire.selection import (
    Force,
    KeyRef,
    Selection,
    SelectionError,
    UserRef,
    parse_key,
    parse_user,
)

KEY = "AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alice", UserRef(None, "alice")),
        (
            "123456789012:alice.smith@example.com",
            UserRef("123456789012", "alice.smith@example.com"),
        ),
        ("arn:aws:iam::123456789012:user/ci/deploy", UserRef("123456789012", "deploy")),
        ("arn:aws-us-gov:iam::123456789012:user/x", UserRef("123456789012", "x")),
    ],
)
def test_users_are_named_three_ways(text: str, expected: UserRef) -> None:
    assert parse_user(text) == expected


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("arn:aws:iam::123456789012:root", "root user"),
        ("arn:aws:iam::123456789012:role/admin", "not on a role"),
        ("arn:aws:iam::123456789012:group/devs", "not on a group"),
        ("arn:aws:s3:::bucket", "not an IAM user ARN"),
        ("12345:alice", "12-digit account"),
        ("alice smith", "not a valid IAM user name"),
        ("alice\nDONE", "not a valid IAM user name"),
        ("a" * 65, "not a valid IAM user name"),
        ("", "not a valid IAM user name"),
        ("\uff41lice", "not a valid IAM user name"),  # a fullwidth lookalike letter
    ],
)
def test_what_is_not_a_user_is_refused(text: str, phrase: str) -> None:
    with pytest.raises(SelectionError, match=phrase):
        parse_user(text)


def test_keys_are_named_with_or_without_their_account() -> None:
    assert parse_key(KEY) == KeyRef(None, KEY)
    assert parse_key(f"123456789012:{KEY}") == KeyRef("123456789012", KEY)


@pytest.mark.parametrize(
    "text", ["ASIAIOSFODNN7EXAMPLE", "AKIA123", "akiaiosfodnn7example", f"{KEY}!", f"{KEY}\n"]
)
def test_what_is_not_a_long_term_key_is_refused(text: str) -> None:
    with pytest.raises(SelectionError, match="not a long-term access key ID"):
        parse_key(text)


def test_a_user_selection_covers_its_keys_and_the_user() -> None:
    (target,) = Selection.from_options(["alice"], []).targets
    assert (target.user, target.key_ids, target.retire_user) == ("alice", None, True)


def test_a_key_selection_covers_that_key_only() -> None:
    (target,) = Selection.from_options([], [KEY]).targets
    assert (target.user, target.key_ids, target.retire_user) == (None, (KEY,), False)


def test_in_an_organization_every_target_names_its_account() -> None:
    selection = Selection.from_options(["alice"], [])

    with pytest.raises(SelectionError, match="name the account"):
        selection.in_account(None)


def test_in_one_account_targets_take_the_credentials_account() -> None:
    selection = Selection.from_options(["alice"], []).in_account("123456789012")

    assert selection.accounts() == {"123456789012"}


def test_force_names_keys_and_users() -> None:
    force = Force.parse([KEY, "bob", "123456789012:carol"])

    assert force.covers_key(KEY)
    assert force.covers_user("111122223333", "bob")
    assert force.covers_user("123456789012", "carol")
    assert not force.covers_user("111122223333", "carol")
