"""The machinery of ``sub`` grammars: claim templates as languages, triggers, and what a
grammar answers (a tenant's, a repository's, a trigger's subjects; well-formed subjects).

The grammars themselves, one per provider with the documents that define them, are in
:mod:`keyless.idp.grammars`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from keyless.idp.frozen import frozen
from keyless.patterns.dfa import ANY_CHAR, CharClass, Token, canonical
from keyless.patterns.language import Glob, Language

_SLOT = re.compile(r"\{(tenant|repo)\}")


# A name segment: one or more characters other than the separators of ``sub`` formats.
# No provider's names hold a wildcard character: a literal `*` in a StringEquals value
# (`repo:acme/*`) names nothing a token can carry.
_NAME_CHAR = CharClass(frozenset(":/@*?"), negated=True)
# A field of a ``key:value`` subject: anything but the separator (GitHub writes a ':' inside
# a value as %3A).
_FIELD_CHAR = CharClass(frozenset(":"), negated=True)
# A claim name (a key of a custom GitHub subject): lower-case letters and underscores.
_CLAIM_CHAR = CharClass(frozenset("abcdefghijklmnopqrstuvwxyz_"))
# A decimal identifier (GitHub's repository_id, run_id); a commit SHA's hexadecimal digit.
_DIGIT = CharClass(frozenset("0123456789"))
_HEX = CharClass(frozenset("0123456789abcdef"))
# What git allows in a ref name: no space, ~ ^ : ? * [ backslash or DEL. git also forbids
# the other control characters; they are left out of the class (each would be a column of
# every automaton, doubling the grammar's cost) and no witness chooses one.
# https://git-scm.com/docs/git-check-ref-format
_REF_CHAR = CharClass(frozenset({"\x7f", " ", "~", "^", ":", "?", "*", "[", "\\"}), negated=True)


@functools.lru_cache(maxsize=1024)
def shape(template: str, tenant: str = "", repo: str = "", *, fold: bool = False) -> Language:
    """A language from a template: ``*`` and ``?`` are wildcards (any characters), ``+`` is
    a name (one or more characters other than ``:``, ``/`` and ``@``), ``=`` a field value
    (one or more characters other than ``:``), ``&`` a claim name (``[a-z_]+``), ``#`` a
    decimal identifier (``[0-9]+``), ``^`` a SHA (``[0-9a-f]+``), ``%`` a
    git ref name's characters (one or more, none that ``git check-ref-format`` forbids;
    :func:`invalid_refs` has its other rules); ``{tenant}``/``{repo}`` are filled in as
    literal text (in either case with ``fold``: names the provider compares so)."""
    if not any(special in template for special in "+?=%&#^"):
        # Literal text and stars only: a glob that needs no automaton for membership.
        text = template.replace("{tenant}", "\0T").replace("{repo}", "\0R")
        parts: list[str | Glob] = []
        for index, chunk in enumerate(text.split("*")):
            if index:
                parts.append(Glob.STAR)
            parts.append(chunk.replace("\0T", tenant).replace("\0R", repo))
        return Language.from_glob(parts, ignore_case=fold)
    tokens: list[Token] = []
    position = 0
    for match in _SLOT.finditer(template):
        tokens.extend(_tokens(template[position : match.start()]))
        text = tenant if match.group(1) == "tenant" else repo
        tokens.extend(
            Token(CharClass(frozenset({c, c.lower(), c.upper()} if fold else c))) for c in text
        )
        position = match.end()
    tokens.extend(_tokens(template[position:]))
    return Language.from_tokens(tokens)


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    for char in text:
        if char == "*":
            tokens.append(Token(ANY_CHAR, star=True))
        elif char == "?":
            tokens.append(Token(ANY_CHAR))
        elif char == "+":
            tokens.extend((Token(_NAME_CHAR), Token(_NAME_CHAR, star=True)))
        elif char == "=":
            tokens.extend((Token(_FIELD_CHAR), Token(_FIELD_CHAR, star=True)))
        elif char == "&":
            tokens.extend((Token(_CLAIM_CHAR), Token(_CLAIM_CHAR, star=True)))
        elif char == "#":
            tokens.extend((Token(_DIGIT), Token(_DIGIT, star=True)))
        elif char == "^":
            tokens.extend((Token(_HEX), Token(_HEX, star=True)))
        elif char == "%":
            tokens.extend((Token(_REF_CHAR), Token(_REF_CHAR, star=True)))
        else:
            tokens.append(Token(CharClass(frozenset(char))))
    return tokens


def fields_language(fields: tuple[str, ...], once: tuple[str, ...] = ()) -> Language:
    """Subjects made of one or more fields joined by ``:``, each field matching one of the
    ``fields`` templates (as :func:`shape` reads them; a template may hold a ``:`` of its
    own, ``repository_id:#``), those of ``once`` at most once: GitHub's custom subjects,
    ``KEY:VALUE`` pairs in the order of the template's claim keys. Not a glob (the fields
    repeat), so built by subset construction over the fields' tokens, then minimised."""
    tokens = [_tokens(template) for template in fields]
    single = frozenset(i for i, template in enumerate(fields) if template in once)
    # An NFA state: (field, position, fields of `once` used) inside a field, or
    # (-1, 0, used) where a field is complete (the subject may stop, or ':' start another).
    State = tuple[int, int, frozenset[int]]

    def closure(index: int, position: int, used: frozenset[int]) -> set[State]:
        found: set[State] = set()
        while True:
            if position == len(tokens[index]):
                found.add((-1, 0, used | ({index} & single)))
                return found
            found.add((index, position, used))
            if not tokens[index][position].star:
                return found
            position += 1

    def starts(used: frozenset[int]) -> set[State]:
        return {
            state
            for index in range(len(fields))
            if index not in used
            for state in closure(index, 0, used)
        }

    start = frozenset(starts(frozenset()))
    alphabet = tuple(
        sorted({":"} | {c for run in tokens for token in run for c in token.chars.chars})
    )
    numbering: dict[frozenset[State], int] = {start: 0}
    order = [start]
    rows: list[tuple[int, ...]] = []

    def step(current: frozenset[State], char: str | None) -> int:
        # ``None`` stands for every character the alphabet does not list.
        target: set[State] = set()
        for index, position, used in current:
            if index < 0:
                if char == ":":
                    target |= starts(used)
                continue
            token = tokens[index][position]
            hit = token.chars.negated if char is None else token.chars.matches(char)
            if hit:
                target |= closure(index, position if token.star else position + 1, used)
        key = frozenset(target)
        if key not in numbering:
            numbering[key] = len(order)
            order.append(key)
        return numbering[key]

    index = 0
    while index < len(order):
        current = order[index]
        rows.append((*(step(current, char) for char in alphabet), step(current, None)))
        index += 1
    accepting = frozenset(i for i, states in enumerate(order) if any(f < 0 for f, _, _ in states))
    return Language("dfa", leaf=canonical(alphabet, rows, accepting))


