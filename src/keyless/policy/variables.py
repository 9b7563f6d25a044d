"""Policy variables: ``${aws:username}``, defaults ``${key, 'default'}``, escapes ``${*}``.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

Variables are substituted only in documents with ``"Version": "2012-10-17"`` and only in
``Resource`` and in String/ARN condition values; elsewhere ``${...}`` is literal text. A
variable whose key is absent (or multivalued) and that has no default cannot be resolved,
and AWS then says "the entire statement might be invalid": we treat such a statement as
not matching, whatever its effect.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

# ${*}, ${?} and ${$} stand for a literal *, ? and $ (never a wildcard).
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# A condition key (PREFIX:NAME: a variable names a key), optionally followed by
# `, 'default'` where '' inside the quotes is one quote. ${trusted_entity} or
# ${AWS::AccountId} name no key: template placeholders (keyless.policy.templates), literal
# text to IAM.
_BODY = re.compile(r"\s*([^\s,'{}:]+:[^\s,'{}:][^\s,'{}]*)\s*(?:,\s*'((?:[^']|'')*)'\s*)?")


@dataclass(frozen=True, slots=True)
class Text:
    """Policy text. ``wildcards`` is False for text from an escape or a substituted value."""

    text: str
    wildcards: bool = True


@dataclass(frozen=True, slots=True)
class Variable:
    """A ``${key}`` reference; ``key`` is lower-cased (key names are case-insensitive)."""

    key: str
    default: str | None = None


Part = Text | Variable


@functools.lru_cache(maxsize=8192)
def split_variables(value: str) -> tuple[Part, ...]:
    """Split ``value`` into literal text, escapes and variables.

    A ``${...}`` that is neither an escape nor a well-formed variable stays literal text.
    """
    if "${" not in value:
        return (Text(value),)
    parts: list[Part] = []
    position = 0
    for match in _VARIABLE.finditer(value):
        if match.start() > position:
            parts.append(Text(value[position : match.start()]))
        inner = match.group(1)
        escaped = _ESCAPES.get(inner)
        body = _BODY.fullmatch(inner)
        if escaped is not None:
            parts.append(Text(escaped, wildcards=False))
        elif body is not None:
            default = body.group(2)
            parts.append(
                Variable(
                    body.group(1).lower(), None if default is None else default.replace("''", "'")
                )
            )
        else:
            parts.append(Text(match.group(0)))
        position = match.end()
    if position < len(value):
        parts.append(Text(value[position:]))
    return tuple(parts)


def resolve(value: str, lookup: Callable[[str], str | None]) -> tuple[Text, ...] | None:
    """Substitute variables in ``value``; ``None`` when one cannot be resolved.

    ``lookup`` returns the single value of a (lower-cased) key, or ``None`` when the key
    is absent or multivalued: multivalued keys cannot be used as variables.
    Substituted values are literal text: a ``*`` that a caller puts in, say, their
    session name never acts as a wildcard (AWS does not document this; the literal reading
    is the one that does not let a caller widen a policy).
    """
    resolved: list[Text] = []
    for part in split_variables(value):
        if isinstance(part, Text):
            resolved.append(part)
            continue
        found = lookup(part.key)
        if found is None:
            found = part.default
        if found is None:
            return None
        resolved.append(Text(found, wildcards=False))
    return tuple(resolved)
