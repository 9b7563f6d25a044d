"""Translate IAM conditions into :mod:`keyless.trust.formula` formulas.

String and ARN operators become regular languages exactly (including ``${*}`` escapes and
``IgnoreCase``). Bool, Numeric, Date, IpAddress and Binary operators are decided over a
finite *universe* of candidate values per key: every policy value, its neighbours and the
boundaries of every network, which contains a representative of every cell the policy's
comparisons can tell apart, so satisfiability stays exact while witnesses stay concrete
(``"false"``, ``"10"``, ``"203.0.113.0"``). Membership of each candidate is decided by the
concrete evaluator itself (:func:`keyless.policy.conditions.evaluate_condition`), so the two
cannot disagree.

Over-approximations (documented in docs/trust.md, and marked ``approximate`` on the path):

* a value with a policy variable (``${aws:username}``) stands for any substitution (each
  variable is read as ``*``) in an Allow, and a Deny statement using one is ignored: both
  read the policy as admitting *more*, the fail-safe side for an auditor. Witnesses of such
  paths are replayed and dropped if the evaluator disagrees.
* a key used both with a typed operator and a string operator is decided over the typed
  universe plus the string values: rare, and not exact.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

from keyless.patterns.language import Glob, Language, Recipe
from keyless.policy.conditions import evaluate_condition, make_context, parse_date, parse_number
from keyless.policy.document import Condition, Policy, Statement
from keyless.policy.operators import Comparison, Family, Operator, Qualifier
from keyless.policy.variables import Text, split_variables
from keyless.trust.formula import (
    ANY,
    TRUE,
    Formula,
    MultivaluedTest,
    absent,
    all_of,
    any_of,
    f_and,
    present,
)

#: Families decided over a finite universe of candidate values.
TYPED_FAMILIES = frozenset({Family.NUMERIC, Family.DATE, Family.IP, Family.BINARY, Family.BOOL})

#: Keys AWS documents as multivalued (the rest hold one value).
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
MULTIVALUED_KEYS = frozenset(
    {
        "cognito-identity.amazonaws.com:amr",
        "aws:principalorgpaths",
        "aws:tagkeys",
        "aws:principalserviceNamesList".lower(),
        "saml:cn",
        "saml:edupersonaffiliation",
        "saml:edupersonassurance",
        "saml:edupersonentitlement",
        "saml:edupersonnickname",
        "saml:edupersonorgunitdn",
        "saml:edupersonprimaryaffiliation",
        "saml:edupersonscopedaffiliation",
        "saml:edupersontargetedid",
        "saml:edupersonprincipalname",
        "saml:edupersonorgdn",
        "saml:edupersonprimaryorgunitdn",
        "saml:organizationstatus",
        "saml:primarygroupsid",
    }
)


def is_multivalued(key: str) -> bool:
    """Whether AWS may send several values for ``key`` (lower-cased)."""
    return key in MULTIVALUED_KEYS or key.endswith(":amr") or key.endswith("/context-ids")


class ConditionTranslator:
    """Turns the conditions of one policy into formulas (typed universes are per policy)."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.variables = policy.supports_variables
        self.approximate = False
        self.universes = _typed_universes(policy)

    def universe(self, key: str) -> Language | None:
        """The finite set of values considered for a typed key (``None``: all strings)."""
        return self.universes.get(key)

    def statement(self, statement: Statement, *, deny: bool) -> Formula:
        """The conditions of ``statement`` as one formula (their conjunction)."""
        result: Formula = (TRUE,)
        for condition in statement.conditions:
            if self.variables and any(_has_variable(value) for value in condition.values):
                self.approximate = True
                if deny:
                    return ()  # fail-safe: the Deny is not assumed to apply
            result = f_and(result, self.condition(condition), is_multivalued)
            if not result:
                return ()
        return result

    def condition(self, condition: Condition) -> Formula:
        """One condition (operator, key, values) as a formula."""
        key = condition.key_lower
        operator = condition.operator
        base = operator.base
        if base.family is Family.NULL:
            wanted = {value.lower() == "true" for value in condition.values}
            if wanted == {True, False}:
                return (TRUE,)
            if not wanted:
                return ()
            return (absent(key),) if True in wanted else (present(key),)
        positive = self.positive_language(condition)
        satisfies = ~positive if base.negated else positive
        universe = self.universes.get(key)
        if universe is not None:
            satisfies = satisfies & universe
        if operator.qualifier is Qualifier.FOR_ANY_VALUE:
            formula: Formula = (any_of(key, satisfies),)
        elif operator.qualifier is Qualifier.FOR_ALL_VALUES or base.negated:
            return (all_of(key, satisfies),)
        else:
            formula = (any_of(key, satisfies),)
        if operator.if_exists:
            formula = (*formula, absent(key))
        return formula

    def positive_language(self, condition: Condition) -> Language:
        """The request values the (un-negated) operator matches for some policy value."""
        base = condition.operator.base
        if base.family in TYPED_FAMILIES:
            return _typed_language(condition, self.universes[condition.key_lower])
        return Language.union_all(
            self.value_language(base.family, base.comparison, value) for value in condition.values
        )

    def value_language(self, family: Family, comparison: Comparison, value: str) -> Language:
        """What one policy value matches under a String or ARN operator."""
        parts = _parts(value, self.variables)
        if family is Family.ARN:
            if value == "*":
                # The evaluator reads a bare "*" as any six-component ARN.
                return _ANY_ARN
            if all(part.wildcards for part in parts):
                return Language.arn_pattern("".join(p.text for p in parts), escapes=False)
            return Language.arn_pattern(_glob_text(parts), escapes=False) | _escaped_arn(parts)
        if comparison is Comparison.LIKE:
            return Language.from_glob(_glob_parts(parts))
        text = "".join(part.text for part in parts)
        return Language.literal(text, ignore_case=comparison is Comparison.EQUALS_IGNORE_CASE)


