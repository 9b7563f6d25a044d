"""The identifiers generated code derives from the plan's names.

Names come from AWS (user names, aliases, tags, repositories) and from a hand-edited plan:
hostile until proven otherwise. Their grammars are :mod:`keyless.plan.grammars` (checked by
``keyless plan --check`` and ``keyless generate`` alike); here a name is turned into an
identifier of the target language that is stable and collision-free: the sanitised name,
plus a short hash of the original whenever sanitising changed it, so ``a.b`` and ``a_b``
never meet.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from keyless.errors import InputError, quoted

_TERRAFORM_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_LOGICAL_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_PROFILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def short_hash(value: str, length: int = 6) -> str:
    """A few hex digits of SHA-256: stable across runs and machines."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def terraform_name(*parts: str) -> str:
    """A Terraform identifier (``[a-z_][a-z0-9_-]*``, lower case by convention) for the
    resource named by ``parts``; a hash of the parts is added when sanitising lost anything."""
    original = "_".join(parts)
    cleaned = _TERRAFORM_UNSAFE.sub("_", original.lower()).strip("_-")[:48] or "x"
    if cleaned != original:
        cleaned = f"{cleaned}_{short_hash(original)}"
    return cleaned if cleaned[0].isalpha() else f"r_{cleaned}"


def logical_id(*parts: str) -> str:
    """A CloudFormation logical ID (``[A-Za-z0-9]+``, at most 255 characters) in
    CamelCase; a hash of the parts is added when sanitising lost anything."""
    original = "-".join(parts)
    words = [w for w in _LOGICAL_UNSAFE.split(original) if w]
    cleaned = "".join(w[:1].upper() + w[1:] for w in words)[:60] or "X"
    if cleaned != original:
        cleaned = f"{cleaned}{short_hash(original)}"
    return cleaned


def profile_name(*parts: str) -> str:
    """An AWS CLI profile name (``[A-Za-z0-9._-]``, what the CLI and shells take without
    quoting); a hash of the parts is added when sanitising lost anything."""
    original = "-".join(parts)
    cleaned = _PROFILE_UNSAFE.sub("-", original).strip("-.")[:64] or "profile"
    if cleaned != original:
        cleaned = f"{cleaned}-{short_hash(original)}"
    return cleaned


class UniqueIds(dict[str, Any]):
    """Identifiers keyless derived from the plan's names (CloudFormation logical IDs), each
    given once. Sanitising adds six hex digits of a hash, which a hand-edited plan can make
    collide (``a.a,b`` and ``a,a.b`` both read ``AAB`` before it): the second definition
    replaced the first, so a permission set was dropped and its assignments granted the
    other one's permissions. Refused instead (exit 2), naming the identifier. Set items one
    by one (``update`` does not check)."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            raise duplicate_identifier(self.what, key)
        super().__setitem__(key, value)


def duplicate_identifier(what: str, identifier: str) -> InputError:
    """Two of the plan's names give one identifier of the generated code."""
    return InputError(
        f"two names of the plan give one {what} {quoted(identifier)}: the generated code "
        "would define it twice",
        hint="Rename one of them in the plan (names that differ only in punctuation or "
        "case become one identifier), then check it with `keyless plan --check`.",
    )
