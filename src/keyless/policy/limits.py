"""How large a trust policy keyless analyses: ten times what AWS itself accepts.

AWS limits a role trust policy to 2,048 characters by default and to 4,096 at most (the
quota "Role trust policy length", default 2,048 characters, maximum 4,096, in IAM's table
of object quotas; IAM does not count whitespace against it):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
(8,192, a figure some secondary sources give, is not what the page says.)

A policy beyond ten times that maximum cannot be stored on a role, so it is not a policy
anyone runs: it is a mistake, or input built to make a scan hang (the symbolic analysis
of :mod:`keyless.trust` grows with the number of statements and, above all, of wildcard
condition values). Such a policy is refused before it is analysed, with
:class:`PolicyTooLarge`:

* its **size** is the number of characters of its compact JSON (no whitespace between
  tokens), whitespace inside values not counted either, as AWS counts: at most
  :data:`MAX_TRUST_POLICY_CHARACTERS`;
* its **condition values** (every value of every condition key, summed over statements)
  number at most :data:`MAX_TRUST_CONDITION_VALUES`: what drives the analysis's cost is
  the values of a key (each wildcard value is an automaton every question walks), and
  4,096 characters hold about a thousand values of one character (``"a",``): only a
  policy of empty strings or bare numbers could pass this bound within AWS's quota.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from keyless.errors import PolicyError

#: AWS's role trust policy length unless the quota is raised, in characters without
#: whitespace.
AWS_TRUST_POLICY_DEFAULT = 2_048
#: AWS's largest role trust policy, in characters without whitespace (the quota's maximum).
AWS_TRUST_POLICY_MAXIMUM = 4_096
#: The largest trust policy keyless analyses: ten times AWS's maximum.
MAX_TRUST_POLICY_CHARACTERS = 10 * AWS_TRUST_POLICY_MAXIMUM
#: The most condition values (over every key and statement) keyless analyses in one policy.
MAX_TRUST_CONDITION_VALUES = 1_024

#: What IAM does not count in a policy's size, as ``str.translate`` removes it: JSON's
#: white space (RFC 8259 section 2), inside values too. IAM's quotas page says only that
#: "IAM doesn't count white space"; a no-break space (U+00A0) or U+0085, which a policy
#: may hold and Python's ``str.isspace`` calls white space, is counted, so a policy padded
#: with them is never taken for shorter than IAM may count it.
WHITESPACE = str.maketrans("", "", " \t\n\r")


class PolicyTooLarge(PolicyError):
    """A trust policy beyond keyless's limits (see the module doc): refused, never analysed.

    ``size`` is what was measured, ``limit`` the bound it passed and ``unit`` what both count
    (``characters`` or ``condition values``). ``where`` is the source alone (no pointer: the
    whole document is at fault).
    """

    def __init__(self, size: int, limit: int, unit: str, *, source: str | None = None):
        reason = (
            "ten times AWS's largest role trust policy"
            if unit == "characters"
            else "about as many one-character values as AWS's largest role trust policy holds"
        )
        counted = " (whitespace not counted)" if unit == "characters" else ""
        super().__init__(
            f"the trust policy has {size:,} {unit}{counted}, more than keyless analyses "
            f"({limit:,}: {reason})",
            source=source,
        )
        self.where = source
        self.size = size
        self.limit = limit
        self.unit = unit


def trust_policy_size(document: object) -> int:
    """The characters AWS would count in a parsed policy document: those of its compact
    JSON (non-ASCII characters as themselves), whitespace excluded. 0 for a value that is
    not JSON at all (the parser says what is wrong with it)."""
    try:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=_plain)
    except (TypeError, ValueError, RecursionError):
        return 0
    return len(text.translate(WHITESPACE))


def check_trust_policy_size(document: object, *, source: str | None = None) -> None:
    """Raise :class:`PolicyTooLarge` when the parsed ``document`` is beyond
    :data:`MAX_TRUST_POLICY_CHARACTERS`."""
    size = trust_policy_size(document)
    if size > MAX_TRUST_POLICY_CHARACTERS:
        raise PolicyTooLarge(size, MAX_TRUST_POLICY_CHARACTERS, "characters", source=source)


def check_condition_values(count: int, *, source: str | None = None) -> None:
    """Raise :class:`PolicyTooLarge` when a trust policy's ``count`` of condition values is
    beyond :data:`MAX_TRUST_CONDITION_VALUES`."""
    if count > MAX_TRUST_CONDITION_VALUES:
        raise PolicyTooLarge(count, MAX_TRUST_CONDITION_VALUES, "condition values", source=source)


def _plain(value: Any) -> Any:
    # Frozen documents hold other mappings (MappingProxyType) and tuples.
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")