_ANY_ARN = Language.arn_pattern("*:*:*:*:*:*")


def _escaped_arn(parts: tuple[Text, ...]) -> Language:
    # An ARN pattern with a ${*} escape: rare; literal reading of the escaped characters.
    return Language.literal("".join(part.text for part in parts))


def _glob_text(parts: tuple[Text, ...]) -> str:
    return "".join(part.text if part.wildcards else "" for part in parts)


def _has_variable(value: str) -> bool:
    return any(not isinstance(part, Text) for part in split_variables(value))


def _parts(value: str, variables: bool) -> tuple[Text, ...]:
    """Literal and wildcard text of a value; variables read as ``*`` (over-approximation)."""
    if not variables or "${" not in value:
        return (Text(value),)
    return tuple(part if isinstance(part, Text) else Text("*") for part in split_variables(value))


def _glob_parts(parts: Iterable[Text]) -> tuple[str | Glob, ...]:
    result: list[str | Glob] = []
    for part in parts:
        if not part.wildcards:
            result.append(part.text)
            continue
        result.extend(
            Glob.STAR if char == "*" else Glob.ONE if char == "?" else char for char in part.text
        )
    return tuple(result)


# ----- typed universes ------------------------------------------------------------------------


def _typed_universes(policy: Policy) -> Mapping[str, Language]:
    by_key: dict[str, list[Condition]] = {}
    strings: dict[str, set[str]] = {}
    for statement in policy.statements:
        for condition in statement.conditions:
            family = condition.operator.base.family
            if family in TYPED_FAMILIES:
                by_key.setdefault(condition.key_lower, []).append(condition)
            elif family is Family.STRING:
                strings.setdefault(condition.key_lower, set()).update(condition.values)
    universes = {}
    for key, conditions in by_key.items():
        candidates: set[str] = set(strings.get(key, ()))
        for condition in conditions:
            candidates.update(_candidates(condition.operator.base.family, condition.values))
        universes[key] = _finite(frozenset(candidates))
    return universes


def _finite(values: frozenset[str]) -> Language:
    return Language.finite(values)


