"""Evaluate one condition (operator, key, values) against a request context.

Sources (cited again where each rule is applied):

* operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
* several keys/values: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
* set operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
* key names are case-insensitive: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import operator as _op
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from keyless.errors import quoted
from keyless.policy.document import Condition
from keyless.policy.operators import Comparison, Family, Qualifier
from keyless.policy.variables import Text, resolve

# --------------------------------------------------------------------------- context


@dataclass(frozen=True, slots=True)
class ContextValue:
    """The value(s) of one key in a request. ``key`` keeps the spelling it was given in."""

    key: str
    values: tuple[str, ...]
    multivalued: bool = False


Context = Mapping[str, ContextValue]
"""Request context keyed by the lower-cased key name."""

ContextInput = Mapping[str, "str | bool | int | Sequence[str] | ContextValue"]


def make_context(entries: ContextInput | None = None) -> Context:
    """Build a context: a ``str`` (or bool/int) is single-valued, a list multivalued.

    Booleans become ``"true"``/``"false"`` as AWS sends them. Key names are
    case-insensitive; a later spelling of the same key replaces an earlier one.
    """
    result: dict[str, ContextValue] = {}
    for key, raw in (entries or {}).items():
        if isinstance(raw, ContextValue):
            value = raw
        elif isinstance(raw, bool):
            value = ContextValue(key, ("true" if raw else "false",))
        elif isinstance(raw, str | int):
            value = ContextValue(key, (str(raw),))
        else:
            value = ContextValue(key, tuple(str(item) for item in raw), multivalued=True)
        result[key.lower()] = value
    return MappingProxyType(result)


# --------------------------------------------------------------------------- wildcards


@functools.lru_cache(maxsize=8192)
def wildcard_to_regex(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile an IAM wildcard pattern: ``*`` any run (also empty), ``?`` one character.

    The wildcards cross ``/`` and ``:`` (StringLike semantics). Match with ``fullmatch``.
    """
    return re.compile(
        _wildcard_body((Text(pattern),)), re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    )


def matches_wildcard(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when ``value`` matches the IAM wildcard ``pattern`` as a whole."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _glob((Text(pattern),), ignore_case).fullmatch(value)


def matches_parts(parts: tuple[Text, ...], value: str) -> bool:
    """True when ``value`` matches a pattern whose variables were substituted
    (:func:`resolve_value`): substituted text is literal, the rest keeps its wildcards."""
    return _glob(parts, False).fullmatch(value)


class _Glob:
    """An IAM wildcard pattern matched in linear time.

    As one regular expression (``.*a.*a.*a…``) a pattern of many ``*`` backtracks
    polynomially on a value that does not match: ``*a`` fifty times took minutes per
    value. Cut at its ``*``, each piece has a fixed width (``?`` is one character): the
    first must match at the start, the last at the end, and each piece between is found
    leftmost after the one before, which is a match whenever one exists."""

    __slots__ = ("_first", "_last", "_pieces", "_star")

    def __init__(self, parts: Iterable[Text], flags: int):
        pieces: list[list[str]] = [[]]
        widths = [0]
        for part in parts:
            if not part.wildcards:
                pieces[-1].append(re.escape(part.text))
                widths[-1] += len(part.text)
                continue
            for char in part.text:
                if char == "*":
                    pieces.append([])
                    widths.append(0)
                else:
                    pieces[-1].append("." if char == "?" else re.escape(char))
                    widths[-1] += 1
        self._pieces = [re.compile("".join(piece), flags | re.DOTALL) for piece in pieces]
        self._star = len(pieces) > 1
        self._first, self._last = widths[0], widths[-1]

    def fullmatch(self, value: str) -> bool:
        """True when ``value`` matches the whole pattern."""
        if not self._star:
            return self._pieces[0].fullmatch(value) is not None
        end = len(value) - self._last
        if self._first > end:
            return False
        if self._pieces[0].fullmatch(value, 0, self._first) is None:
            return False
        if self._pieces[-1].fullmatch(value, end) is None:
            return False
        position = self._first
        for piece in self._pieces[1:-1]:
            found = piece.search(value, position, end)
            if found is None:
                return False
            position = found.end()
        return True


@functools.lru_cache(maxsize=4096)
def _glob(parts: tuple[Text, ...], ignore_case: bool) -> _Glob:
    return _Glob(parts, re.IGNORECASE if ignore_case else 0)


def resolve_value(value: str, context: Context) -> tuple[Text, ...] | None:
    """``value`` with its policy variables substituted from ``context``; ``None`` when one
    cannot be resolved."""
    try:
        return _resolve(value, context, variables=True)
    except _Unresolvable:
        return None


def _wildcard_body(parts: Iterable[Text]) -> str:
    pieces: list[str] = []
    for part in parts:
        if not part.wildcards:
            pieces.append(re.escape(part.text))
            continue
        for char in part.text:
            if char == "*":
                pieces.append(".*")
            elif char == "?":
                pieces.append(".")
            else:
                pieces.append(re.escape(char))
    return "".join(pieces)


def _arn_like(parts: tuple[Text, ...], value: str) -> bool:
    """ArnLike/ArnEquals: each of the six ``:``-separated components matches on its own.

    A ``*`` never spans a colon between the first five components; the sixth (resource)
    keeps any further colons. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    """
    pattern_segments: list[list[Text]] = [[]]
    for part in parts:
        chunks = part.text.split(":")
        for index, chunk in enumerate(chunks):
            if index and len(pattern_segments) < 6:
                pattern_segments.append([])
            elif index:
                pattern_segments[-1].append(Text(":", wildcards=False))
            if chunk:
                pattern_segments[-1].append(Text(chunk, part.wildcards))
    value_segments = value.split(":", 5)
    if len(pattern_segments) == 1 and pattern_segments[0] == [Text("*")]:
        # A bare "*" under ArnLike: AWS does not say; we read it as "any ARN" (the reading
        # that never hides access from the analyser).
        return len(value_segments) == 6
    if len(pattern_segments) != 6 or len(value_segments) != 6:
        return False
    return all(
        _glob(tuple(pattern), False).fullmatch(segment)
        for pattern, segment in zip(pattern_segments, value_segments, strict=True)
    )


# --------------------------------------------------------------------------- scalar parsing


# A decimal number as JSON writes one: what a Numeric operator compares. Decimal alone would
# also read "1_000", "Infinity" and "NaN".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> Decimal | None:
    """A policy or request value as an exact decimal number (any size), or ``None``.

    Exact whatever the magnitude (``123456789012345678901234567890``, ``1e400``), so a
    comparison is decided correctly rather than rounded or overflowed.
    """
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped):
        return None
    try:
        return Decimal(stripped)
    except InvalidOperation:
        return None


