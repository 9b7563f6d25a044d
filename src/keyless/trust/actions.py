"""Actions a mechanism needs that no statement of the trust policy allows it.

IAM Roles Anywhere asks STS for ``sts:AssumeRole``, ``sts:SetSourceIdentity`` and
``sts:TagSession`` together: "The policy must grant the permissions" all three
(https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html). A policy
that allows only some of them admits nobody through Roles Anywhere, however its
conditions read.
"""

from __future__ import annotations

from keyless.policy.evaluate import actions_match
from keyless.trust.paths import AccessPath


def missing_actions(path: AccessPath) -> tuple[str, ...]:
    """The actions of ``path`` that none of its Allow statements grants its principal
    (none for a path no statement allows, such as a template's with a placeholder action:
    trust-unrendered-template reports it)."""
    statements = [path.policy.statements[index] for index in path.statements]
    if not statements:
        return ()
    return tuple(
        action
        for action in path.actions
        if not any(actions_match(statement, action) for statement in statements)
    )


def missing_actions_text(path: AccessPath) -> str | None:
    """ "it needs sts:TagSession and sts:SetSourceIdentity too, which no statement allows
    rolesanywhere.amazonaws.com", or None when every action is allowed."""
    missing = missing_actions(path)
    if not missing:
        return None
    words = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    return f"it needs {words} too, which no statement allows {path.principal}"
