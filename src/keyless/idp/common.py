"""Helpers shared by the request builders of each mechanism."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
