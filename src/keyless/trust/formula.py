"""Constraints on request context keys, as disjunctions of per-key conjunctions.

A request context maps each key to *absent* or a non-empty set of string values
(single-valued keys hold exactly one). Every IAM condition is a boolean combination of two
atoms over one key ``k`` and a regular language ``L`` (:class:`keyless.patterns.language.Language`):

* ``Any(k, L)``: ``k`` is present and some value is in ``L`` (``Present(k)`` is ``Any(k, Σ*)``);
* ``All(k, L)``: every value of ``k`` is in ``L``, vacuously true when ``k`` is absent
  (``Absent(k)`` is ``All(k, ∅)``).

They are closed under negation (``¬Any(k, L) = All(k, ¬L)``, ``¬All(k, L) = Any(k, ¬L)``), so a
trust policy's Allow statements minus its Deny statements is a disjunction of :class:`Term`
s, each a conjunction of atoms grouped per key (:class:`KeyConstraint`). A term is satisfiable
exactly when each of its keys is, independently, which makes satisfiability decidable with
automata alone:

* a single-valued key: absent when nothing is needed, or one value in ``within ∩ needs…``;
* a multivalued key: absent when nothing is needed, or one value per need, each in
  ``need ∩ within``.

The table of what each operator does with an absent key is
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from keyless.patterns.language import Language

ANY = Language.any_string()
NOTHING = Language.empty()


@dataclass(frozen=True, slots=True, eq=False)
class KeyConstraint:
    """What one term requires of one key.

    ``needs``: languages that must each contain a value of the key (so the key is present);
    ``within``: the language every value must belong to.
    """

    # A tuple, not a set: hashing a Language forces its minimisation (costly on hot paths).
    # For the same reason constraints and terms compare by identity; memo keys use recipe().
    needs: tuple[Language, ...] = ()
    within: Language = ANY

    @property
    def absent_allowed(self) -> bool:
        """True when a request without the key satisfies the constraint."""
        return not self.needs

    def merge(self, other: KeyConstraint) -> KeyConstraint:
        """Both constraints at once."""
        needs = self.needs + tuple(n for n in other.needs if not any(n is m for m in self.needs))
        within = other.within if self.within is ANY else self.within & other.within
        return KeyConstraint(needs, within)

    def single_value_language(self) -> Language:
        """The values a single-valued key may take when present."""
        language = self.within
        for need in self.needs:
            if need is not ANY:
                language = language & need
        return language

    def is_satisfiable(self, multivalued: bool) -> bool:
        """True when some request (key absent, or some value set) satisfies it."""
        if not self.needs:
            return True
        if multivalued:
            return all(not (need & self.within).is_empty() for need in self.needs)
        if self.within is ANY and len(self.needs) == 1:
            return not self.needs[0].is_empty()
        return not self.single_value_language().is_empty()


@dataclass(frozen=True, slots=True, eq=False)
class Term:
    """A conjunction of key constraints; keys are lower-cased (key names ignore case)."""

    keys: tuple[tuple[str, KeyConstraint], ...] = ()

    def constraint(self, key: str) -> KeyConstraint:
        """The constraint on ``key`` (no constraint when the term does not mention it)."""
        for name, constraint in self.keys:
            if name == key:
                return constraint
        return KeyConstraint()

    def as_dict(self) -> dict[str, KeyConstraint]:
        """The constraints keyed by key name."""
        return dict(self.keys)

    def recipe(self) -> tuple[Any, ...]:
        """A structural, cheaply hashed description of the term: the key of memo tables."""
        return tuple(
            (key, tuple(need.key for need in constraint.needs), constraint.within.key)
            for key, constraint in self.keys
        )


TRUE = Term()

MultivaluedTest = Callable[[str], bool]


def term(key: str, constraint: KeyConstraint) -> Term:
    """A term constraining one key."""
    return Term(((key.lower(), constraint),))


def any_of(key: str, language: Language) -> Term:
    """``Any(key, language)``."""
    return term(key, KeyConstraint(needs=(language,)))


def all_of(key: str, language: Language) -> Term:
    """``All(key, language)``."""
    return term(key, KeyConstraint(within=language))


def present(key: str) -> Term:
    """The key is present (with any value)."""
    return any_of(key, ANY)


def absent(key: str) -> Term:
    """The key is absent."""
    return all_of(key, NOTHING)


def conjoin(left: Term, right: Term, multivalued: MultivaluedTest) -> Term | None:
    """``left ∧ right``, or ``None`` when that is unsatisfiable."""
    if not right.keys:
        return left
    if not left.keys:
        return right if all(c.is_satisfiable(multivalued(k)) for k, c in right.keys) else None
    merged = dict(left.keys)
    for key, constraint in right.keys:
        combined = merged[key].merge(constraint) if key in merged else constraint
        if not combined.is_satisfiable(multivalued(key)):
            return None
        merged[key] = combined
    return Term(tuple(sorted(merged.items(), key=lambda item: item[0])))


Formula = tuple[Term, ...]
"""A disjunction of terms (disjunctive normal form); ``()`` is false, ``(TRUE,)`` true."""


def f_and(left: Formula, right: Formula, multivalued: MultivaluedTest) -> Formula:
    """``left ∧ right`` distributed into DNF, dropping unsatisfiable terms."""
    result = []
    for a in left:
        for b in right:
            both = conjoin(a, b, multivalued)
            if both is not None:
                result.append(both)
    return tuple(result)


def negate_term(value: Term) -> Formula:
    """``¬value``: at least one of its atoms fails (one term per atom)."""
    options: list[Term] = []
    for key, constraint in value.keys:
        options.extend(all_of(key, ~need) for need in constraint.needs)
        if not constraint.within.is_universal():
            options.append(any_of(key, ~constraint.within))
    return tuple(options)


def solve(
    allow: Formula,
    deny: Formula,
    question: Term,
    multivalued: MultivaluedTest,
) -> Term | None:
    """A satisfiable term of ``allow ∧ ¬deny ∧ question``, or ``None`` when there is none.

    Deny terms are escaped one at a time by depth-first search (a request escapes a Deny
    term when one of its atoms fails), pruning as soon as a partial conjunction is empty:
    lazy, so most questions touch a handful of automata.
    """
    escapes = [negate_term(d) for d in deny]
    for start in allow:
        partial = conjoin(start, question, multivalued)
        if partial is None:
            continue
        found = _escape_all(partial, escapes, 0, multivalued)
        if found is not None:
            return found
    return None


def _escape_all(
    partial: Term, escapes: list[Formula], index: int, multivalued: MultivaluedTest
) -> Term | None:
    if index == len(escapes):
        return partial
    for option in escapes[index]:
        combined = conjoin(partial, option, multivalued)
        if combined is not None:
            found = _escape_all(combined, escapes, index + 1, multivalued)
            if found is not None:
                return found
    return None


def keys_of(formula: Iterable[Term]) -> Iterator[str]:
    """Every key a formula mentions (with repeats)."""
    for value in formula:
        for key, _ in value.keys:
            yield key


def choose_values(
    solution: Term,
    multivalued: MultivaluedTest,
    prefer: Mapping[str, Iterable[Language]] | None = None,
) -> dict[str, str | list[str]]:
    """Concrete values for every key ``solution`` needs present (absent keys are left out).

    For each key the first language of ``prefer[key]`` that still leaves a value is used
    (a readable ``attacker`` tenant, ``sts.amazonaws.com``), then the shortest example.
    """
    chosen: dict[str, str | list[str]] = {}
    for key, constraint in solution.keys:
        if not constraint.needs:
            continue
        preferred = tuple((prefer or {}).get(key, ()))
        if multivalued(key):
            values: list[str] = []
            for need in sorted(constraint.needs, key=_order):
                value = _pick(need & constraint.within, preferred)
                if value is not None and value not in values:
                    values.append(value)
            chosen[key] = values
        else:
            value = _pick(constraint.single_value_language(), preferred)
            if value is not None:
                chosen[key] = value
    return chosen


def _order(language: Language) -> str:
    return language.shortest_example() or ""


def _pick(language: Language, preferred: tuple[Language, ...]) -> str | None:
    for nice in (*preferred, _NON_EMPTY):
        example = (language & nice).shortest_example()
        if example is not None:
            return example
    return language.shortest_example()


_NON_EMPTY = Language.wildcard("?*")


def with_question(*terms: Term) -> Term:
    """The conjunction of question terms.

    Satisfiability is *not* decided here: a question alone is often a large language (every
    pull-request ``sub`` of a repository), while the policy it meets usually pins a few
    literal values, against which the check is a handful of membership tests.
    :meth:`AccessPath.solve` decides the combination exactly (a contradictory question
    simply has no answer).
    """
    merged: dict[str, KeyConstraint] = {}
    for value in terms:
        for key, constraint in value.keys:
            merged[key] = merged[key].merge(constraint) if key in merged else constraint
    return Term(tuple(sorted(merged.items(), key=lambda item: item[0]))) if merged else TRUE


#: A question a check asks of an access path: the term a request must also satisfy, and
#: the values a witness should prefer for some keys (e.g. an attacker's repository).
Question = tuple[Term, Mapping[str, tuple[Language, ...]]]