def parse_date(text: str) -> datetime | None:
    """ISO 8601 (``2026-01-01T00:00:00Z``, date-only allowed) or epoch seconds."""
    number = parse_number(text)
    if number is not None:
        try:
            return datetime.fromtimestamp(float(number), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


_COMPARE: Mapping[Comparison, Callable[[Any, Any], bool]] = MappingProxyType(
    {
        Comparison.EQUALS: _op.eq,
        Comparison.LESS: _op.lt,
        Comparison.LESS_EQUALS: _op.le,
        Comparison.GREATER: _op.gt,
        Comparison.GREATER_EQUALS: _op.ge,
    }
)


# --------------------------------------------------------------------------- one condition


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """The outcome of one condition, with the reason in words.

    ``invalid`` is set when a policy variable could not be resolved: AWS may then treat
    the whole statement as invalid, so the statement does not match.
    ``request_values`` is ``None`` when the key was absent from the request.
    """

    condition: Condition
    passed: bool
    reason: str
    request_values: tuple[str, ...] | None = None
    invalid: bool = False
    uncertain: bool = False


class _Unresolvable(Exception):
    pass


def evaluate_condition(
    condition: Condition, context: Context, *, variables: bool = True
) -> ConditionResult:
    """Evaluate ``condition`` against ``context``.

    ``variables`` is whether policy variables are substituted (Version 2012-10-17).
    """
    operator = condition.operator
    base = operator.base
    found = context.get(condition.key_lower)
    request_values = found.values if found is not None else ()
    present = bool(request_values)
    shown = request_values if present else None

    def result(passed: bool, reason: str, uncertain: bool = False) -> ConditionResult:
        return ConditionResult(condition, passed, reason, shown, uncertain=uncertain)

    # Null: "true" means the key must be absent, "false" present. An empty multivalued
    # key counts as absent (AWS treats an empty set like a missing key for set operators).
    if base.family is Family.NULL:
        wanted = {value.lower() == "true" for value in condition.values}
        passed = (not present) in wanted
        return result(passed, f"key is {'absent' if not present else 'present'}")

    if not present:
        # Absent key: IfExists -> true; ForAllValues -> true (vacuous); ForAnyValue -> false;
        # otherwise negated operators -> true and positive ones -> false.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
        if operator.if_exists:
            return result(True, "key is absent, and IfExists makes an absent key pass")
        if operator.qualifier is Qualifier.FOR_ALL_VALUES:
            return result(True, "key is absent, and ForAllValues over no values is true")
        if operator.qualifier is Qualifier.FOR_ANY_VALUE:
            return result(False, "key is absent, and ForAnyValue needs at least one value")
        if base.negated:
            return result(True, f"key is absent, and the negated {base.name} is then true")
        return result(False, "key is absent from the request")

    try:
        matcher = _matcher(condition, context, variables)
    except _Unresolvable as error:
        return ConditionResult(
            condition, False, f"policy variable {error} cannot be resolved", shown, invalid=True
        )

    def satisfies(value: str) -> bool:
        return matcher(value) != base.negated

    if operator.qualifier is Qualifier.FOR_ANY_VALUE:
        passed = any(satisfies(value) for value in request_values)
        return result(passed, f"{'some' if passed else 'no'} request value satisfies {base.name}")
    if operator.qualifier is Qualifier.FOR_ALL_VALUES:
        failing = [value for value in request_values if not satisfies(value)]
        if failing:
            return result(False, f"request value {quoted(failing[0])} does not satisfy {base.name}")
        return result(True, f"every request value satisfies {base.name}")
    if len(request_values) == 1:
        passed = satisfies(request_values[0])
        return result(passed, _describe(base.negated, passed, request_values[0], condition.values))
    # A multivalued key without a set operator. AWS says to use a set operator and does
    # not document this case; we read it as "some value matches" (negated: "none does").
    matched = any(matcher(value) for value in request_values)
    return result(
        matched != base.negated,
        f"multivalued key without ForAnyValue/ForAllValues: {'a' if matched else 'no'} value "
        f"matches (AWS does not document this case)",
        uncertain=True,
    )


def _describe(negated: bool, passed: bool, value: str, policy_values: tuple[str, ...]) -> str:
    listed = ", ".join(quoted(v) for v in policy_values) or "nothing"
    if negated:
        return f"{quoted(value)} {'matches none' if passed else 'matches one'} of {listed}"
    return f"{quoted(value)} {'matches' if passed else 'does not match'} {listed}"


def _matcher(condition: Condition, context: Context, variables: bool) -> Callable[[str], bool]:
    """A predicate: does a request value match ANY of the policy values (positive form)."""
    base = condition.operator.base
    family = base.family
    comparison = base.comparison
    if family in (Family.STRING, Family.ARN):
        patterns = [_resolve(value, context, variables) for value in condition.values]
        if family is Family.ARN:
            return lambda value: any(_arn_like(parts, value) for parts in patterns)
        if comparison is Comparison.LIKE:
            globs = [_glob(parts, False) for parts in patterns]
            return lambda value: any(glob.fullmatch(value) for glob in globs)
        texts = ["".join(part.text for part in parts) for parts in patterns]
        if comparison is Comparison.EQUALS_IGNORE_CASE:
            lowered = {text.lower() for text in texts}
            return lambda value: value.lower() in lowered
        exact = set(texts)
        return lambda value: value in exact
    if family is Family.NUMERIC:
        return _typed(condition.values, parse_number, comparison)
    if family is Family.DATE:
        return _typed(condition.values, parse_date, comparison)
    if family is Family.BOOL:
        # Bool compares "true"/"false" without regard to case.
        wanted = {value.lower() for value in condition.values}
        return lambda value: value.lower() in wanted
    if family is Family.BINARY:
        blobs = {blob for blob in map(_binary, condition.values) if blob is not None}
        return lambda value: _binary(value) in blobs
    networks = []
    for text in condition.values:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            continue

    def in_network(value: str) -> bool:
        try:
            address = ipaddress.ip_address(value.strip())
        except ValueError:
            return False
        return any(address.version == net.version and address in net for net in networks)

    return in_network


def _typed(
    policy_values: tuple[str, ...], parse: Callable[[str], object], comparison: Comparison
) -> Callable[[str], bool]:
    # Values that do not parse match nothing (and so satisfy the negated operator).
    parsed = [item for item in map(parse, policy_values) if item is not None]
    compare = _COMPARE[comparison]

    def match(value: str) -> bool:
        request = parse(value)
        return request is not None and any(compare(request, p) for p in parsed)

    return match


def _resolve(value: str, context: Context, variables: bool) -> tuple[Text, ...]:
    if not variables or "${" not in value:
        return (Text(value),)

    def lookup(key: str) -> str | None:
        found = context.get(key)
        if found is None or found.multivalued or len(found.values) != 1:
            return None
        return found.values[0]

    resolved = resolve(value, lookup)
    if resolved is None:
        raise _Unresolvable(value)
    return resolved