@functools.lru_cache(maxsize=8192)
def _union(
    templates: tuple[str, ...], tenant: str = "", repo: str = "", *, fold: bool = False
) -> Language:
    """The union of ``templates`` (as :func:`shape` reads them), slots filled in: a
    repository's subjects are asked for by several questions of a policy, and by the
    policies that share it."""
    language = Language.empty()
    for template in templates:
        language = language | shape(template, tenant, repo, fold=fold)
    return language


#: Claims a subject shows as ``KEY:VALUE`` fields, each with the values a trigger's runs
#: hold in it (:attr:`Trigger.field_values`).
FieldValues = tuple[tuple[str, tuple[str, ...]], ...]


@functools.lru_cache(maxsize=256)
def _compact(
    templates: tuple[str, ...], excluded: tuple[str, ...] = (), values: FieldValues = ()
) -> Language:
    """A grammar-wide language (no slots) as one minimal automaton, built once per process
    (or ahead of time, :mod:`keyless.idp.frozen`): the lazy product search then follows one
    leaf instead of a dozen. Each side is minimised pair by pair (:func:`_compact_union`):
    one product of a dozen ``*:FIELD:*`` globs tracks each one's partial match apart (a
    branch trigger of eighteen such globs took 9 s this way, 0.05 s pair by pair).
    ``values``: subjects holding a field of one of these claims with another value are
    excluded too (:func:`field_outside`)."""
    return frozen(
        ("compact", templates, excluded, *((values,) if values else ())),
        lambda: (
            _compact_union(shape(t) for t in templates)
            - _compact_union(
                [*(shape(t) for t in excluded), *(field_outside(k, v) for k, v in values)]
            )
        ).compact(),
    )


@functools.lru_cache(maxsize=64)
def _other_runs(values: FieldValues, templates: tuple[str, ...]) -> Language:
    """Subjects holding a field of one of the claims of ``values`` with another value
    (:func:`field_outside`), or of ``templates``, as one automaton (built ahead of time:
    building GitHub's four cost a scan's process 3%)."""
    return frozen(
        ("other-runs", values, templates),
        lambda: _compact_union(
            [*(field_outside(key, held) for key, held in values), *(shape(t) for t in templates)]
        ),
    )


