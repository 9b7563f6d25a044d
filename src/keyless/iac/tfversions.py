"""Terraform's module version constraints, as its installer reads them.

A registry module call's ``version`` (``"1.8.0"``, ``"~> 1.7"``, ``">= 1.2, < 2.0.0"``) is
a comma-separated list of constraints, each an operator (``=``, ``!=``, ``>``, ``>=``,
``<``, ``<=``, ``~>``, none meaning ``=``) and a version; ``terraform init`` installs the
newest release every constraint admits. ``~>`` admits the version written and newer ones
whose segments before its last written segment are the same (``~> 1.7`` is ``>= 1.7.0,
< 2.0.0``; ``~> 1.7.0`` is ``>= 1.7.0, < 1.8.0``; ``~> 1`` is ``>= 1.0.0``), as
hashicorp/go-version's ``constraintPessimistic`` decides it.
https://developer.hashicorp.com/terraform/language/expressions/version-constraints

Pre-release versions (``1.0.0-beta``) and build metadata are not read: a constraint that
names one is not understood, so what depends on it stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from keyless.iac.values import Node, Position, Unknown

Version = tuple[int, int, int]

_CLAUSE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$")
_COMPARE: dict[str, Callable[[Version, Version], bool]] = {
    "=": lambda v, c: v == c,
    "!=": lambda v, c: v != c,
    ">": lambda v, c: v > c,
    ">=": lambda v, c: v >= c,
    "<": lambda v, c: v < c,
    "<=": lambda v, c: v <= c,
}


@dataclass(frozen=True, slots=True)
class _Clause:
    operator: str
    version: Version
    written: int  # how many segments the constraint wrote (``~>`` depends on it)

    def admits(self, version: Version) -> bool:
        if self.operator != "~>":
            return _COMPARE[self.operator](version, self.version)
        kept = self.written - 1
        return version >= self.version and version[:kept] == self.version[:kept]


@dataclass(frozen=True, slots=True)
class Constraint:
    """A parsed ``version`` argument: every clause must admit a release."""

    clauses: tuple[_Clause, ...]

    def admits(self, version: Version) -> bool:
        """Whether ``version`` satisfies every clause."""
        return all(clause.admits(version) for clause in self.clauses)

    def newest(self, releases: Iterable[Version]) -> Version | None:
        """The newest of ``releases`` the constraint admits: what ``terraform init``
        installs when those are all the releases there are."""
        admitted = [r for r in releases if self.admits(r)]
        return max(admitted) if admitted else None

    def admits_newer_than(self, version: Version) -> bool:
        """Whether some release newer than ``version`` would satisfy the constraint."""
        return any(c > version and self.admits(c) for c in self._candidates(version))

    def admits_major(self, major: int) -> bool:
        """Whether some release of major version ``major`` (``major.x.y``) would satisfy
        the constraint: ``">= 4.2, < 6"`` admits 4 and 5, ``"~> 5.3"`` only 5."""
        start = (major, 0, 0)
        return any(c[0] == major and self.admits(c) for c in self._candidates(start))

    def admits_from_major(self, major: int) -> bool:
        """Whether some release of major version ``major`` or a later one would satisfy
        the constraint (``">= 4.0"`` admits 6.x; ``"~> 5.0"`` does not)."""
        start = (major, 0, 0)
        return self.admits(start) or self.admits_newer_than(start)

    def _candidates(self, start: Version) -> set[Version]:
        """Versions one of which is admitted at or after ``start`` when any is: the
        admitted releases are an interval cut by the clauses' versions, less some points
        (``!=``), so the first admitted one past ``start`` is ``start``, a clause's
        version, or the one right after a clause's version."""
        candidates = {(10**9, 0, 0)}
        for major, minor, patch in (start, *(c.version for c in self.clauses)):
            candidates |= {
                (major, minor, patch),
                (major, minor, patch + 1),
                (major, minor + 1, 0),
                (major + 1, 0, 0),
            }
        return candidates


def parse_constraint(text: str) -> Constraint | None:
    """The constraint ``text`` writes, or None when it is not one keyless reads."""
    clauses = []
    for part in text.split(","):
        match = _CLAUSE.match(part)
        if match is None:
            return None
        operator, *segments = match.groups()
        written = sum(s is not None for s in segments)
        major, minor, patch = (int(s) if s is not None else 0 for s in segments)
        clauses.append(_Clause(operator or "=", (major, minor, patch), written))
    return Constraint(tuple(clauses))


def admits_a_major(text: str, majors: Iterable[int]) -> bool | None:
    """Whether the constraint ``text`` admits a release of one of ``majors`` (a module
    whose code keyless follows only for those), or None when ``text`` is not one keyless
    reads."""
    constraint = parse_constraint(text)
    if constraint is None:
        return None
    return any(constraint.admits_major(major) for major in majors)


def unread_version(text: str, position: Position) -> Node:
    """The trust policy of a module call whose ``version`` is ``text``, a constraint
    keyless does not read: not known, with why."""
    reason = f"version {text!r} is not a constraint keyless reads"
    return Node(Unknown("module version", reason, position), position)
