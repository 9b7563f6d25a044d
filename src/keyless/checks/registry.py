"""Checks: pure functions over the Inventory, each with its metadata beside it.

A check is declared with :func:`check` in a theme module; :func:`all_checks` collects
every declared check from the theme modules, in declaration order, so adding a check
touches one place only.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from inspect import cleandoc
from types import ModuleType
from typing import Any

from keyless.config import Thresholds
from keyless.findings import Problem, Severity
from keyless.model import Account, Dataset, Inventory

DOCS_BASE = "https://github.com/keyless-dev/keyless/blob/main/docs/checks.md"

# Theme modules, in the order their checks are listed and run.
THEMES = ("users", "keys", "mfa", "root", "trust", "organization")


class Scope(StrEnum):
    """What a check looks at; the engine calls it once per such subject."""

    USER = "user"
    ROLE = "role"
    ACCOUNT = "account"
    ORGANIZATION = "organization"


@dataclass
class CheckContext:
    """What a check may read besides its subject. ``memo`` lets checks of one scan
    share expensive derived values (e.g. a role's trust analysis)."""

    inventory: Inventory
    thresholds: Thresholds
    now: datetime
    account: Account | None = None
    memo: dict[Any, Any] = field(default_factory=dict)


CheckFunction = Callable[[Any, CheckContext], Iterable[Problem]]


@dataclass(frozen=True)
class Check:
    """A registered check: its public ID, metadata and the function that runs it."""

    id: str
    title: str
    severity: Severity
    scope: Scope
    requires: frozenset[Dataset]
    rationale: str
    remediation: str
    theme: str
    function: CheckFunction

    @property
    def docs_url(self) -> str:
        """Where the check is documented."""
        return f"{DOCS_BASE}#{self.id}"

    def run(self, subject: Any, context: CheckContext) -> Iterable[Problem]:
        """Run the check on one subject."""
        return self.function(subject, context)


def check(
    id: str,
    *,
    title: str,
    severity: Severity,
    scope: Scope,
    remediation: str,
    requires: Iterable[Dataset] = (),
) -> Callable[[CheckFunction], Check]:
    """Declare a check. Its docstring is the rationale shown in the docs and SARIF help."""

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
