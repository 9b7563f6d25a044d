"""Regular languages of IAM wildcard strings: expressions, automata and witnesses.

This layer knows nothing of IAM: it answers questions such as "is there a string matched
by ``repo:acme/*`` that ``repo:acme/app:*`` does not match, and what is the shortest?".

* :mod:`keyless.patterns.language` - :class:`Language`, expressions over leaf automata
* :mod:`keyless.patterns.glob` - ``*``/``?`` wildcard and ARN patterns as token sequences
* :mod:`keyless.patterns.dfa` - the leaf automata
* :mod:`keyless.patterns.search` - lazy products: emptiness and shortest members
* :mod:`keyless.patterns.case` - case folding for the ``IgnoreCase`` operators
"""

from keyless.patterns.language import Glob, Language, Recipe, forget_memoised

__all__ = ["Glob", "Language", "Recipe", "forget_memoised"]
