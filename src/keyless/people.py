"""Who is who: grouping IAM users of different accounts that belong to one person.

IAM users exist per account, so one person often has ``alice`` in one account,
``Alice.Smith`` in another and ``alice-admin`` in a third. This module decides which
users are the same identity, with pure functions and no AWS access.

The design, in three steps:

1. **Normalize** every user into an :class:`Identity`: the user name lower-cased and
   split on the separators IAM allows (``.``, ``-``, ``_``, ``+``, ``=``, ``,``), any
   ``@domain`` dropped, and common affixes (``-admin``, ``_ci``, ``.adm``, ``-ro``,
   ``svc-``, trailing digits …) removed from both ends. What is left are the *core*
   tokens: ``alice-admin`` → ``(alice,)``, ``Alice.Smith`` → ``(alice, smith)``. The
   ``email`` / ``mail`` tag (case-insensitive key) and console-password presence are kept.
2. **Score** each candidate pair (users sharing a first core token or an email) with
   signals, each worth points (see :data:`WEIGHTS`):

   ===================  ======  ===================================================
   signal               points  when
   ===================  ======  ===================================================
   ``same-email``        +100   both carry the same ``email``/``mail`` tag
   ``email-conflict``    veto   both carry an email tag and they differ
   ``email-matches-name`` +60   one user's email local part normalizes to the
                                other's full name (``alice.smith@…`` ↔ ``Alice.Smith``)
   ``same-full-name``     +70   identical core tokens, at least two of them
   ``same-name``          +50   identical single core token (``alice`` ↔ ``alice_ci``)
   ``same-given-name``    +25   one name is only the other's first token
                                (``alice`` ↔ ``alice.smith``): weak on its own
   ``surname-conflict``  veto   same first token, different further tokens
                                (``alice.smith`` ↔ ``alice.jones``)
   ``both-console``       +10   both users have a console password
   ===================  ======  ===================================================

   A pair is a match when its score reaches :data:`MATCH_THRESHOLD` (50) and no veto
   applies. So a shared first name alone never merges two people, ``alice`` and
   ``alice.smith`` merge only when an email (or another signal) agrees, and the same
   user name in two accounts merges unless their emails disagree.
3. **Union-find with cannot-link constraints.** Matching pairs are merged best score
   first; a merge is refused when any user of one group vetoes any user of the other,
   so ``alice`` can never chain ``alice.smith`` and ``alice.jones`` into one person.

Every signal of every merged pair is kept in :class:`Person.links`, so a person reading
the finding can judge the match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from keyless.model import User

MATCH_THRESHOLD = 50

WEIGHTS: Mapping[str, int] = MappingProxyType(
    {
        "same-email": 100,
        "email-matches-name": 60,
        "same-full-name": 70,
        "same-name": 50,
        "same-given-name": 25,
        "both-console": 10,
    }
)

VETOES = frozenset({"email-conflict", "surname-conflict"})

# Tokens that say *how* an identity is used, not *who* it is. Stripped from either end
# of a name while at least one token remains.
AFFIXES = frozenset(
    {
        "adm",
        "admin",
        "administrator",
        "api",
        "bot",
        "cd",
        "ci",
        "cli",
        "console",
        "deploy",
        "dev",
        "ext",
        "iam",
        "new",
        "old",
        "ops",
        "priv",
        "prod",
        "ro",
        "readonly",
        "root",
        "rw",
        "sa",
        "service",
        "stg",
        "staging",
        "su",
        "svc",
        "temp",
        "test",
        "tmp",
        "user",
    }
)

EMAIL_TAG_KEYS = ("email", "mail")
_SEPARATORS = re.compile(r"[.\-_+=,\s]+")
_TRAILING_DIGITS = re.compile(r"(?<=[a-z])\d+$")


@dataclass(frozen=True, slots=True)
class Identity:
    """A user reduced to what says who they are."""

    user: User
    tokens: tuple[str, ...]
    email: str | None
    console: bool

    @property
    def key(self) -> str:
        """The normalized name: core tokens joined with ``.`` (``alice.smith``)."""
        return ".".join(self.tokens)

    @property
    def given(self) -> str:
        """The first core token, or ``""`` for a name made only of affixes."""
        return self.tokens[0] if self.tokens else ""


@dataclass(frozen=True, slots=True)
class Link:
    """Why two users were considered the same person."""

    first: str
    second: str
    score: int
    signals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Person:
    """Users judged to belong to one identity, with the evidence for each merge."""

    key: str
    identities: tuple[Identity, ...]
    links: tuple[Link, ...]

    @property
    def users(self) -> tuple[User, ...]:
        """The matched users, ordered by account then name."""
        return tuple(identity.user for identity in self.identities)

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The distinct accounts the person has users in, sorted."""
        return tuple(sorted({identity.user.account_id for identity in self.identities}))

    @property
    def is_human(self) -> bool:
        """True when any matched user has a console password or an email tag."""
        return any(i.console or i.email for i in self.identities)


def name_tokens(name: str) -> tuple[str, ...]:
    """The core tokens of a user name: lower-cased, separators, ``@domain`` and
    affixes removed (``svc-Alice.Smith_ci`` → ``("alice", "smith")``)."""
    local = name.lower().split("@", 1)[0]
    tokens = [_TRAILING_DIGITS.sub("", token) for token in _SEPARATORS.split(local)]
    tokens = [token for token in tokens if token and not token.isdigit()]
    while len(tokens) > 1 and tokens[0] in AFFIXES:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in AFFIXES:
        tokens.pop()
    if len(tokens) == 1 and tokens[0] in AFFIXES:
        return ()
    return tuple(tokens)


