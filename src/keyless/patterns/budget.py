"""A bound on the work of lazy product searches (:mod:`keyless.patterns.search`).

Searches are exact and usually cheap, but their cost is the number of product states they
reach, which an adversarial expression (hundreds of wildcard patterns of several ``*``
each) can make astronomical. Work done inside :func:`bounded` is charged to a
:class:`SearchBudget`; overdrawing it raises :class:`BudgetExceeded`, which the caller
turns into an honest "not computed" rather than a guess. Outside, searches are unbounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class SearchBudget:
    """How much more work the searches run under :func:`bounded` may do, in *steps* (one
    leaf automaton following one character): a bound on the work spent for one purpose
    (keyless gives each trust policy one for its witnesses), so that one adversarial
    expression cannot stall everything else."""

    def __init__(self, steps: int, *, proofs: bool = False):
        self.limit = steps
        self.remaining = steps
        self.proofs = proofs
        """Whether structural proofs of emptiness (:mod:`keyless.patterns.inclusion`,
        polynomial and uncounted) may answer first: yes for a budget that only guards
        against a stall (decisions), no for one whose counted work must be the search's
        own (witnesses, whose omission is reported)."""

    @property
    def exhausted(self) -> bool:
        """True once a search ran out of it."""
        return self.remaining < 0

    def spend(self, steps: int) -> None:
        """``steps`` done; :class:`BudgetExceeded` once the budget is overdrawn."""
        self.remaining -= steps
        if self.remaining < 0:
            raise BudgetExceeded(self.limit)


class BudgetExceeded(Exception):
    """A search under :func:`bounded` did as much work as its budget allows."""

    def __init__(self, limit: int):
        super().__init__(f"search stopped after {limit} steps")
        self.limit = limit


BUDGET: ContextVar[SearchBudget | None] = ContextVar("keyless_search_budget", default=None)


@contextmanager
def bounded(budget: SearchBudget) -> Iterator[SearchBudget]:
    """Run the searches inside the block on ``budget`` (without, a search is unbounded)."""
    token = BUDGET.set(budget)
    try:
        yield budget
    finally:
        BUDGET.reset(token)