def field_outside(key: str, values: tuple[str, ...]) -> Language:
    """Subjects of ``KEY:VALUE`` fields joined by ``:`` holding a ``key`` field whose value
    is none of ``values`` (GitHub's ``…:event_name:schedule:…`` for the values of a pull
    request's runs). A value is one or more characters other than ``:``.

    Built as its automaton directly (a union of a pattern per way out of the values' trie
    took most of the grammar table's build time): a search for ``:KEY:`` (the subject's
    start counts as a ``:``), then a walk down the trie of ``values``; a character none
    of them continues with, or the value's end (``:`` or the subject's) where none of them
    ends, accepts whatever follows."""
    marker = f":{key}:"
    trie = sorted({value[:i] for value in values for i in range(len(value) + 1)})
    # States: 0..len(marker) the marker matched so far, then one per trie node, then the
    # accepting sink.
    node = {prefix: len(marker) + i for i, prefix in enumerate(trie)}
    sink = len(marker) + len(trie)
    alphabet = tuple(sorted({*marker, *"".join(values)}))

    def scan(matched: int, char: str | None) -> int:
        if matched < len(marker) and char == marker[matched]:
            return matched + 1 if matched + 1 < len(marker) else node[""]
        return 1 if char == ":" else 0  # `:` may begin the marker again

    def walk(prefix: str, char: str | None) -> int:
        if char == ":":
            outside = prefix and prefix not in values
            return sink if outside else 1  # the field ends: `:` begins the next one
        if char is not None and prefix + char in node:
            return node[prefix + char]
        return sink  # a character none of them continues with here

    rows: list[tuple[int, ...]] = []
    for state in range(sink + 1):
        columns = (*alphabet, None)  # ``None``: every character the alphabet does not list
        if state < len(marker):
            rows.append(tuple(scan(state, char) for char in columns))
        elif state < sink:
            rows.append(tuple(walk(trie[state - len(marker)], char) for char in columns))
        else:
            rows.append((sink,) * len(columns))
    accepting = frozenset(
        {sink} | {node[prefix] for prefix in trie if prefix and prefix not in values}
    )
    # The subject's start is a field's: state 1, the marker's `:` read. Renumbered so
    # that the start is state 0, as canonical() expects.
    order = [1, 0, *range(2, sink + 1)]
    renumber = {old: new for new, old in enumerate(order)}
    table = [tuple(renumber[target] for target in rows[old]) for old in order]
    return Language(
        "dfa", leaf=canonical(alphabet, table, frozenset(renumber[s] for s in accepting))
    )


#: What builds a provider's well-formed subjects: templates, custom templates and those
#: excluded from them, then the fields of :func:`fields_language` and those once), ill-formed
#: templates, the ref marker, the refs' prefix and the keys an empty field may follow.
WellFormedKey = tuple[
    tuple[str, ...],
    tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    tuple[str, ...],
    str | None,
    str,
    str,
]


@functools.lru_cache(maxsize=32)
def _well_formed(key: WellFormedKey) -> Language:
    exact = frozen(("well-formed", *key), lambda: _build_well_formed(*key))
    coarse = _coarse_well_formed(key)
    return exact if coarse is None else exact.with_coarse(coarse)


@functools.lru_cache(maxsize=64)
def _runs(trigger: Trigger, well_formed: WellFormedKey) -> Language:
    exact = frozen(
        ("runs", *trigger.key, *well_formed),
        lambda: (trigger.language() & _well_formed(well_formed)).compact(),
    )
    coarse = _coarse_well_formed(well_formed)
    if coarse is None:
        return exact
    return exact.with_coarse(
        frozen(
            ("coarse-runs", *trigger.key, *well_formed),
            lambda: (trigger.language() & coarse).compact(),
        )
    )


@functools.lru_cache(maxsize=32)
def _coarse_well_formed(key: WellFormedKey) -> Language | None:
    """A superset of the well-formed subjects whose automaton is small, for grammars of
    fields (:func:`fields_language`): every subject but the ``ill_formed`` ones, whatever
    its fields. Their exact automaton tracks which field each character is in and which
    fields were used (GitHub's: hundreds of states), and a question with no answer must
    visit all of its product; most such questions are empty for a reason the templates
    alone give (a pull request's run is no environment's), which this one proves at a
    fraction of the cost (:attr:`keyless.patterns.language.Language.coarsened`). None for
    grammars of templates only, whose automata are small already."""
    _, custom, excluded, _, _, empty_after = key
    if not custom[2]:
        return None
    return frozen(
        ("coarse-well-formed", *key),
        lambda: (Language.any_string() - _ill_formed(excluded, empty_after)).compact(),
    )


#: A subject with an empty field (``a::b``, ``a:``): none any provider mints, but where a
#: grammar says (:attr:`SubGrammar.empty_after`).
EMPTY_FIELD = ("*::*", "*:")


