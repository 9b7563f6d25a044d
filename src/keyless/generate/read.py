"""Reading the plan ``keyless generate`` acts on: every error at once, nothing written.

A plan is checked as ``keyless plan --check`` checks it, never more: always on its own,
against the ``keyless/plan/v1`` schema and what the emitted code would need to hold
(:mod:`keyless.plan.consistency`); and, when the inventory the plan was made from is given
(``--demo``, ``--input``, ``--snapshot``), against it too (:func:`keyless.plan.check.check_plan`:
a plan of another inventory, an unknown user, a broader target). A plan ``plan --check``
accepts is never refused here for a reason it could have told.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from keyless.errors import KeylessError, shown_pointer
from keyless.model import Inventory
from keyless.plan.check import check_plan
from keyless.plan.consistency import document_problems, ordered
from keyless.plan.document import Problem, read_plan, schema_problems

#: How many of a refused plan's errors ``keyless generate`` prints (``--all-errors``: all):
#: a plan edited wrongly throughout holds thousands, one line each.
SHOWN_PROBLEMS = 50


class PlanProblems(KeylessError):
    """The plan cannot be generated from: every problem, each with its JSON pointer. The
    message lists the first ``most`` (all when ``None``) and counts the rest; ``problems``
    holds them all."""

    def __init__(self, path: str, problems: tuple[Problem, ...], most: int | None = None):
        noun = "error" if len(problems) == 1 else "errors"
        shown = problems if most is None else problems[:most]
        lines = [f"{path}#{shown_pointer(p.pointer)}: {p.message}" for p in shown]
        if len(shown) < len(problems):
            rest = len(problems) - len(shown)
            lines.append(
                f"… and {rest:,} more {'error' if rest == 1 else 'errors'} "
                "(--all-errors lists every one)"
            )
        super().__init__(
            f"{len(problems):,} {noun} in the plan; nothing was written\n" + "\n".join(lines),
            where=path,
            hint="Fix the plan (or plan again), then check it with `keyless plan --check`.",
        )
        self.problems = problems


def load_plan(
    path: Path, inventory: Inventory | None = None, *, most: int | None = None
) -> Mapping[str, Any]:
    """The validated plan at ``path``; :class:`PlanProblems` lists everything wrong (the
    first ``most`` in its message, when given)."""
    document = read_plan(path)
    problems = plan_problems(document, inventory)
    if problems:
        raise PlanProblems(str(path), problems, most)
    result: Mapping[str, Any] = document
    return result


def plan_problems(document: Any, inventory: Inventory | None = None) -> tuple[Problem, ...]:
    """Every problem of ``document`` (see the module doc), in document order."""
    problems = schema_problems(document)
    if problems:
        return problems
    if inventory is not None:
        return check_plan(document, inventory).problems
    return ordered(document_problems(document))
