"""What IAM refuses in an identity-based policy that the policy parser reads anyway.

``keyless.policy.document`` reads what AWS stored (an export's policies were accepted by
IAM, so it honours them as IAM evaluates them). A policy keyless *writes* into generated
code comes from a plan a person may have edited, and IAM would refuse it at deploy
(``MalformedPolicyDocument``), after part of the code was applied. Its strings are held to
IAM's grammar here, before any file is written:

* ``Sid``: letters and digits only, unique within the policy
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html);
* ``Action`` / ``NotAction``: ``*`` or ``service:action`` (a service prefix of lower-case
  letters, digits and hyphens; an action name of letters and digits with ``*`` and ``?``)
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html);
* ``Resource`` / ``NotResource``: ``*`` or an ARN, ``arn:PARTITION:SERVICE:REGION:ACCOUNT:…``
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html),
  with no control, format or line-separator character.
"""

from __future__ import annotations

import re
import unicodedata

from keyless.errors import quoted
from keyless.policy.document import Policy

_SID = re.compile(r"[A-Za-z0-9]*", re.ASCII)
_ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+", re.ASCII)
_ARN = re.compile(r"arn:[^:]*:[^:]*:[^:]*:[^:]*:.+", re.DOTALL)
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def identity_policy_problems(policy: Policy) -> list[tuple[str, str]]:
    """``(pointer, message)`` for each string IAM would refuse, in document order."""
    problems: list[tuple[str, str]] = []
    sids: set[str] = set()
    for statement in policy.statements:
        where = statement.pointer
        if statement.sid is not None:
            if not _SID.fullmatch(statement.sid):
                problems.append(
                    (f"{where}/Sid", f"Sid {quoted(statement.sid)}: IAM takes letters and digits")
                )
            elif statement.sid and statement.sid in sids:
                problems.append((f"{where}/Sid", f"Sid {quoted(statement.sid)} is used twice"))
            sids.add(statement.sid)
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
