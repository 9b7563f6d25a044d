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
"""

from __future__ import annotations

import re
import unicodedata

from keyless.errors import quoted
from keyless.policy.document import Policy

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


def _is_arn(text: str) -> bool:
    return _ARN.fullmatch(text) is not None and not any(
        unicodedata.category(char) in _INVISIBLE for char in text
    )
