"""What a set of identity policies grants on every resource, as a language of action names.

``AdministratorAccess`` allows ``*``; ``PowerUserAccess`` allows everything *except*
``iam:*``, ``organizations:*`` and ``account:*`` (``NotAction``), then gives a few of those
back in a second statement. Saying "administrator" for both is wrong, and a list of policy
names cannot say what a custom policy grants: :func:`grant_on_everything` computes it from
the statements themselves, with the wildcard algebra of :mod:`keyless.patterns`.

Read on every resource (``Resource`` ``"*"``, or any ``NotResource``); conditions on an Allow
are ignored (they narrow *when*, not *what*) and a Deny counts only without conditions and
on every resource (the reading that never understates what is granted). Action names are
case-insensitive.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from keyless.patterns.language import Language
from keyless.policy.document import Effect, Policy, Statement

#: Every action name: ``service:Action``.
ALL_ACTIONS = Language.wildcard("?*:?*")

# How people name a service whose actions are all excepted (display only; anything else is
# shown as its pattern).
_SERVICE_NAMES = {
    "iam": "IAM",
    "organizations": "Organizations",
    "account": "Account management",
    "sts": "STS",
    "sso": "IAM Identity Center",
    "kms": "KMS",
    "cloudtrail": "CloudTrail",
    "billing": "Billing",
    # The Billing console's legacy actions (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/migrate-granularaccess-whatis.html)
    "aws-portal": "the Billing console",
}


@dataclass(frozen=True, slots=True)
class Grant:
    """What the policies allow on every resource.

    ``everything``: every action. Otherwise, when ``excepted`` is non-empty, every action
    except those the ``excepted`` patterns match (from ``NotAction`` or a Deny), of which
    ``given_back`` (Allow patterns) are allowed again. ``broad`` is true in both cases: the
    policies grant every action outside a short list, not a list of actions.
    """

    everything: bool
    excepted: tuple[str, ...] = ()
    given_back: tuple[str, ...] = ()

    @property
    def broad(self) -> bool:
        """Every action, or every action outside ``excepted``."""
        return self.everything or bool(self.excepted)

    def describe(self) -> str:
        """In words: "every action" or "every action except IAM, Organizations and Account
        management (iam:*, organizations:*, account:*), apart from 8 of their actions"."""
        if self.everything:
            return "every action"
        if not self.excepted:
            return "some actions"
        names = [_service_name(pattern) for pattern in self.excepted]
        words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        text = f"every action except {words} ({', '.join(self.excepted)})"
        if self.given_back:
            count = len(self.given_back)
            text += f", apart from {count} of their action{'s' if count > 1 else ''}"
        return text


def grant_on_everything(policies: Iterable[Policy]) -> Grant:
    """What ``policies`` (identity policies that all apply) allow on every resource."""
    allowed = Language.empty()
    denied = Language.empty()
    exceptions: list[str] = []
    candidates: list[str] = []  # Allow patterns that may give back an excepted action
    for policy in policies:
        for statement in policy.statements:
            if not _on_every_resource(statement):
                continue
            actions = _actions(statement)
            if statement.effect is Effect.ALLOW:
                allowed = allowed | actions
                if statement.actions_negated:
                    exceptions.extend(pattern.lower() for pattern in statement.actions)
                else:
                    candidates.extend(pattern.lower() for pattern in statement.actions)
            elif not statement.conditions:
                denied = denied | actions
                if not statement.actions_negated:
                    exceptions.extend(pattern.lower() for pattern in statement.actions)
    missing = ALL_ACTIONS - (allowed - denied)
    if missing.is_empty():
        return Grant(everything=True)
    excepted = tuple(dict.fromkeys(p for p in exceptions if not (missing & _pattern(p)).is_empty()))
    covered = Language.empty()
    for pattern in excepted:
        covered = covered | _pattern(pattern)
    if not excepted or not (missing - covered).is_empty():
        return Grant(everything=False)  # a list of actions, not "everything but …"
    given_back = tuple(
        dict.fromkeys(
            p
            for p in candidates
            if not (_pattern(p) & covered).is_empty() and (_pattern(p) & missing).is_empty()
        )
    )
    return Grant(everything=False, excepted=excepted, given_back=given_back)


def _on_every_resource(statement: Statement) -> bool:
    if statement.resources is None:
        return False
    return statement.resources_negated or any(
        value.strip() in ("*", "*:*") for value in statement.resources
    )


def _actions(statement: Statement) -> Language:
    language = Language.empty()
    for pattern in statement.actions:
        language = language | _pattern(pattern.lower())
    return ~language if statement.actions_negated else language


def _pattern(pattern: str) -> Language:
    # "*:*" is written for "*" in some policies; either matches every action.
    return ALL_ACTIONS if pattern.strip() in ("*", "*:*") else Language.wildcard(pattern.strip())


def _service_name(pattern: str) -> str:
    service, _, action = pattern.partition(":")
    if action == "*" and service in _SERVICE_NAMES:
        return _SERVICE_NAMES[service]
    return pattern


__all__ = ["ALL_ACTIONS", "Grant", "grant_on_everything"]
