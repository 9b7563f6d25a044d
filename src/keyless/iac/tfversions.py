"""Terraform's module version constraints, as its installer reads them.

A registry module call's ``version`` (``"1.8.0"``, ``"~> 1.7"``, ``">= 1.2, < 2.0.0"``) is
a comma-separated list of constraints, each an operator (``=``, ``!=``, ``>``, ``>=``,
``<``, ``<=``, ``~>``, none meaning ``=``) and a version; ``terraform init`` installs the
newest release every constraint admits. ``~>`` admits the version written and newer ones
whose segments before its last written segment are the same (``~> 1.7`` is ``>= 1.7.0,
< 2.0.0``; ``~> 1.7.0`` is ``>= 1.7.0, < 1.8.0``; ``~> 1`` is ``>= 1.0.0``), as
hashicorp/go-version's ``constraintPessimistic`` decides it.
https://developer.hashicorp.com/terraform/language/expressions/version-constraints

A version has one or more segments (``5.39.1.0`` is ``5.39.1``: missing segments are
zeros, as go-version pads them), an optional pre-release (``-rc.1``) and build metadata
(``+abc``, ignored). Terraform installs a pre-release only when a constraint pins it
exactly (``= 2.0.0-rc.1``, or no operator); an inexact constraint never matches one, and
a release is newer than its pre-releases (``>= 2.0.0-rc.1`` admits ``2.0.0``; ``~>`` with a
pre-release admits no release). Keyless follows modules' releases, not their
pre-releases: a call pinned to one is known to install it, and its trust stays unknown
with that reason (:func:`unread_version`).
https://developer.hashicorp.com/terraform/language/expressions/version-constraints#specify-a-pre-release-version
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from keyless.iac.values import Node, Position, Unknown

Version = tuple[int, int, int]

_CLAUSE = re.compile(
    # go-version reads each segment as a 64-bit integer: at most 18 digits here
    r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d{1,18}(?:\.\d{1,18})*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$",
    re.ASCII,
)
_COMPARE: dict[str, Callable[[int], bool]] = {
    "=": lambda order: order == 0,
    "!=": lambda order: order != 0,
    ">": lambda order: order > 0,
    ">=": lambda order: order >= 0,
    "<": lambda order: order < 0,
    "<=": lambda order: order <= 0,
}


def _order(version: tuple[int, ...], other: tuple[int, ...]) -> int:
    """-1, 0 or 1 as ``version`` is older than, the same as or newer than ``other``, the
    shorter padded with zeros."""
    width = max(len(version), len(other))
    left = version + (0,) * (width - len(version))
    right = other + (0,) * (width - len(other))
    return (left > right) - (left < right)


@dataclass(frozen=True, slots=True)
class _Clause:
    operator: str
    version: tuple[int, ...]  # at least three segments, as written (padded to three)
    written: int  # how many segments the constraint wrote (``~>`` depends on it)
    prerelease: str | None = None

    def admits(self, version: Version) -> bool:
        """Whether the release ``version`` satisfies the clause (go-version's rules: a
        release is newer than any pre-release of the same segments; ``=`` and ``~>`` with a
        pre-release admit only pre-releases)."""
        if self.prerelease is not None and self.operator in ("=", "~>"):
            return False
        order = _order(version, self.version)
        if order == 0 and self.prerelease is not None:
            order = 1
        if self.operator != "~>":
            return _COMPARE[self.operator](order)
        kept = self.written - 1
        return order >= 0 and _order(version[:kept], self.version[:kept]) == 0


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
        for major, minor, patch in (start, *(c.version[:3] for c in self.clauses)):
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
        operator, numbers, prerelease = match.groups()
        segments = tuple(int(n) for n in numbers.split("."))
        padded = segments + (0,) * (3 - len(segments))
        clauses.append(_Clause(operator or "=", padded, len(segments), prerelease))
    return Constraint(tuple(clauses))


def pinned_prerelease(text: str) -> str | None:
    """The pre-release an exact clause of ``text`` pins (``2.0.0-rc.1``): the only version
    Terraform then installs. None when no clause pins one, or ``text`` is not read."""
    constraint = parse_constraint(text)
    if constraint is None:
        return None
    for clause in constraint.clauses:
        if clause.operator == "=" and clause.prerelease is not None:
            numbers = ".".join(map(str, clause.version[: clause.written]))
            return f"{numbers}-{clause.prerelease}"
    return None


def admits_a_major(text: str, majors: Iterable[int]) -> bool | None:
    """Whether the constraint ``text`` admits a release of one of ``majors`` (a module
    whose code keyless follows only for those), or None when ``text`` is not one keyless
    reads or pins a pre-release (whose code keyless does not follow)."""
    constraint = parse_constraint(text)
    if constraint is None or pinned_prerelease(text) is not None:
        return None
    return any(constraint.admits_major(major) for major in majors)


def unread_version(text: str, position: Position) -> Node:
    """The trust policy of a module call whose ``version`` is ``text``, a constraint
    keyless does not read or one pinning a pre-release: not known, with why."""
    return Node(Unknown("module version", unread_reason(text), position), position)


def unread_reason(text: str) -> str:
    """Why a module call's ``version`` ``text`` leaves what it installs not followed."""
    pinned = pinned_prerelease(text)
    if pinned is not None:
        return (
            f"version {text!r} pins the pre-release {pinned}, whose code keyless does not "
            "follow (it follows the module's releases)"
        )
    return f"version {text!r} is not a constraint keyless reads"