def _ill_formed(excluded: tuple[str, ...], empty_after: str) -> Language:
    """The subjects of the ``excluded`` templates; those with an empty field
    (:data:`EMPTY_FIELD`) only where the key before it ends in none of ``empty_after``."""
    if not empty_after or not any(template in EMPTY_FIELD for template in excluded):
        return _compact_union(shape(template) for template in excluded)
    others = (shape(template) for template in excluded if template not in EMPTY_FIELD)
    return _compact_union([_empty_field(empty_after), *others])


def _empty_field(empty_after: str) -> Language:
    """Subjects with an empty field (``::`` inside, ``:`` at the end, or the subject's
    first field empty) after a key whose last character is none of ``empty_after``.
    Built from tokens, a character class for the key's end: as globs minus the allowed
    keys' (``*_ref::*``) the coarse grammar tracked those names, four times its states."""
    anything = Token(ANY_CHAR, star=True)
    colon = Token(CharClass(frozenset(":")))
    other = Token(CharClass(frozenset(empty_after), negated=True))
    return _compact_union(
        Language.from_tokens(tokens)
        for tokens in (
            [anything, other, colon, colon, anything],
            [colon, colon, anything],
            [anything, other, colon],
            [colon],
        )
    )


def clear_caches() -> None:
    """Forget the grammar-wide languages built in this process."""
    for cached in (_compact, _well_formed, _runs, _coarse_well_formed, _other_runs):
        cached.cache_clear()
    forget_filled()


def forget_filled() -> None:
    """Forget the languages filled in with a policy's tenant and repository (an
    organization's scan drops them between accounts: 1,024 of them held 116,000 objects,
    19 MB, after the messy account); the grammar-wide languages are kept."""
    shape.cache_clear()
    _union.cache_clear()


def _build_well_formed(
    templates: tuple[str, ...],
    custom: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    excluded: tuple[str, ...],
    ref_marker: str | None,
    prefix: str,
    empty_after: str,
) -> Language:
    good = _compact_union(shape(template) for template in templates)
    if custom[2]:
        good = (good | fields_language(custom[2], custom[3])).compact()
    if custom[0]:
        extra = _compact_union(shape(template) for template in custom[0])
        extra = (extra - _compact_union(shape(template) for template in custom[1])).compact()
        good = (good | extra).compact()
    bad = _ill_formed(excluded, empty_after)
    if ref_marker is not None:
        bad = (bad | invalid_refs(ref_marker, prefix)).compact()
    return (good - bad).compact()


def _compact_union(languages: Iterable[Language]) -> Language:
    """The union, minimised after each step: one product of dozens of patterns at once
    would track every pattern's position separately, and explode."""
    level = [language.compact() for language in languages]
    if not level:
        return Language.empty()
    while len(level) > 1:  # pairwise, as a balanced tree: the automata grow slowly
        level = [
            (level[i] | level[i + 1]).compact() if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    return level[0]


@functools.lru_cache(maxsize=64)
def _carried(
    carries: tuple[tuple[str, str], ...], excluded: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, Language], ...]:
    claims = dict.fromkeys(claim for claim, _ in carries)
    return tuple(
        (
            claim,
            Language.union_all(Language.wildcard(v) for c, v in carries if c == claim)
            - Language.union_all(Language.wildcard(v) for c, v in excluded if c == claim),
        )
        for claim in claims
    )


