"""Values read from infrastructure code, each with the place in the file it came from.

Every reader (HCL, YAML, JSON) produces :class:`Node` trees: a JSON-like value whose every
part carries its 1-based line and column, so a finding can point at the offending value and
not only at the resource. What keyless does not evaluate (a variable without a default, a
remote module's output, a function it does not know, a CloudFormation parameter without a default)
is an :class:`Unknown` that says which expression and why: it is reported, never guessed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from types import MappingProxyType
from typing import Any, TypeAlias

import orjson

from keyless.policy.document import escape_pointer


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A 1-based line and column (Unicode code points, as SARIF's ``unicodeCodePoints``)."""

    line: int
    column: int

    def shifted(self, origin: Position) -> Position:
        """This position, read in a text that starts at ``origin`` of an enclosing file
        (a heredoc's body): lines add up, columns only on the first line."""
        if self.line == 1:
            return Position(origin.line, origin.column + self.column - 1)
        return Position(origin.line + self.line - 1, self.column)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value keyless did not evaluate: the ``expression`` as written, and why."""

    expression: str
    reason: str
    position: Position
    # The text judged in its place when all that is missing is a name the code leaves to
    # whoever deploys it (a parameter or variable without a value), or a string built
    # around such names: see :func:`stand_in_text`.
    stand_in: str | None = None
    # True when Terraform itself would fail on the expression (an index past the end of a
    # known list, a key a known map lacks, lookup() without a default): ``try()`` moves on
    # to its next argument and ``can()`` is false, where an unevaluated value leaves both
    # unknown.
    fails: bool = False
    # True when the stand-in ends with a name written after other text (``repo:${var.x}``,
    # ``!Sub repo:${Org}/${Repo}``): nothing the code writes closes the name, so its value
    # may hold the rest of the string too (``acme/app:ref:refs/heads/main``), and what the
    # stand-in's end admits is not known (:func:`ends_with_name`).
    open_ended: bool = False


@dataclass(frozen=True, slots=True)
class JsonText:
    """A string known to be the JSON encoding of ``document`` (``jsonencode(...)``, a
    policy document data source's ``json``): kept structured so its parts keep their
    positions. ``by_jsonencode``: the text is ``jsonencode``'s, which keyless can write as
    Terraform does (a data source's text is laid out by its provider)."""

    document: Node
    by_jsonencode: bool = False


class SourcedText(str):
    """A string read from a heredoc, which remembers where its text was written so a JSON
    document inside it can be located exactly. ``offsets`` maps an offset in this string
    to one in ``original`` (they differ when interpolations were substituted)."""

    origin: Position
    original: str
    substitutions: tuple[tuple[int, int, int], ...]
    _starts: list[int]
    _shifts: list[int]

    def __new__(
        cls,
        value: str,
        origin: Position,
        original: str,
        substitutions: tuple[tuple[int, int, int], ...] = (),
    ) -> SourcedText:
        made = super().__new__(cls, value)
        made.origin = origin
        made.original = original
        made.substitutions = substitutions
        # each substitution's start, and how far the original is ahead before it: an
        # offset is then found by bisection (a walk from the first substitution for each
        # JSON value of a heredoc of 20,000 interpolations took 20 s)
        made._starts = [start for start, _, _ in substitutions]
        shifts = (there - here for _, here, there in substitutions)
        made._shifts = list(accumulate(shifts, initial=0))
        return made

    def original_offset(self, offset: int) -> int:
        """Where ``offset`` of this string was in the original text: ``substitutions``
        are ``(start, length here, length there)`` in increasing order."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0:
            return offset
        start, here, _ = self.substitutions[index]
        if offset < start + here:
            return start + self._shifts[index]
        return offset + self._shifts[index + 1]


Scalar = None | bool | int | float | str
Value: TypeAlias = "Scalar | tuple[Node, ...] | Mapping[str, Node] | Unknown | JsonText"


@dataclass(frozen=True, slots=True)
class Node:
    """A value and where it was written."""

    value: Value
    position: Position
    notes: tuple[str, ...] = field(default=())

    @property
    def is_known(self) -> bool:
        """False when the value, or any part of it, is :class:`Unknown`."""
        return next(unknowns(self), None) is None


EMPTY: Mapping[str, Node] = MappingProxyType({})


class Attributes(Mapping[str, "Node"]):
    """A resource's attributes as far as its code fixes them (its arguments and what IAM
    computes from them): any other attribute is known only after apply. ``exact``: the
    members are every attribute the object has (a module's outputs, every file of it
    read), an attribute not among them an error; otherwise the object as a whole (its
    keys, its JSON) is not known (:func:`is_partial`)."""

    __slots__ = ("_members", "address", "exact", "position", "reason")

    def __init__(
        self,
        members: Mapping[str, Node],
        address: str,
        position: Position,
        reason: str = "known only after apply",
        exact: bool = False,
    ):
        self._members = dict(members)
        self.address = address
        self.position = position
        self.reason = reason
        self.exact = exact

    def __getitem__(self, key: str) -> Node:
        return self._members[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def missing(self, key: str) -> Node:
        """The unknown value of an attribute the code does not fix."""
        unknown = Unknown(f"{self.address}.{key}", self.reason, self.position)
        return Node(unknown, self.position)


#: The deepest literal value read (the evaluator's own bound on expressions).
MAX_LITERAL_DEPTH = 200


def deeper_than(node: Node, limit: int) -> bool:
    """Whether ``node`` nests more than ``limit`` levels (found without recursion)."""
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        value = current.value
        if isinstance(value, tuple):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, Mapping):
            stack.extend((item, depth + 1) for item in value.values())
    return False


def is_partial(value: object) -> bool:
    """An object only some of whose attributes are known: its keys, length and JSON are
    not, whatever the attributes known say."""
    return isinstance(value, Attributes) and not value.exact


def partial_part(node: Node) -> Attributes | None:
    """The first object within ``node`` only some of whose attributes are known. Each part
    is visited once, however often it is shared (a value built by doubling)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        value = current.value
        if isinstance(value, Attributes) and not value.exact:
            return value
        if isinstance(value, JsonText):
            stack.append(value.document)
        elif isinstance(value, tuple):
            stack.extend(reversed(value))
        elif isinstance(value, Mapping):
            stack.extend(reversed(list(value.values())))
    return None


def partial_reason(value: Attributes) -> str:
    """Why an object only some of whose attributes are known is not known as a whole."""
    return f"the whole of {value.address} is not known: its other attributes are {value.reason}"


def mapping(items: Mapping[str, Node]) -> Mapping[str, Node]:
    """A frozen mapping of nodes."""
    return MappingProxyType(dict(items))


def unknowns(node: Node) -> Iterator[Unknown]:
    """Every :class:`Unknown` inside ``node``, in reading order."""
    stack = [node]
    while stack:
        current = stack.pop()
        value = current.value
        if isinstance(value, Unknown):
            yield value
        elif isinstance(value, JsonText):
            stack.append(value.document)
        elif isinstance(value, tuple):
            stack.extend(reversed(value))
        elif isinstance(value, Mapping):
            stack.extend(reversed(list(value.values())))


#: The largest value ``keyless iac`` evaluates, in values and characters (see :func:`weight`):
#: 4 MiB of text, hundreds of times what an IAM policy may hold.
MAX_WEIGHT = 4 * 1024 * 1024
TOO_LARGE = f"too large to evaluate (more than {MAX_WEIGHT:,} values and characters)"


def weight(node: Node, limit: int) -> int:
    """How large ``node`` is once written out: its values and the characters of its strings
    and keys, each shared part counted as often as it occurs (``[local.a, local.a]`` twice
    ``local.a``). Each distinct part is visited once, so a value built by doubling (forty
    ``[local.l, local.l]``) is measured in forty steps, not 2⁴⁰; the count stops being
    exact past ``limit``."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes and not children_done:
            continue
        parts = _parts(current.value)
        if not children_done:
            sizes[key] = 1  # a part met again while its own parts are measured (a cycle)
            stack.append((current, True))
            stack.extend((part, False) for part in parts if id(part) not in sizes)
            continue
        value = current.value
        own = len(value) if isinstance(value, str) else 1
        if isinstance(value, Mapping):
            own += sum(len(name) for name in value)
        sizes[key] = min(limit + 1, own + sum(sizes[id(part)] for part in parts))
    return sizes[id(node)]


def _parts(value: Value) -> Sequence[Node]:
    if isinstance(value, JsonText):
        return (value.document,)
    if isinstance(value, tuple):
        return value
    if isinstance(value, Mapping):
        return tuple(value.values())
    return ()


def fails(node: Node) -> bool:
    """True when a part of ``node`` is an expression Terraform would fail on."""
    return any(unknown.fails for unknown in unknowns(node))


class StandIn(str):
    """A note saying a value stands for what the code does not decide: the deploying
    account, its organization, a partition taken to be ``aws``, an identifier known only
    after deploy. The value may be written into a policy, where AWS resolves it to the
    role's own; a choice made on it (a condition, a comparison, a key looked up) would be
    made on the stand-in, so it is unknown (:func:`chosen_on_stand_in`)."""

    __slots__ = ()


def chosen_on_stand_in(expression: str, position: Position, *nodes: Node) -> Node | None:
    """An unknown value for a choice made on ``nodes`` when one of them (or a part) stands
    in for what the code does not decide (:class:`StandIn`); None when none does."""
    for node in nodes:
        for note in notes(node):
            if isinstance(note, StandIn):
                reason = (
                    f"it depends on a value keyless stands in for ({note}), not on the "
                    "one it will be deployed with"
                )
                return Node(Unknown(expression, reason, position), position)
    return None


def notes(node: Node) -> tuple[str, ...]:
    """The notes of ``node`` and its parts (values keyless stood in for), each once."""
    found: dict[str, None] = {}
    stack = [node]
    while stack:
        current = stack.pop()
        found.update(dict.fromkeys(current.notes))
        value = current.value
        if isinstance(value, JsonText):
            stack.append(value.document)
        elif isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, Mapping):
            stack.extend(value.values())
    return tuple(sorted(found))


def plain(node: Node) -> Any:
    """``node`` as plain JSON data (dicts, lists, scalars), the text of ``jsonencode`` as
    Terraform writes it (:func:`jsonencoded`). Raises ``ValueError`` when a part is unknown
    (check :attr:`Node.is_known` first) or is JSON text keyless cannot write exactly (a
    policy document's, laid out by its provider, or ``jsonencode`` of a fraction)."""
    value = node.value
    if isinstance(value, Unknown):
        raise ValueError(f"{value.expression} is not known")
    if isinstance(value, JsonText):
        text = jsonencoded(value.document) if value.by_jsonencode else None
        if text is None:
            raise ValueError("its JSON text is not known exactly")
        return text
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    if is_partial(value):
        assert isinstance(value, Attributes)
        raise ValueError(partial_reason(value))
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    return value


# What Go's encoding/json (cty's JSON encoder) writes as \u escapes and orjson does not.
_GO_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def jsonencoded(node: Node) -> str | None:
    """The text Terraform's ``jsonencode`` writes for ``node``: compact, object keys
    sorted, ``<``, ``>`` and ``&`` escaped as Go writes them; None when a part is unknown,
    a fraction (cty writes a number as ``big.Float.Text('f', -1)`` of its 512-bit value,
    digits Python's float does not hold), an integer past 64 bits (orjson refuses it),
    text with a backspace or form feed (written ``\b`` or ``\u0008`` by Go's version),
    or JSON text keyless cannot write exactly. The text is never approximate: a caller
    that gets None leaves the value unknown.
    https://developer.hashicorp.com/terraform/language/functions/jsonencode"""

    def data(current: Node) -> Any:
        value = current.value
        if isinstance(value, JsonText):
            inner = jsonencoded(value.document) if value.by_jsonencode else None
            if inner is None:
                raise ValueError("JSON text not written as Terraform writes it")
            return inner
        if isinstance(value, Unknown | float):
            raise ValueError("not known, or a fraction")
        if isinstance(value, str) and ("\b" in value or "\f" in value):
            raise ValueError("a backspace or form feed")
        if isinstance(value, tuple):
            return [data(item) for item in value]
        if isinstance(value, Mapping):
            if is_partial(value):
                raise ValueError("other attributes are not known")
            return {key: data(item) for key, item in value.items()}
        return value

    try:
        text = orjson.dumps(data(node), option=orjson.OPT_SORT_KEYS).decode()
    except (ValueError, TypeError, orjson.JSONEncodeError):
        return None
    return re.sub("[<>&\u2028\u2029]", lambda m: _GO_JSON_ESCAPES[m.group()], text)


def document(node: Node) -> Node:
    """The structured document inside a :class:`JsonText` (itself otherwise)."""
    value = node.value
    return value.document if isinstance(value, JsonText) else node


def pointer_positions(node: Node) -> dict[str, Position]:
    """Where each part of ``node`` was written, keyed by JSON pointer (RFC 6901)."""
    found: dict[str, Position] = {}
    stack: list[tuple[str, Node]] = [("", document(node))]
    while stack:
        pointer, current = stack.pop()
        found[pointer] = current.position
        value = current.value
        if isinstance(value, tuple):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))
        elif isinstance(value, Mapping):
            stack.extend((f"{pointer}/{escape_pointer(key)}", item) for key, item in value.items())
    return found


