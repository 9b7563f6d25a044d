"""Build the table of :mod:`keyless.idp.frozen`: every grammar-wide automaton of the known
providers, from its templates. ``python -m keyless.idp.automata`` prints it (`make docs`
writes it to keyless/idp/automata.json)."""

from __future__ import annotations

import sys

from keyless.idp.frozen import dumps, recording
from keyless.idp.grammars import GRAMMARS
from keyless.idp.subject_grammar import clear_caches
from keyless.patterns.dfa import Dfa


def build_table() -> dict[str, Dfa]:
    """Every grammar-wide automaton of the known providers, built from its templates."""
    clear_caches()
    try:
        with recording() as built:
            for grammar in GRAMMARS.values():
                grammar.well_formed_language()
                for trigger in grammar.triggers:
                    if trigger.checks:
                        trigger.other_runs()
                    for runs in (trigger, trigger.shown):
                        if runs is not None:
                            runs.language()
                            grammar.runs_language(runs)
            return dict(built)
    finally:
        clear_caches()


if __name__ == "__main__":  # pragma: no cover - exercised through `make docs`
    sys.stdout.write(dumps(build_table()))