def normalize_email(value: str | None) -> str | None:
    """An email address lower-cased and stripped, or ``None`` when it is not one."""
    if not value:
        return None
    text = value.strip().lower()
    return text if "@" in text.strip("@") else None


def identify(user: User) -> Identity:
    """Reduce ``user`` to its :class:`Identity`."""
    email = None
    for key in EMAIL_TAG_KEYS:
        email = normalize_email(user.tag(key))
        if email:
            break
    return Identity(user, name_tokens(user.name), email, user.has_console_access)


def compare(a: Identity, b: Identity) -> tuple[int, tuple[str, ...]]:
    """Score the pair and name the signals that produced the score. A veto signal
    (see :data:`VETOES`) means "certainly different people", whatever the score."""
    signals: list[str] = []
    if a.email and b.email:
        signals.append("same-email" if a.email == b.email else "email-conflict")
    elif a.email or b.email:
        tagged, other = (a, b) if a.email else (b, a)
        email_tokens = name_tokens(tagged.email or "")
        if other.tokens and email_tokens == other.tokens:
            signals.append("email-matches-name")
    if a.tokens and b.tokens:
        if a.tokens == b.tokens:
            signals.append("same-full-name" if len(a.tokens) > 1 else "same-name")
        elif a.given == b.given:
            if len(a.tokens) > 1 and len(b.tokens) > 1:
                signals.append("surname-conflict")
            else:
                signals.append("same-given-name")
    if a.console and b.console:
        signals.append("both-console")
    score = sum(WEIGHTS.get(signal, 0) for signal in signals)
    return score, tuple(signals)


def is_match(score: int, signals: Iterable[str]) -> bool:
    """True when the pair is confidently one person."""
    return score >= MATCH_THRESHOLD and not VETOES.intersection(signals)


def group_people(users: Iterable[User]) -> tuple[Person, ...]:
    """Group ``users`` into people. Every user appears in exactly one :class:`Person`
    (most are alone); ordered by key then first ARN."""
    identities = sorted(
        (identify(user) for user in users), key=lambda i: (i.user.account_id, i.user.name)
    )
    pairs = _scored_pairs(identities)
    parent = list(range(len(identities)))
    members: dict[int, list[int]] = {n: [n] for n in range(len(identities))}
    links: dict[int, list[Link]] = defaultdict(list)

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    vetoed = {(i, j) for score, i, j, signals in pairs if VETOES.intersection(signals)}
    for score, i, j, signals in pairs:
        if not is_match(score, signals):
            continue
        root_i, root_j = find(i), find(j)
        if root_i == root_j:
            links[root_i].append(_link(identities, i, j, score, signals))
            continue
        if any((min(x, y), max(x, y)) in vetoed for x in members[root_i] for y in members[root_j]):
            continue
        parent[root_j] = root_i
        members[root_i].extend(members.pop(root_j))
        links[root_i].extend(links.pop(root_j, []))
        links[root_i].append(_link(identities, i, j, score, signals))
    people = [
        _person([identities[n] for n in sorted(group)], links.get(root, []))
        for root, group in members.items()
    ]
    return tuple(sorted(people, key=lambda p: (p.key, p.users[0].arn)))


def duplicated_people(users: Iterable[User]) -> tuple[Person, ...]:
    """People with users in at least two different accounts."""
    return tuple(p for p in group_people(users) if len(p.account_ids) >= 2)


def _scored_pairs(
    identities: list[Identity],
) -> list[tuple[int, int, int, tuple[str, ...]]]:
    # Blocking: only users that share a first token or an email can match, which keeps
    # an organization with thousands of users far from n² comparisons.
    blocks: dict[str, list[int]] = defaultdict(list)
    for n, identity in enumerate(identities):
        keys = {f"name:{identity.given}"} if identity.given else set()
        if identity.email:
            keys.add(f"email:{identity.email}")
            email_given = name_tokens(identity.email)
            if email_given:
                keys.add(f"name:{email_given[0]}")
        for key in keys:
            blocks[key].append(n)
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int, int, tuple[str, ...]]] = []
    for block in blocks.values():
        for x, i in enumerate(block):
            for j in block[x + 1 :]:
                pair = (min(i, j), max(i, j))
                if pair in seen:
                    continue
                seen.add(pair)
                score, signals = compare(identities[pair[0]], identities[pair[1]])
                pairs.append((score, pair[0], pair[1], signals))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return pairs


def _link(identities: list[Identity], i: int, j: int, score: int, signals: tuple[str, ...]) -> Link:
    return Link(identities[i].user.arn, identities[j].user.arn, score, signals)


def _person(identities: list[Identity], links: list[Link]) -> Person:
    # The most descriptive name wins: an email tag, else the longest normalized name.
    emails = sorted({i.email for i in identities if i.email})
    if emails:
        key = emails[0]
    else:
        named = [i for i in identities if i.tokens] or identities
        key = max(named, key=lambda i: (len(i.tokens), i.key)).key or identities[0].user.name
    return Person(key, tuple(identities), tuple(sorted(links, key=lambda k: (k.first, k.second))))