@dataclass(frozen=True)
class Trigger:
    """A kind of run that an attacker with write access (or a fork) can start.

    ``named_pins``: a subject the policy names exactly (one branch, ``…:ref:refs/heads/develop``)
    is reported apart, at low severity: whether that branch is protected is unknown offline,
    while a pattern admits any branch someone pushes. ``carries``: claims every such run's
    token holds, as globs (``ref_protected`` ``"false"`` for an unprotected GitLab branch,
    GitHub's ``ref`` ``refs/pull/*`` for a pull request's run), so a policy pinning another
    value admits none; ``carries_excluded``: values such a run's claim never holds
    (``ref`` ``refs/heads/main``, a default branch, for an unprotected one). ``example``:
    a wildcard a readable witness matches.
    ``named_exempt``: subjects named exactly are not reported at all (a named GitHub
    environment, whose protection rules are the recommended pin), and the trigger is
    reported only for a path no other trigger was (``repo:o/r:*`` says it once).
    ``names_ignore_case``: the names the trigger's subjects carry are unique whatever their
    case (GitHub environments), so where the policy compares without case a case variant
    of a subject it names exactly is that subject. ``unnamed``: subjects that name no one
    branch or tag, even written exactly (GitLab's ``project_path:P:ref_type:branch``, a
    sub without its ref: every branch's), so never a named pin or exempt.
    ``named_search`` and ``named_templates``: a branch or tag a policy value names
    literally inside a pattern (`repo:o/r:ref:refs/heads/develop:*`, a custom template's
    claims after the ref), which counts as named as an exact value does.
    ``named_claim``: a claim whose exact policy values name the run's branch or tag as a
    subject does (GitHub's ``ref`` ``refs/heads/develop``): counted as named too.
    ``field_values``: claims a custom subject may show as fields (GitHub's ``event_name``)
    and the values such a run holds in them: a subject showing another value is no such
    run (a schedule's run is the default branch's, a pull request's none).
    ``shown``: the same runs as a custom template's other fields show them, naming no
    branch or tag even written exactly (GitHub's ``…:event_name:push``,
    ``…:ref_type:branch``), asked when ``templates`` admit none. Kept apart: folded into
    ``templates`` they made the trust checks of a messy account a quarter slower.
    ``checked_fields``: as ``field_values``, but left out of :meth:`language` (GitHub's
    ``…:event_name:pull_request_target:pull_request``, no pull request's run: a
    pull_request_target run's context is a ref). Few policies show such a field, and
    built into the runs' automaton it cost every policy's questions 6 to 12% of a scan, so
    a witness is checked instead (:meth:`refutes`) and only a refuted one asked again
    without :meth:`other_runs`. ``checked_templates``: subjects of other runs checked so
    too (GitHub's ``…:ref:refs/heads/x:pull_request``, a pull request's context beside a
    branch's ref: as ``excluded`` they cost every policy's scan 2 to 3%).
    """

    label: str
    templates: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    severity: str = "high"
    named_pins: bool = False
    named_exempt: bool = False
    names_ignore_case: bool = False
    carries: tuple[tuple[str, str], ...] = ()
    carries_excluded: tuple[tuple[str, str], ...] = ()
    example: str = ""
    unnamed: tuple[str, ...] = ()
    named_search: str | None = None
    named_templates: tuple[str, ...] = ()
    named_claim: str | None = None
    field_values: FieldValues = ()
    shown: Trigger | None = None
    checked_fields: FieldValues = ()
    checked_templates: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[tuple[str, ...] | FieldValues, ...]:
        """What :meth:`language` is built from."""
        return (self.templates, self.excluded, *((self.field_values,) if self.field_values else ()))

    def language(self) -> Language:
        """The ``sub`` values of such runs."""
        return _compact(self.templates, self.excluded, self.field_values)

    def may_admit(self, values: Iterable[str]) -> bool:
        """Whether policy values (a claim's, compared with a positive operator) may admit a
        subject of :meth:`language`: one holds a wildcard or a policy variable, or holds
        the literal text every subject of one template does (in any case: an
        ``…IgnoreCase`` operator). A cheap filter before a question; ``False`` only where
        no value can match."""
        needles = _literal_runs(self.templates)
        return any(
            any(c in value for c in "*?$") or any(n in value.lower() for n in needles)
            for value in values
        )

    @property
    def checks(self) -> bool:
        """Whether a witness of such a run is checked (:meth:`refutes`)."""
        return bool(self.checked_fields or self.checked_templates)

    def other_runs(self) -> Language:
        """Subjects showing a field of ``checked_fields`` with a value no such run holds,
        or of ``checked_templates``: other runs' (empty when there are none)."""
        return _other_runs(self.checked_fields, self.checked_templates)

    def refutes(self, subject: str) -> bool:
        """Whether ``subject`` (a witness's) is another run's (:meth:`other_runs`)."""
        return self.checks and self.other_runs().contains(subject)

    def carried(self) -> tuple[tuple[str, Language], ...]:
        """Each claim of ``carries`` and the values such a run's token holds in it."""
        return _carried(self.carries, self.carries_excluded)

    def unnamed_language(self) -> Language:
        """Subjects that name no one branch or tag even written exactly (``unnamed``)."""
        return _compact(self.unnamed) if self.unnamed else Language.empty()

    def named_in(self, values: Iterable[str]) -> Language:
        """Subjects of the branches (tags) that policy values name literally inside a
        pattern (``named_search``: `repo:o/r:ref:refs/heads/develop:*` names develop),
        as ``named_templates`` (globs, ``{name}`` the literal name) write them."""
        if not self.named_search:
            return Language.empty()
        names = {
            match.group("name")
            for value in values
            for match in re.finditer(self.named_search, value)
        }
        return Language.union_all(
            Language.from_glob(_glob_parts(template, name))
            for name in sorted(names)
            for template in self.named_templates
        )


