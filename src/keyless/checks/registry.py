"""Checks: pure functions over the Inventory, each with its metadata beside it.

A check is declared with :func:`check` in a theme module; :func:`all_checks` collects
every declared check from the theme modules, in declaration order, so adding a check
touches one place only.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from inspect import cleandoc
from types import ModuleType
from typing import Any

from keyless.checks._policies import ParsedPolicies
from keyless.config import Thresholds
from keyless.findings import Problem, Severity
from keyless.model import Account, Dataset, Inventory

DOCS_BASE = "https://github.com/keyless-dev/keyless/blob/main/docs/checks.md"

# Theme modules, in the order their checks are listed and run.
THEMES = ("users", "keys", "mfa", "root", "trust", "organization")


class Scope(StrEnum):
    """What a check looks at. The engine calls an estate check once per such subject; the
    workflow checks are reported by the CI analysis of :mod:`keyless.workflows`, the
    infrastructure-code checks by :mod:`keyless.iac`."""

    USER = "user"
    ROLE = "role"
    ACCOUNT = "account"
    ORGANIZATION = "organization"
    WORKFLOW = "workflow"
    IAC = "iac"


@dataclass
class CheckContext:
    """What a check may read besides its subject: the whole inventory, the thresholds, the
    time the scan measures ages against, the subject's account, and the scan's parsed
    identity policies (documents shared by many users are parsed once)."""

    inventory: Inventory
    thresholds: Thresholds
    now: datetime
    account: Account | None = None
    policies: ParsedPolicies = field(default_factory=ParsedPolicies)


@dataclass(frozen=True)
class Preparation:
    """Work a family of checks shares per subject, declared once and owned by the engine.

    The engine calls ``prepare(subject, context)`` once for every group of subjects with the
    same ``key`` (roles with the same trust policy), only when a selected check declares
    this preparation, hands the value to each such check as its third argument, and drops
    it when the group is done: nothing is kept between groups, nothing is computed for
    checks that were not selected.

    ``unjudged(subject, prepared)`` (optional) returns why a subject cannot be judged at all
    (a trust policy beyond keyless's size limits), naming the subject, or ``None``: the
    engine then records the subject as not evaluated by every check of the family, with that
    reason, instead of running them. Not evaluated is never clean.

    ``share(subject)`` and ``restamp(problem, judged, subject)`` (optional, together)
    declare that the family's problems depend on a subject only through its prepared value,
    its context, what ``share`` returns and what ``restamp`` rewrites (roles with one trust
    policy: the role's ARN and name). A subject whose group already has a subject of the
    same ``share`` in the same context then gets that subject's problems, each rewritten by
    ``restamp``, instead of running the checks again; when ``restamp`` returns ``None``
    (the problem is not of the declared form) the check runs on the subject after all.
    """

    name: str
    prepare: Callable[[Any, CheckContext], Any]
    key: Callable[[Any], Hashable]
    unjudged: Callable[[Any, Any], str | None] | None = None
    share: Callable[[Any], Hashable] | None = None
    restamp: Callable[[Problem, Any, Any], Problem | None] | None = None


CheckFunction = Callable[..., Iterable[Problem]]
"""``(subject, context)``, or ``(subject, context, prepared)`` with a :class:`Preparation`."""


@dataclass(frozen=True)
class Check:
    """A check: its public ID, metadata, and (for estate checks) the function that runs it.

    Workflow checks (scope ``workflow``) have no function here: the CI analysis reports
    them, because one pass over a file finds the problems of all of them.
    """

    id: str
    title: str
    severity: Severity
    scope: Scope
    rationale: str
    remediation: str
    theme: str
    requires: frozenset[Dataset] = frozenset()
    function: CheckFunction | None = None
    prepared: Preparation | None = None

    @property
    def docs_url(self) -> str:
        """Where the check is documented."""
        return f"{DOCS_BASE}#{self.id}"


def check(
    id: str,
    *,
    title: str,
    severity: Severity,
    scope: Scope,
    remediation: str,
    requires: Iterable[Dataset] = (),
    prepared: Preparation | None = None,
) -> Callable[[CheckFunction], Check]:
    """Declare a check. Its docstring is the rationale shown in the docs and SARIF help.

    With ``prepared``, the function takes the prepared value as a third argument.
    """

    def declare(function: CheckFunction) -> Check:
        if not function.__doc__:
            raise TypeError(f"check {id} needs a docstring: it is the check's rationale")
        return Check(
            id=id,
            title=title,
            severity=severity,
            scope=scope,
            requires=frozenset(requires),
            rationale=cleandoc(function.__doc__),
            remediation=remediation,
            theme=_theme(function.__module__),
            function=function,
            prepared=prepared,
        )

    return declare


def _theme(module: str) -> str:
    """``keyless.checks.keys`` and ``keyless.checks.trust.oidc`` are themes ``keys`` and
    ``trust``: a theme is a module or a package of modules."""
    parts = module.split(".")
    return parts[2] if parts[:2] == ["keyless", "checks"] and len(parts) > 2 else parts[-1]


def _theme_modules(theme: str) -> list[ModuleType]:
    """The theme's module, or for a package its public submodules in name order."""
    name = f"keyless.checks.{theme}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return []
    if not hasattr(module, "__path__"):
        return [module]
    public = sorted(i.name for i in pkgutil.iter_modules(module.__path__) if i.name[0] != "_")
    # A package may list its modules in reading order; any it does not list come after.
    declared = [m for m in getattr(module, "MODULES", ()) if m in public]
    ordered = declared + [m for m in public if m not in declared]
    return [importlib.import_module(f"{name}.{m}") for m in ordered]


@cache
def all_checks() -> tuple[Check, ...]:
    """Every registered check, in theme order then declaration order."""
    found: list[Check] = []
    seen: set[str] = set()
    for theme in THEMES:
        for module in _theme_modules(theme):
            for value in vars(module).values():
                if isinstance(value, Check):
                    if value.id in seen:
                        raise RuntimeError(f"check ID {value.id} is declared twice")
                    seen.add(value.id)
                    found.append(value)
    return tuple(found)


def checks_by_id() -> Mapping[str, Check]:
    """Every registered check keyed by its public ID."""
    return {c.id: c for c in all_checks()}
