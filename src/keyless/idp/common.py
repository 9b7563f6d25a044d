"""Helpers shared by the request builders of each mechanism."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from keyless.errors import InputError, quoted
from keyless.policy.conditions import ContextValue
from keyless.policy.evaluate import SET_SOURCE_IDENTITY, TAG_SESSION

ExtraContext = Mapping[str, "str | bool | int | Sequence[str]"]


def context_value(key: str, raw: object, *, multivalued: bool = False) -> ContextValue | None:
    """Convert a JSON value to a context value the way AWS presents it.

    Booleans become ``"true"``/``"false"``, numbers their decimal text, lists multivalued
    keys. Objects and ``null`` are not exposed (``None``).
    """
    if isinstance(raw, bool):
        values: tuple[str, ...] = ("true" if raw else "false",)
    elif isinstance(raw, str):
        values = (raw,)
    elif isinstance(raw, int | float):
        values = (str(raw),)
    elif isinstance(raw, list | tuple):
        items = [context_value(key, item) for item in raw]
        return ContextValue(
            key, tuple(v for item in items if item is not None for v in item.values), True
        )
    else:
        return None
    return ContextValue(key, values, multivalued)


def add_context(target: dict[str, ContextValue], extra: ExtraContext | None) -> None:
    """Add user-supplied keys (``--context``) to ``target``; they win over derived ones."""
    for key, raw in (extra or {}).items():
        value = context_value(key, raw)
        if value is not None:
            target[key.lower()] = value


def with_session_actions(primary: str, context: Mapping[str, ContextValue]) -> tuple[str, ...]:
    """The actions a request needs: passing session tags or a source identity adds actions.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
    """
    actions = [primary]
    if any(key.startswith("aws:requesttag/") or key == "aws:tagkeys" for key in context):
        actions.append(TAG_SESSION)
    if "sts:sourceidentity" in context:
        actions.append(SET_SOURCE_IDENTITY)
    return tuple(actions)


def session_tags(target: dict[str, ContextValue], tags: Mapping[str, str]) -> None:
    """Add ``aws:RequestTag/<k>`` and ``aws:TagKeys`` for session tags passed with the call."""
    for name, value in tags.items():
        key = f"aws:RequestTag/{name}"
        target[key.lower()] = ContextValue(key, (value,))
    if tags:
        target["aws:tagkeys"] = ContextValue("aws:TagKeys", tuple(tags), multivalued=True)


def session_tag_values(tags: Iterable[tuple[str, object]], source: str) -> dict[str, str]:
    """Session tags as STS takes them: one string per tag (a list of one string, as a
    token writes it, is that string), no two keys alike ignoring case. Anything else is an
    InputError naming the tag and ``source`` (where the tags were written): a value that
    is not a string was compared as Python writes it (``None``, ``['ops']``).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
    """
    values: dict[str, str] = {}
    folded: dict[str, str] = {}
    for name, raw in tags:
        value = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
        if not isinstance(value, str):
            raise InputError(
                f"the session tag {quoted(name)} ({source}) is {_json_kind(raw)}: a tag has one"
                " string value",
                hint="Write the tag's value as a string (in a token, a list of one string:"
                ' "team": ["ops"]); STS refuses a token or assertion that passes anything else.',
            )
        wrong = _tag_problem(name, 128, minimum=1) or _tag_problem(value, 256, minimum=0)
        if wrong is not None:
            raise InputError(
                f"the session tag {quoted(name, 80)} ({source}): {wrong}",
                hint="STS takes a tag key of 1 to 128 and a value of at most 256 letters,"
                " digits, spaces or _.:/=+-@, and refuses the call otherwise.",
            )
        other = folded.setdefault(name.lower(), name)
        if other != name or name in values:
            alike = "are one tag" if other == name else "differ only in case"
            raise InputError(
                f"the session tags {quoted(other)} and {quoted(name)} ({source}) {alike}:"
                " STS reads tag keys ignoring case",
            )
        values[name] = value
    return values


def _tag_problem(text: str, longest: int, *, minimum: int) -> str | None:
    """What makes ``text`` no tag key or value STS takes (``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]``,
    ``minimum`` to ``longest`` characters), or None.
    https://docs.aws.amazon.com/STS/latest/APIReference/API_Tag.html
    """
    what = "key" if minimum else "value"
    if not minimum <= len(text) <= longest:
        return f"its {what} is {len(text):,} characters long ({minimum} to {longest})"
    for char in text:
        if char not in "_.:/=+-@" and unicodedata.category(char)[0] not in "LZN":
            return f"its {what} holds {quoted(char)}, which no tag may hold"
    return None


def _json_kind(raw: object) -> str:
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "a boolean"
    if isinstance(raw, int | float):
        return "a number"
    if isinstance(raw, list):
        return f"a list of {len(raw)} values" if len(raw) != 1 else "a list of one non-string"
    return "an object" if isinstance(raw, Mapping) else "not a string"