@dataclass(frozen=True)
class SubGrammar:
    """The ``sub`` grammar of one provider.

    ``well_formed``: templates every real ``sub`` matches. ``tenant_templates`` and
    ``repo_templates``: the ``sub`` values of one tenant / one repository (``{tenant}`` and
    ``{repo}`` slots). ``tenant_pattern`` / ``repo_pattern``: regular expressions that read
    the tenant (group ``tenant``) and repository (group ``repo``) from the literal prefix of
    a policy value. ``example``: a readable ``sub`` with slots. ``tenant_keys``: other
    claims that pin the tenant (suffix → ``"id"`` for identifiers, or a template such as
    ``"{tenant}/*"`` for names), which an attacker's token cannot share with the victim's.
    ``repo_search``: where a provider's repositories are unique IDs (CircleCI project UUIDs,
    Bitbucket repository and environment UUIDs), a regular expression searched anywhere in a
    policy value: each match's ``repo`` group names one of the policy's repositories, wherever
    the value puts wildcards around it (``org/*/project/ID/*``, ``*:{ENV_UUID}:*``).
    ``tenant_word`` and ``repo_word``: the provider's own nouns for the two (GitHub's owner
    and repository, GitLab's group and project, CircleCI's organization and project,
    Bitbucket's workspace and repository), for messages; ``other_repo``: the name (or ID,
    where repositories are UUIDs) a witness gives to another repository. ``unit_pattern`` and
    ``unit_templates``: a unit inside a repository whose name is unique in the tenant
    (HCP Terraform's workspace, unique in its organization), read from the whole value
    (group ``tenant`` and ``repo``, wildcards allowed before it): a value naming one is of
    that unit, whatever repository it allows, so it is no "other repository".
    ``names_ignore_case``: tenant and repository names are unique whatever their case
    (GitHub's: ``Octo-Org`` and ``octo-org`` are one owner), so a case variant that an
    ``…IgnoreCase`` operator admits is the same tenant, never another. ``fields``: subjects
    made of fields joined by ``:`` (:func:`fields_language`), GitHub's custom templates,
    ``fields_once`` of them at most once.
    ``tenant_id_search``, ``repo_id_search`` and ``id_templates``: an ID in the ``sub``
    that only one tenant's (repository's) tokens carry (GitHub's ``repository_owner_id:123``
    and ``repository_id:456`` fields), searched anywhere in a policy value, and the
    subjects that carry it (``{tenant}`` is the match): a value pinning it is that
    tenant's (repository's), whatever its name.
    ``empty_after``: the last characters of the keys whose field may be empty (GitHub writes
    a claim a template includes empty where the run has none: ``…:base_ref::…``), where
    ``ill_formed`` holds :data:`EMPTY_FIELD`; the fields' grammar says which keys those are.
    ``invalid_names`` and ``names_rule``: a regular expression searched in the literal
    prefix of a value (before a wildcard or policy variable) whose match is a name the
    provider never gives (GitHub's ``repo:o/ré``: a repository's name is ASCII), and what
    names may hold (for messages). Read from the text, not built into
    :meth:`well_formed_language`: every character a name may hold would be a column of
    every automaton (GitHub's alphabet 49 to 77 symbols, a fifth more CPU per scan).
    ``tenant_head_search`` and ``head_templates``: the same for a field that names the
    tenant before a wildcard (``…:repo:octo-org/*``), searched in the literal prefix of a
    value, and the subjects of that tenant that carry the field.
    """

    provider: str
    well_formed: tuple[str, ...]
    tenant_templates: tuple[str, ...] = ()
    repo_templates: tuple[str, ...] = ()
    tenant_pattern: str | None = None
    repo_pattern: str | None = None
    example: str = ""
    tenant_word: str = "tenant"
    repo_word: str = "repository"
    other_repo: str = "other-repo"
    triggers: tuple[Trigger, ...] = ()
    tenant_keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    classic_repo_pattern: str | None = None
    immutable_repo_pattern: str | None = None
    ill_formed: tuple[str, ...] = ()
    empty_after: str = ""
    invalid_names: str | None = None
    names_rule: str = ""
    custom: tuple[str, ...] = ()
    custom_excluded: tuple[str, ...] = ()
    ref_marker: str | None = None
    ref_prefix: str = ""
    repo_search: str | None = None
    unit_pattern: str | None = None
    unit_templates: tuple[str, ...] = ()
    names_ignore_case: bool = False
    fields: tuple[str, ...] = ()
    fields_once: tuple[str, ...] = ()
    tenant_id_search: str | None = None
    repo_id_search: str | None = None
    id_templates: tuple[str, ...] = ()
    tenant_head_search: str | None = None
    head_templates: tuple[str, ...] = ()

    def well_formed_language(self) -> Language:
        """Every ``sub`` the provider can mint: the ``well_formed`` templates, the
        ``custom`` ones not ``custom_excluded`` and the subjects of ``fields``
        (:func:`fields_language`), minus the ``ill_formed`` ones (an empty field only after
        a key ``empty_after`` does not end: GitHub's ``…:base_ref::…`` is one) and any git
        ref after ``ref_marker`` that git rejects (or that does not begin with
        ``ref_prefix``)."""
        return _well_formed(self.well_formed_key)

    @property
    def well_formed_key(self) -> WellFormedKey:
        """What :meth:`well_formed_language` is built from."""
        return (
            self.well_formed,
            (self.custom, self.custom_excluded, self.fields, self.fields_once),
            self.ill_formed,
            self.ref_marker,
            self.ref_prefix,
            self.empty_after,
        )

    def runs_language(self, trigger: Trigger) -> Language:
        """The well-formed ``sub`` values of ``trigger``'s runs, as one minimal automaton
        (built once per process): its distances to acceptance are exact where those of the
        two automata apart only bound them, so the product search walks straight to a
        member."""
        return _runs(trigger, self.well_formed_key)

    def tenant_language(self, tenant: str, *, fold: bool = False) -> Language:
        """Every ``sub`` of ``tenant``; with ``fold``, in any case where the provider's names
        are (ask for it only where the policy compares without case: a case-sensitive
        policy value keeps the case it names, and the folded automata cost far more)."""
        return _union(self.tenant_templates, tenant, fold=fold and self.names_ignore_case)

    def tenant_ids_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """The tenant IDs (``tenant_id_search`` matches, as the subject writes them:
        ``repository_owner_id:123``) anywhere in policy values; ``fold`` as for
        :meth:`tenants_in`."""
        return _found(self.tenant_id_search, values, fold=fold)

    def repo_ids_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """The repository IDs (``repo_id_search`` matches: ``repository_id:456``) anywhere
        in policy values; ``fold`` as for :meth:`tenants_in`."""
        return _found(self.repo_id_search, values, fold=fold)

    def tenant_heads_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """The tenant fields (``tenant_head_search`` matches: ``repo:octo-org/``) in the
        literal prefixes of policy values; ``fold`` as for :meth:`tenants_in`."""
        if not self.tenant_head_search:
            return frozenset()
        flags = re.IGNORECASE if fold else 0
        return frozenset(
            match.group(0)
            for value in values
            for match in re.finditer(self.tenant_head_search, _literal(value), flags)
        )

    def head_language(self, head: str, *, fold: bool = False) -> Language:
        """Every ``sub`` that carries the tenant field ``head`` (:meth:`tenant_heads_in`);
        ``fold`` as for :meth:`tenant_language`."""
        return _union(self.head_templates, head, fold=fold and self.names_ignore_case)

    def id_language(self, ident: str, *, fold: bool = False) -> Language:
        """Every ``sub`` that carries the ID ``ident`` (see :meth:`tenant_ids_in`); ``fold``
        as for :meth:`tenant_language` (a name field, ``repo:Octo-Org/app``, in any case)."""
        return _union(self.id_templates, ident, fold=fold and self.names_ignore_case)

    def repo_language(self, tenant: str, repo: str, *, fold: bool = False) -> Language:
        """Every ``sub`` of one repository of ``tenant`` (``fold`` as above)."""
        return _union(self.repo_templates, tenant, repo, fold=fold and self.names_ignore_case)

    def invalid_name(self, value: str) -> str | None:
        """The name in the literal prefix of ``value`` the provider never gives (the match
        of ``invalid_names``), or None. The prefix ends before a policy variable or a
        template's placeholder too (``repo:{{ org }}/app``, ``<ORG>``, ``%s``: a name yet to
        be filled in, :mod:`keyless.policy.templates`)."""
        if self.invalid_names is None:
            return None
        literal = re.split(r"[${<%]", _literal(value), maxsplit=1)[0]
        match = re.search(self.invalid_names, literal, re.IGNORECASE)
        return match.group(0) if match else None

    def tenants_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """Tenants named by the literal prefixes of policy values (before any wildcard).
        ``fold``: the values are compared without case (``StringEqualsIgnoreCase``), so
        ``REPO:acme/app:…`` names tenant ``acme`` as ``repo:acme/app:…`` does."""
        flags = re.IGNORECASE if fold else 0
        return frozenset(
            match.group("tenant")
            for value in values
            if self.tenant_pattern
            and (match := re.match(self.tenant_pattern, _literal(value), flags))
        )

    def repos_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[tuple[str, str]]:
        """(tenant, repository) pairs named by the literal prefixes of policy values (or,
        with ``repo_search``, anywhere in them: the tenant is then ``""``); ``fold`` as
        for :meth:`tenants_in`. ``repo_pattern`` is matched against the whole value: its
        name classes take no wildcard, so it reads the literal prefix, except where it
        allows a wildcard itself (GitHub's ID, ``repo:o@*/r@*``, names the repository
        ``r``)."""
        values = tuple(values)
        flags = re.IGNORECASE if fold else 0
        if self.repo_search:
            return frozenset(
                ("", match.group("repo"))
                for value in values
                for match in re.finditer(self.repo_search, value, flags)
            )
        return frozenset(
            (match.group("tenant"), match.group("repo"))
            for value in values
            if self.repo_pattern and (match := re.match(self.repo_pattern, value, flags))
        )

    def unit_language(self, values: Iterable[str], *, fold: bool = False) -> Language:
        """Every ``sub`` of the units (``unit_pattern``) the policy values name (``fold``
        as for :meth:`tenants_in`)."""
        flags = re.IGNORECASE if fold else 0
        units = {
            (match.group("tenant"), match.group("repo"))
            for value in values
            if self.unit_pattern and (match := re.match(self.unit_pattern, value, flags))
        }
        return Language.union_all(
            _union(self.unit_templates, tenant, unit) for tenant, unit in sorted(units)
        )

    def nice(self, tenant: str, repo: str) -> tuple[Language, ...]:
        """Readable ``sub`` shapes to draw witnesses from, most readable first."""
        if not self.example:
            return ()
        text = self.example.replace("{tenant}", tenant).replace("{repo}", repo)
        return (Language.literal(text), shape(self.example.split("{repo}")[0] + "*", tenant))