def relocated(node: Node, position: Position) -> Node:
    """``node`` with every part placed at ``position``: a value computed elsewhere (another
    file, another resource) is reported where the code uses it."""
    value = node.value
    if isinstance(value, Unknown):
        value = Unknown(
            value.expression,
            value.reason,
            position,
            value.stand_in,
            value.fails,
            value.open_ended,
        )
    elif isinstance(value, JsonText):
        value = JsonText(relocated(value.document, position), value.by_jsonencode)
    elif isinstance(value, tuple):
        value = tuple(relocated(item, position) for item in value)
    elif isinstance(value, Attributes):  # its missing attributes stay unknown, not errors
        members = {key: relocated(item, position) for key, item in value.items()}
        value = Attributes(members, value.address, position, value.reason, value.exact)
    elif isinstance(value, Mapping):
        value = mapping({key: relocated(item, position) for key, item in value.items()})
    return Node(value, position, node.notes)


def get(node: Node | None, *keys: str) -> Node | None:
    """The node at ``keys`` inside nested mappings, or None."""
    current = node
    for key in keys:
        if current is None or not isinstance(current.value, Mapping):
            return None
        current = current.value.get(key)
    return current


def text(node: Node | None) -> str | None:
    """The node's value when it is a known string."""
    if node is None or not isinstance(node.value, str):
        return None
    return node.value


