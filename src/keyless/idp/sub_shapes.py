"""``sub`` claim templates as languages: the characters a provider's names, fields, IDs
and git refs hold, :func:`shape` (one template), :func:`fields_language` (subjects of
``KEY:VALUE`` fields), :func:`field_outside` and :func:`invalid_refs` (subjects a grammar
subtracts). The machinery of :mod:`keyless.idp.subject_grammar`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from keyless.patterns.dfa import ANY_CHAR, CharClass, Token, canonical
from keyless.patterns.language import Glob, Language

_SLOT = re.compile(r"\{(tenant|repo)\}")


# A name segment: one or more characters other than the separators of ``sub`` formats.
# No provider's names hold a wildcard character: a literal `*` in a StringEquals value
# (`repo:acme/*`) names nothing a token can carry.
_NAME_CHAR = CharClass(frozenset(":/@*?"), negated=True)
#: The same name as a regular expression, for reading one from a policy value.
NAME = r"[^/:@*?]+"
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
def union(
    templates: tuple[str, ...], tenant: str = "", repo: str = "", *, fold: bool = False
) -> Language:
    """The union of ``templates`` (as :func:`shape` reads them), slots filled in: a
    repository's subjects are asked for by several questions of a policy, and by the
    policies that share it."""
    language = Language.empty()
    for template in templates:
        language = language | shape(template, tenant, repo, fold=fold)
    return language


def field_as_value(name: str) -> Language:
    """Subjects of ``KEY:VALUE`` fields joined by ``:`` in which ``name`` (a field that
    stands alone: GitHub's ``pull_request`` context) appears only as a value, never as a
    field of its own: ``repo:o/r:actor:pull_request`` is the actor ``pull_request``'s,
    while ``repo:o/r:head_ref:actor:pull_request`` has the context. Read by the fields'
    parity: a subject of pairs alone (``KEY:VALUE`` or ``KEY:``, an empty value) has an
    even number of parts; ``name`` standing alone is the one part that makes it odd."""
    alone = fields_language(("=:=", "=:", name), once=(name,)) - fields_language(("=:=", "=:"))
    forms: tuple[tuple[str | Glob, ...], ...] = (
        (name,),
        (f"{name}:", Glob.STAR),
        (Glob.STAR, f":{name}"),
        (Glob.STAR, f":{name}:", Glob.STAR),
    )
    named = Language.union_all(Language.from_glob(parts) for parts in forms)
    return (named - alone).compact()


@functools.lru_cache(maxsize=64)
def names_holding(keys: tuple[str, ...], chars: frozenset[str]) -> Language:
    """Subjects of ``KEY:VALUE`` fields with a field of one of ``keys`` whose value holds
    one of ``chars``: GitHub's ``repo:o/ré`` for the key ``repo`` and ``é``. Its alphabet is
    the keys' and ``chars``' characters alone."""
    anything = Token(ANY_CHAR, star=True)
    inside = Token(_FIELD_CHAR, star=True)
    held = Token(CharClass(chars))
    forms = []
    for key in keys:
        field = [Token(CharClass(frozenset(c))) for c in f"{key}:"]
        forms.append([*field, inside, held, anything])
        forms.append([anything, Token(CharClass(frozenset(":"))), *field, inside, held, anything])
    return compact_union(Language.from_tokens(tokens) for tokens in forms)


def field_outside(key: str, values: tuple[str, ...]) -> Language:
    """Subjects of ``KEY:VALUE`` fields joined by ``:`` holding a ``key`` field whose value
    is none of ``values`` (GitHub's ``…:event_name:schedule:…`` for the values of a pull
    request's runs). A value is characters other than ``:``; an empty one (GitHub's
    ``…:base_ref::…``) is another value unless ``values`` hold ``""``.

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
            outside = prefix not in values
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
    accepting = frozenset({sink} | {node[prefix] for prefix in trie if prefix not in values})
    # The subject's start is a field's: state 1, the marker's `:` read. Renumbered so
    # that the start is state 0, as canonical() expects.
    order = [1, 0, *range(2, sink + 1)]
    renumber = {old: new for new, old in enumerate(order)}
    table = [tuple(renumber[target] for target in rows[old]) for old in order]
    return Language(
        "dfa", leaf=canonical(alphabet, table, frozenset(renumber[s] for s in accepting))
    )


#: A subject with an empty field (``a::b``, ``a:``): none any provider mints, but where a
#: grammar says (:attr:`SubGrammar.empty_after`).
EMPTY_FIELD = ("*::*", "*:")


def ill_formed(excluded: tuple[str, ...], empty_after: str) -> Language:
    """The subjects of the ``excluded`` templates; those with an empty field
    (:data:`EMPTY_FIELD`) only where the key before it ends in none of ``empty_after``."""
    if not empty_after or not any(template in EMPTY_FIELD for template in excluded):
        return compact_union(shape(template) for template in excluded)
    others = (shape(template) for template in excluded if template not in EMPTY_FIELD)
    return compact_union([_empty_field(empty_after), *others])


def _empty_field(empty_after: str) -> Language:
    """Subjects with an empty field (``::`` inside, ``:`` at the end, or the subject's
    first field empty) after a key whose last character is none of ``empty_after``.
    Built from tokens, a character class for the key's end: as globs minus the allowed
    keys' (``*_ref::*``) the coarse grammar tracked those names, four times its states."""
    anything = Token(ANY_CHAR, star=True)
    colon = Token(CharClass(frozenset(":")))
    other = Token(CharClass(frozenset(empty_after), negated=True))
    return compact_union(
        Language.from_tokens(tokens)
        for tokens in (
            [anything, other, colon, colon, anything],
            [colon, colon, anything],
            [anything, other, colon],
            [colon],
        )
    )


def forget_filled() -> None:
    """Forget the languages filled in with a policy's tenant and repository (an
    organization's scan drops them between accounts: 1,024 of them held 116,000 objects,
    19 MB, after the messy account); the grammar-wide languages are kept."""
    shape.cache_clear()
    union.cache_clear()


def compact_union(languages: Iterable[Language]) -> Language:
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
    return compact_union(Language.from_tokens(tokens) for tokens in patterns)
