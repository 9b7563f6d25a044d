"""Case folding for ``…IgnoreCase`` operators (see :mod:`keyless.patterns.language`)."""

from __future__ import annotations

import functools
import sys
from collections import defaultdict
from collections.abc import Mapping


def fold(char: str) -> str:
    """The per-character case fold keyless uses for ``IgnoreCase`` (see the module doc)."""
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


@functools.cache
def _fold_preimages() -> Mapping[str, frozenset[str]]:
    # Built on first IgnoreCase use, not at import: one pass over the code points (~0.2 s).
    preimages: defaultdict[str, set[str]] = defaultdict(set)
    for code_point in range(sys.maxunicode + 1):
        char = chr(code_point)
        folded = fold(char)
        if folded != char:
            preimages[folded].add(char)
    return {folded: frozenset(chars) for folded, chars in preimages.items()}


@functools.lru_cache(maxsize=4096)
def case_variants(char: str) -> frozenset[str]:
    """Every character ``x`` with ``fold(x) == fold(char)``: what ``char`` matches ignoring case."""
    folded = fold(char)
    variants = set(_fold_preimages().get(folded, ()))
    if fold(folded) == folded:
        variants.add(folded)
    variants.add(char)
    return frozenset(variants)