def known_texts(node: Node | None) -> tuple[str, ...] | None:
    """The node's items when it is a known list (or set) of known strings, else None."""
    if node is None or not isinstance(node.value, tuple):
        return None
    items = tuple(text(item) for item in node.value)
    return None if any(item is None for item in items) else tuple(i for i in items if i)


#: What a name's stand-in starts with: a character of no word of any provider's subject
#: grammar (claim keys, keywords and enumerated values such as ``ref``, ``environment``,
#: ``pull_request``, ``public`` are lower-case letters, digits, ``_`` and ``-``), valid in
#: every name, ref and field a subject holds, and no IAM wildcard or policy variable.
STAND_IN_MARK = "$"


def name_stand_in(name: str) -> str:
    """The text judged in place of a name the code leaves to whoever deploys it (a
    variable or a parameter without a value): the name after :data:`STAND_IN_MARK`. The
    name alone could be read as a word of the subject's grammar — a variable ``ref`` in
    ``repo:acme/app:${var.ref}:*`` judged as ``repo:acme/app:ref:*``, any branch, a
    finding claimed to hold whatever the value is, which only that value makes — and so
    could a name completing a word begun before it (``re${var.f}``); with the mark, no
    word of the grammar starts or runs inside a stand-in."""
    return f"{STAND_IN_MARK}{name}"


