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
   first (ties in the order of the users, sorted by account then name); a merge is
   refused when any user of one group vetoes any user of the other, so ``alice`` can
   never chain ``alice.smith`` and ``alice.jones`` into one person.

Near-linear in users (issue #17: the same 50 people in hundreds of accounts made the
pair scoring quadratic). Two facts make that exact, not approximate:

* **Blocking.** A pair scores at most ``both-console`` (10, below the threshold) unless
  the users share a first core token or an email, or one's email local part starts
  with the other's first token; so only users sharing such a key are compared. Vetoes
  are not looked up among the compared pairs but decided per group (a group holds at
  most one email and one surname per first name), so a veto between users of
  different blocks still refuses a merge.
* **Variants.** Users with the same core tokens, email and console presence (``alice``
  stamped into 300 accounts) score identically against everyone. They are matched as
  one *variant*: in the pair-by-pair process above, such users always end in one person
  (a user joins a group only when its twins could join it too, and the first of the
  pairs between two variants decides for all of them), so comparing variants gives the
  same people as comparing every pair. ``tests/org/test_people_blocking.py`` checks
  this against the all-pairs process on random populations.

:attr:`Person.links` explains every user of a person with one match (a spanning tree:
the match that brought each variant in, and each user's match with the first user of
its variant), so the evidence grows with the users, not with their pairs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
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
MAX_EMAIL = 254
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_EMAIL = re.compile(rf"[\w.%+=-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+")
_SEPARATORS = re.compile(r"[.\-_+=,\s]+")
_TRAILING_DIGITS = re.compile(r"(?<=[a-z])\d+$", re.ASCII)


@dataclass(frozen=True, slots=True)
class Identity:
    """A user reduced to what says who they are: small enough to keep for every user of
    an organization after its account's inventory is gone."""

    arn: str
    account_id: str
    name: str
    tokens: tuple[str, ...]
    email: str | None
    console: bool
    active_keys: int = 0

    @property
    def key(self) -> str:
        """The normalized name: core tokens joined with ``.`` (``alice.smith``)."""
        return ".".join(self.tokens)

    @property
    def given(self) -> str:
        """The first core token, or ``""`` for a name made only of affixes."""
        return self.tokens[0] if self.tokens else ""

    @property
    def variant(self) -> tuple[tuple[str, ...], str | None, bool]:
        """What :func:`compare` looks at: users with the same variant are interchangeable."""
        return (self.tokens, self.email, self.console)


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
    def users(self) -> tuple[Identity, ...]:
        """The matched users, ordered by account then name."""
        return self.identities

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The distinct accounts the person has users in, sorted."""
        return tuple(sorted({identity.account_id for identity in self.identities}))

    @property
    def is_human(self) -> bool:
        """True when any matched user has a console password or an email tag."""
        return any(i.console or i.email for i in self.identities)


def name_tokens(name: str) -> tuple[str, ...]:
    """The core tokens of a user name: lower-cased, separators, ``@domain`` and
    affixes removed (``svc-Alice.Smith_ci`` → ``("alice", "smith")``)."""
    local = name.lower().split("@", 1)[0]
    tokens = [_TRAILING_DIGITS.sub("", token) for token in _SEPARATORS.split(local)]
    tokens = [token for token in tokens if token and not (token.isascii() and token.isdigit())]
    while len(tokens) > 1 and tokens[0] in AFFIXES:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in AFFIXES:
        tokens.pop()
    if len(tokens) == 1 and tokens[0] in AFFIXES:
        return ()
    return tuple(tokens)


def normalize_email(value: str | None) -> str | None:
    """An email address lower-cased and stripped, or ``None`` when it is not one.

    Tags are attacker-controllable and the address may become an Identity Center user
    name and email in generated code, so only the plain ``local@domain`` form is taken:
    a local part of letters, digits and ``. _ % + = -`` (what an IAM tag value can
    carry), a domain of at least two DNS labels, at most 254 characters in all. Anything
    else (quotes, spaces, newlines, markup) is not an email address."""
    if not value:
        return None
    text = value.strip().lower()
    return text if len(text) <= MAX_EMAIL and _EMAIL.fullmatch(text) else None


def identify(user: User) -> Identity:
    """Reduce ``user`` to its :class:`Identity`."""
    email = None
    for key in EMAIL_TAG_KEYS:
        email = normalize_email(user.tag(key))
        if email:
            break
    return Identity(
        arn=user.arn,
        account_id=user.account_id,
        name=user.name,
        tokens=name_tokens(user.name),
        email=email,
        console=user.has_console_access,
        active_keys=len(user.active_keys),
    )


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


def group_people(users: Iterable[User | Identity]) -> tuple[Person, ...]:
    """Group ``users`` into people. Every user appears in exactly one :class:`Person`
    (most are alone); ordered by key then first ARN."""
    identities = sorted(
        (u if isinstance(u, Identity) else identify(u) for u in users),
        key=lambda i: (i.account_id, i.name, i.arn),
    )
    variants = _variants(identities)
    groups = _Groups(variants)
    for score, first, second, signals in _scored_pairs(variants):
        if is_match(score, signals):
            groups.merge(
                first, second, Link(variants[first][0].arn, variants[second][0].arn, score, signals)
            )
    people = [_person(members, links) for members, links in groups.people()]
    return tuple(sorted(people, key=lambda p: (p.key, p.users[0].arn)))


def duplicated_people(users: Iterable[User | Identity]) -> tuple[Person, ...]:
    """People with users in at least two different accounts."""
    return tuple(p for p in group_people(users) if len(p.account_ids) >= 2)


def _variants(identities: list[Identity]) -> list[list[Identity]]:
    """Users grouped by :attr:`Identity.variant`, in the order of their first user. Users
    with neither core tokens nor an email match nobody, not even their twins: each stays
    a variant of its own."""
    by_variant: dict[tuple[tuple[str, ...], str | None, bool], list[Identity]] = {}
    variants: list[list[Identity]] = []
    for identity in identities:
        if not identity.tokens and not identity.email:
            variants.append([identity])
            continue
        members = by_variant.get(identity.variant)
        if members is None:
            members = by_variant[identity.variant] = []
            variants.append(members)
        members.append(identity)
    return variants


def _scored_pairs(variants: list[list[Identity]]) -> list[tuple[int, int, int, tuple[str, ...]]]:
    """Every pair of variants that can match, scored, best first. Ties keep the order in
    which the pair-by-pair process would meet them: by the variants' first users."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for n, members in enumerate(variants):
        identity = members[0]
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
                if pair not in seen:
                    seen.add(pair)
                    score, signals = compare(variants[pair[0]][0], variants[pair[1]][0])
                    pairs.append((score, pair[0], pair[1], signals))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return pairs