def _candidates(family: Family, values: Iterable[str]) -> set[str]:
    values = list(values)
    if family is Family.BOOL:
        return {"true", "false", *(v.lower() for v in values)}
    if family is Family.NUMERIC:
        numbers = sorted({n for n in map(parse_number, values) if n is not None})
        points = _cells(numbers)
        return {_show_number(p) for p in points} | {"0"}
    if family is Family.DATE:
        dates = sorted({d for d in map(parse_date, values) if d is not None})
        found = _date_cells(dates)
        return {_show_date(d) for d in found} | {"2026-01-01T00:00:00Z"}
    if family is Family.IP:
        return _ip_candidates(values)
    return {*values, "a2V5bGVzcw=="}  # Binary: the policy values and one other blob


def _cells(points: list[Decimal]) -> list[Decimal]:
    """A representative of every cell the comparisons with ``points`` tell apart: each
    point, a number just below and just above it, and one between neighbours.

    Exact whatever the magnitude: ``±1`` for numbers of ordinary size, the adjacent
    representable number (:meth:`Decimal.next_minus`) for huge ones, where ``±1`` would
    need as many digits as the number has (``1e999999999``)."""
    found: list[Decimal] = []
    for index, point in enumerate(points):
        context = _context(point)
        if abs(point.adjusted()) < _PRECISION:
            found.extend((context.subtract(point, 1), point, context.add(point, 1)))
        else:
            found.extend((context.next_minus(point), point, context.next_plus(point)))
        if index + 1 < len(points):
            following = points[index + 1]
            context = _context(point, following)
            middle = context.divide(context.add(point, following), 2)
            if point < middle < following:
                found.append(middle)
    return found


# Enough digits for any policy number's neighbours: a number needs as many as it has, plus
# a few for the step (exponents are unbounded: Decimal's widest range).
_PRECISION = 40


def _context(*numbers: Decimal) -> Context:
    digits = max(len(number.as_tuple().digits) for number in numbers)
    return Context(prec=digits + _PRECISION, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _date_cells(points: list[datetime]) -> list[datetime]:
    second = timedelta(seconds=1)
    found: list[datetime] = []
    for index, point in enumerate(points):
        found.append(point)
        # The first and last representable dates have no neighbour on one side.
        with contextlib.suppress(OverflowError):
            found.append(point - second)
        with contextlib.suppress(OverflowError):
            found.append(point + second)
        if index + 1 < len(points):
            found.append(point + (points[index + 1] - point) / 2)
    return [d.replace(microsecond=0) for d in found if d.year > 1970]


def _show_number(number: Decimal) -> str:
    # Plain digits for numbers of ordinary size ("10", not "1E+1"); scientific notation
    # beyond, where plain digits could run to millions of characters.
    if abs(number.adjusted()) < _PRECISION:
        return format(number.normalize(), "f")
    return str(number)


def _show_date(moment: datetime) -> str:
    # ISO 8601 with a four-digit year (strftime's %Y drops leading zeros on some platforms).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def _ip_candidates(values: Iterable[str]) -> set[str]:
    found = {"203.0.113.7", "2001:db8::7"}
    for text in values:
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            continue
        first, last = int(network.network_address), int(network.broadcast_address)
        top = (1 << network.max_prefixlen) - 1
        for number in (first - 1, first, last, last + 1):
            if 0 <= number <= top:
                found.add(str(type(network.network_address)(number)))
    return found


def _typed_language(condition: Condition, universe: Language) -> Language:
    """The universe's values that the positive form of ``condition`` matches."""
    # Keyed by the universe's recipe: hashing a Language would minimise its automaton.
    return _typed_language_cached(condition, universe.key, universe)


@functools.lru_cache(maxsize=4096)
def _typed_language_cached(condition: Condition, _key: Recipe, universe: Language) -> Language:
    base = condition.operator.base
    positive = type(base)(base.name, base.family, base.comparison, negated=False)
    probe = Condition(Operator(base.name, positive), condition.key, condition.values, "")
    matched = []
    for value in universe.examples(10_000):
        context = make_context({condition.key: value})
        if evaluate_condition(probe, context, variables=False).passed:
            matched.append(value)
    return Language.finite(matched)


__all__ = ["ANY", "ConditionTranslator", "MultivaluedTest", "is_multivalued"]