def stand_in_text(pieces: Sequence[str | Unknown]) -> str | None:
    """A string with unknown names in it, as judged with stand-ins: literal pieces as
    written, each unknown piece as its stand-in (None when one has none). A bare name
    right after ``repo:`` (GitHub) or ``project_path:`` (GitLab) with no ``/`` before the
    next ``:`` stands for a whole ``OWNER/REPO`` or ``GROUP/PROJECT``
    (``repo:${var.github_repo}:*``): it is written ``NAME/NAME``.

    Linear in the pieces: a string of 20,000 variables (``${opt:a}`` repeated) took
    minutes when the text before and after each one was joined again for it."""
    texts = [p if isinstance(p, str) else (p.stand_in or "") for p in pieces]
    # slash_ahead[i]: a "/" comes before the first ":" of the text of pieces[i:].
    slash_ahead = [False] * (len(texts) + 1)
    for index in range(len(texts) - 1, -1, -1):
        head, colon, _ = texts[index].partition(":")
        slash_ahead[index] = "/" in head or (not colon and slash_ahead[index + 1])
    rendered: list[str] = []
    tail = ""  # the end of what is rendered so far, long enough for _PATH_SLOTS
    for index, piece in enumerate(pieces):
        if isinstance(piece, str):
            rendered.append(piece)
            tail = (tail + piece)[-_PATH_SLOT_LENGTH:]
            continue
        if piece.stand_in is None:
            return None
        name = piece.stand_in
        is_name = not any(c in name for c in ":/*?")
        if is_name and tail.endswith(_PATH_SLOTS) and not slash_ahead[index + 1]:
            name = f"{name}/{name}"
        rendered.append(name)
        tail = (tail + name)[-_PATH_SLOT_LENGTH:]
    return "".join(rendered)


def ends_with_name(pieces: Sequence[str | Unknown]) -> bool:
    """Whether a string of ``pieces`` ends with an unknown name written after other text
    (``repo:${var.subject}``, ``repo:acme/${var.repo}``), or with a piece that itself
    does: the code writes nothing after the name to close it, so whoever sets it may set
    the rest of the string too. A name alone (``${var.x}``) is no such end: a finding on
    a pattern never rests on the value of a name written nowhere around it."""
    written = [p for p in pieces if not isinstance(p, str) or p]
    if not written or not isinstance(written[-1], Unknown):
        return False
    return len(written) > 1 or written[-1].open_ended


#: Where a bare name stands for a whole ``OWNER/REPO`` (see :func:`stand_in_text`).
_PATH_SLOTS = ("repo:", "project_path:")
_PATH_SLOT_LENGTH = max(len(slot) for slot in _PATH_SLOTS)
