"""Blocking and variants give exactly the people the pair-by-pair process gives.

The reference below is the definition written out the slow way: score every pair of
users, merge matching pairs best score first (ties in user order), and refuse a merge
when any user of one group vetoes any user of the other, vetoes taken from every pair.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.model import User
from keyless.people import VETOES, compare, group_people, identify, is_match
from tests.org.builders import make_user

ACCOUNTS = ("111111111111", "222222222222", "333333333333", "444444444444")
# Few names and emails, so that twins, shared first names, surname and email conflicts,
# and emails naming other users all come up often.
NAMES = (
    "alice",
    "Alice.Smith",
    "alice.jones",
    "alice-admin",
    "alice_ci",
    "asmith",
    "bob",
    "bob.smith",
    "admin",
    "svc-ci",
)
EMAILS = (None, "alice.smith@x.example", "alice@y.example", "bob@x.example", "q1@x.example")


def all_pairs_people(users: list[User]) -> set[frozenset[str]]:
    """Every user's person, as sets of ARNs, by comparing every pair."""
    identities = sorted((identify(u) for u in users), key=lambda i: (i.account_id, i.name))
    pairs = []
    for i in range(len(identities)):
        for j in range(i + 1, len(identities)):
            score, signals = compare(identities[i], identities[j])
            pairs.append((score, i, j, signals))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    vetoed = {(i, j) for _, i, j, signals in pairs if VETOES.intersection(signals)}
    group = {n: {n} for n in range(len(identities))}
    for score, i, j, signals in pairs:
        if not is_match(score, signals) or group[i] is group[j]:
            continue
        if any((min(x, y), max(x, y)) in vetoed for x in group[i] for y in group[j]):
            continue
        merged = group[i] | group[j]
        for n in merged:
            group[n] = merged
    return {frozenset(identities[n].arn for n in members) for members in group.values()}


@st.composite
def populations(draw: st.DrawFn) -> list[User]:
    """Up to 12 users over four accounts (one user per name and account)."""
    slots = draw(
        st.lists(
            st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(NAMES)),
            max_size=12,
            unique_by=lambda slot: (slot[0], slot[1].lower()),
        )
    )
    return [
        make_user(
            account,
            name,
            email=draw(st.sampled_from(EMAILS)),
            console=draw(st.booleans()),
        )
        for account, name in slots
    ]


@settings(max_examples=400, deadline=None)
@given(populations())
def test_blocked_grouping_equals_the_all_pairs_grouping(users: list[User]) -> None:
    grouped = {frozenset(i.arn for i in person.identities) for person in group_people(users)}
    assert grouped == all_pairs_people(users)


@settings(max_examples=100, deadline=None)
@given(populations())
def test_links_explain_every_user_once(users: list[User]) -> None:
    for person in group_people(users):
        explained = {person.users[0].arn} | {link.second for link in person.links}
        explained |= {link.first for link in person.links}
        assert len(person.links) == len(person.users) - 1
        assert explained == {i.arn for i in person.users}
