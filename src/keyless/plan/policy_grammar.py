"""What IAM refuses in an identity-based policy that the policy parser reads anyway.

A policy keyless *writes* into generated code comes from a plan a person may have edited,
and IAM would refuse it at deploy (``MalformedPolicyDocument``), after part of the code was
applied. It is parsed first (:func:`keyless.policy.document.parse_policy`), which applies
IAM's grammar for every stored policy (:mod:`keyless.policy.grammar`): a ``Sid`` of other
characters than letters and digits or used twice, an action with no service prefix, a
resource that is neither an ARN nor ``*``. What the parser takes on purpose and generated
code must not carry is refused here, before any file is written:

* ``Action`` / ``NotAction``: ``*`` or ``service:action`` exactly (a service prefix of
  letters, digits and hyphens; an action name of letters and digits with ``*`` and ``?``)
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
  The parser reads other characters literally (an action that matches no request) and
  takes template placeholders (``%s``, ``<ACTION>``) as a draft's;
* ``Resource`` / ``NotResource``: ``*`` or an ARN, ``arn:PARTITION:SERVICE:REGION:ACCOUNT:…``
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html),
  with no control, format or line-separator character, and no placeholder in its place.

``keyless generate`` refuses such a plan, and ``keyless plan --check`` reports the same
problems (:func:`inline_policy_problems`), so a plan it calls valid is one generate takes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from keyless.errors import PolicyError, quoted
from keyless.policy.document import Policy, parse_policy
from keyless.policy.limits import WHITESPACE

_ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+", re.ASCII)
_ARN = re.compile(r"arn:[^:]*:[^:]*:[^:]*:[^:]*:.+", re.DOTALL)
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def identity_policy_problems(policy: Policy) -> list[tuple[str, str]]:
    """``(pointer, message)`` for each string of a parsed policy IAM would refuse, in
    document order (what the parser refuses never reaches here)."""
    problems: list[tuple[str, str]] = []
    for statement in policy.statements:
        where = statement.pointer
        actions = f"{where}/{'NotAction' if statement.actions_negated else 'Action'}"
        problems.extend(
            (actions, f"{quoted(action)} is not service:action or *")
            for action in statement.actions
            if not _ACTION.fullmatch(action)
        )
        resources = f"{where}/{'NotResource' if statement.resources_negated else 'Resource'}"
        problems.extend(
            (resources, f"{quoted(resource)} is not an ARN or *")
            for resource in statement.resources or ()
            if resource != "*" and not _is_arn(resource)
        )
    return problems


#: What a policy document may hold: tab, line feed, carriage return and U+0020 to U+00FF
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), the same
#: for a permission set's inline policy.
_DOCUMENT_TEXT = re.compile(r"[\t\n\r\x20-\xff]*")
#: A role's inline policies, together, in characters other than white space (IAM quotas).
ROLE_POLICY_SIZE = 10_240
#: A permission set's inline policy, in bytes other than white space; and whole, in bytes
#: (Identity Center quotas: https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html;
#: PutInlinePolicyToPermissionSet takes 32,768 characters).
PERMISSION_SET_POLICY_SIZE = 10_240
PERMISSION_SET_POLICY_WHOLE_SIZE = 32_768


def document_problems(
    document: Any, limit: int, *, in_bytes: bool = False, whole: int | None = None
) -> list[tuple[str, str]]:
    """``(pointer, message)`` for each key or string of ``document`` holding a character
    IAM refuses in a policy, and for a document longer than ``limit`` characters (white
    space left out, as IAM counts), or with ``in_bytes`` UTF-8 bytes, as Identity Center
    counts; and longer than ``whole`` bytes, white space included, when given."""
    problems: list[tuple[str, str]] = []

    def walk(value: Any, pointer: str) -> None:
        if isinstance(value, str):
            if not _DOCUMENT_TEXT.fullmatch(value):
                problems.append(
                    (
                        pointer,
                        f"{quoted(value)} holds a character IAM refuses in a policy "
                        "(tab, line breaks and U+0020 to U+00FF only)",
                    )
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
                walk(key, where)
                walk(item, where)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{pointer}/{index}")

    walk(document, "")
    unit = "bytes" if in_bytes else "characters"
    size = policy_size(document, in_bytes=in_bytes)
    if size > limit:
        problems.append(
            ("", f"the policy is {size:,} {unit} without white space; AWS takes {limit:,} at most")
        )
    if whole is not None and (length := len(_compact(document).encode())) > whole:
        problems.append(("", f"the policy is {length:,} bytes; AWS takes {whole:,} at most"))
    return problems


def policy_size(
    document: Any, *, in_bytes: bool = False, resolve: Callable[[Any], str] | None = None
) -> int:
    """The length IAM holds ``document`` to: its JSON in characters other than white space
    ("IAM doesn't count white space when calculating the size of a policy", IAM quotas;
    JSON's four white space characters, as :data:`keyless.policy.limits.WHITESPACE` and the
    trust policy length of :mod:`keyless.plan.quotas` count),
    or with ``in_bytes`` in UTF-8 bytes (Identity Center's unit). ``resolve`` gives the
    text of a value that is not JSON (``generate`` passes its placeholders' concrete ARNs,
    which is what the emitted code sends once the resource exists)."""
    kept = _compact(document, resolve).translate(WHITESPACE)
    return len(kept.encode()) if in_bytes else len(kept)


def inline_policy_problems(
    pointer: str, inline: Any, *, permission_set: bool = False
) -> Iterator[tuple[str, str]]:
    """``(pointer, message)`` for a role's (or with ``permission_set`` a permission set's)
    inline policy ``inline`` (None: none) that is no valid policy, or that IAM or
    Identity Center would refuse: its characters, its size, its ``Sid``s, actions and
    resources (see the module doc). ``generate`` and ``plan --check`` both hold a plan
    to these: generated code must never carry a policy AWS would refuse."""
    if inline is None:
        return
    try:
        parsed = parse_policy(inline)
    except PolicyError as error:
        yield f"{pointer}{error.pointer}", f"not a valid policy: {error.message}"
        return
    sized = (
        document_problems(
            inline,
            PERMISSION_SET_POLICY_SIZE,
            in_bytes=True,
            whole=PERMISSION_SET_POLICY_WHOLE_SIZE,
        )
        if permission_set
        else document_problems(inline, ROLE_POLICY_SIZE)
    )
    for where, message in [*sized, *identity_policy_problems(parsed)]:
        yield f"{pointer}{where}", f"IAM would refuse the policy: {message}"


def _compact(document: Any, resolve: Callable[[Any], str] | None = None) -> str:
    return json.dumps(
        document, separators=(",", ":"), ensure_ascii=False, default=resolve or _not_json
    )


def _not_json(value: Any) -> str:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _is_arn(text: str) -> bool:
    return _ARN.fullmatch(text) is not None and not any(
        unicodedata.category(char) in _INVISIBLE for char in text
    )