class _Groups:
    """Union-find over variants that refuses a merge when the two groups veto each other.

    A group never holds a veto (merges that would are refused), so it has at most one
    email and, per first name, at most one multi-token name: checking two groups for a
    veto compares those, not every pair of their users."""

    def __init__(self, variants: list[list[Identity]]) -> None:
        self._variants = variants
        self._parent = list(range(len(variants)))
        self._members: dict[int, list[int]] = {n: [n] for n in range(len(variants))}
        self._links: dict[int, list[Link]] = {n: [] for n in range(len(variants))}
        self._email: dict[int, str | None] = {}
        self._surnames: dict[int, dict[str, tuple[str, ...]]] = {}
        for n, members in enumerate(variants):
            identity = members[0]
            self._email[n] = identity.email
            long = len(identity.tokens) > 1
            self._surnames[n] = {identity.given: identity.tokens} if long else {}

    def find(self, n: int) -> int:
        parent = self._parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def merge(self, first: int, second: int, link: Link) -> None:
        """Join the groups of ``first`` and ``second`` unless they veto each other."""
        root, other = self.find(first), self.find(second)
        if root == other or self._vetoed(root, other):
            return
        if len(self._members[root]) < len(self._members[other]):
            root, other = other, root
        self._parent[other] = root
        self._members[root].extend(self._members.pop(other))
        self._links[root].extend(self._links.pop(other))
        self._links[root].append(link)
        self._email[root] = self._email[root] or self._email.pop(other)
        self._surnames[root].update(self._surnames.pop(other))

    def _vetoed(self, a: int, b: int) -> bool:
        email_a, email_b = self._email[a], self._email[b]
        if email_a and email_b and email_a != email_b:
            return True  # email-conflict
        small, large = sorted((self._surnames[a], self._surnames[b]), key=len)
        return any(large.get(given, tokens) != tokens for given, tokens in small.items())

    def people(self) -> Iterator[tuple[list[Identity], list[Link]]]:
        """Each group's users (by account then name) and the links that explain them."""
        for root, members in self._members.items():
            links = list(self._links[root])
            identities: list[Identity] = []
            for n in members:
                variant = self._variants[n]
                identities.extend(variant)
                if len(variant) > 1:
                    score, signals = compare(variant[0], variant[1])
                    links.extend(
                        Link(variant[0].arn, twin.arn, score, signals) for twin in variant[1:]
                    )
            identities.sort(key=lambda i: (i.account_id, i.name, i.arn))
            yield identities, links


def _person(identities: list[Identity], links: list[Link]) -> Person:
    # The most descriptive name wins: an email tag, else the longest normalized name.
    emails = sorted({i.email for i in identities if i.email})
    if emails:
        key = emails[0]
    else:
        named = [i for i in identities if i.tokens] or identities
        key = max(named, key=lambda i: (len(i.tokens), i.key)).key or identities[0].name
    return Person(key, tuple(identities), tuple(sorted(links, key=lambda k: (k.first, k.second))))
