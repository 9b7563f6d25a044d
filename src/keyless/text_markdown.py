"""Text that is only ever text in (GitHub-flavoured) Markdown: the escaping every Markdown
keyless writes shares (reports, plans, the README ``generate`` writes). No keyless imports:
any layer may use it.

GitHub links some words with no syntax at all (extended autolinks: ``www.evil.example``,
``https://…``, ``alice@evil.example``; https://github.github.com/gfm/#autolinks-extension-)
and turns ``@name`` into a mention; backslashes do not stop either, so such words go in code
spans, where neither the parser nor GitHub's later pass looks.
"""

from __future__ import annotations

import re
import unicodedata

_SYNTAX = re.compile(r"([\\`*_\[\]<>&|~$!#])")
_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")
#: A word: what an extended autolink cannot cross (it stops at whitespace; a table cell
#: ends at ``|``, which a code span in a cell could not hold unescaped).
_WORD = re.compile(r"[^\s|]+")
#: Inside a word, what every autolink and mention needs: ``.`` (a domain) or ``@`` (an
#: address, a mention) followed by more of the word, or ``:/`` (``https://localhost``;
#: ``mailto:`` and ``xmpp:`` need an ``@``). Sentences' ``days.`` and ``it:``, times
#: (``02:17``) and ARNs without a dot stay plain text.
_LINKABLE = re.compile(r"[.@]\S|:/")


def escape(text: str, syntax: re.Pattern[str] = _SYNTAX) -> str:
    """``text`` as literal Markdown text, safe in a paragraph or a table cell: words that
    could become links or mentions in code spans, the rest's ``syntax`` characters (one
    group) backslash-escaped."""
    visible = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf") and c != "\u200d" else c
        for c in _BREAKS.sub(" ", text)
    )
    parts: list[str] = []
    plain = 0
    for word in _WORD.finditer(visible):
        if _LINKABLE.search(word.group()):
            parts += [syntax.sub(r"\\\1", visible[plain : word.start()]), code(word.group())]
            plain = word.end()
    parts.append(syntax.sub(r"\\\1", visible[plain:]))
    return "".join(parts)


def code(text: str) -> str:
    """A code span holding ``text`` (a fence longer than any run of backticks in it)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{_BREAKS.sub(' ', padded)}{fence}"