def _glob_parts(template: str, name: str) -> list[str | Glob]:
    """A glob template's parts (``*`` a wildcard), ``{name}`` filled in as literal text."""
    parts: list[str | Glob] = []
    for index, chunk in enumerate(template.split("*")):
        if index:
            parts.append(Glob.STAR)
        parts.append(chunk.replace("{name}", name))
    return parts


def _found(search: str | None, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
    """Every match of ``search`` anywhere in ``values`` (in any case with ``fold``)."""
    if not search:
        return frozenset()
    flags = re.IGNORECASE if fold else 0
    return frozenset(
        match.group(0) for value in values for match in re.finditer(search, value, flags)
    )


def _literal(value: str) -> str:
    """The part of a wildcard value before its first wildcard."""
    cut = min((i for i in (value.find("*"), value.find("?")) if i >= 0), default=len(value))
    return value[:cut]


@functools.lru_cache(maxsize=64)
def _literal_runs(templates: tuple[str, ...]) -> tuple[str, ...]:
    """The longest literal text of each template (:func:`shape`'s; slots none), lower-cased:
    every subject the template admits holds it."""
    return tuple(
        max(re.split(r"[*?+=&#^%]|\{[a-z]+\}", template), key=len).lower() for template in templates
    )


@functools.lru_cache(maxsize=16)
def invalid_refs(marker: str = ":ref:", prefix: str = "") -> Language:
    """Subjects in which a ref name follows ``marker`` (a ``:key:``, also at the start as
    ``key:``) and runs to the next ``:`` or the end, that ``git check-ref-format`` rejects:
    empty, a forbidden character, a component that is empty or begins with ``.``, ``..``,
    ``@{``, an end in ``/``, ``.`` or ``.lock`` (also of a component); or, with ``prefix``,
    a ref that does not begin with it (GitHub's ``ref`` is always ``refs/…``). Subtract it
    from a grammar: no provider mints ``repo:O/R:ref:refs/heads/:pull_request``.
    https://git-scm.com/docs/git-check-ref-format
    """
    run = Token(_FIELD_CHAR, star=True)  # part of the ref: anything up to a ':'

    def text(chars: str) -> list[Token]:
        return [Token(CharClass(frozenset(c))) for c in chars]

    heads = [[Token(ANY_CHAR, star=True), *text(marker)]]
    if marker.startswith(":"):
        heads.append(text(marker[1:]))  # the first field of the subject
    anything = [Token(ANY_CHAR, star=True)]
    field_end = [[], [Token(CharClass(frozenset(":"))), *anything]]  # the end, or ':' and more
    forbidden = Token(CharClass(_REF_CHAR.chars - {":"}))  # space, ~, ^, …: not ':' (the end)
    # Faults inside the ref: what follows them does not matter.
    inside: list[list[Token]] = [[run, forbidden]]
    inside += [[run, *text(infix)] for infix in ("//", "/.", "..", "@{", ".lock/")]
    inside += [text(start) for start in ("/", ".")]
    # Faults at the ref's end: the field must end there.
    at_end: list[list[Token]] = [[]]  # the empty ref
    at_end += [[run, *text(suffix)] for suffix in ("/", ".", ".lock")]
    for length in range(len(prefix)):
        # The prefix's first `length` characters, then a different one, or the field's end.
        differs = Token(CharClass(frozenset({prefix[length], ":"}), negated=True))
        inside.append([*text(prefix[:length]), differs])
        at_end.append(text(prefix[:length]))
    patterns = [[*head, *body, *anything] for head in heads for body in inside]
    patterns += [[*head, *body, *end] for head in heads for body in at_end for end in field_end]
    return _compact_union(Language.from_tokens(tokens) for tokens in patterns)
