"""Where a trust policy judged with stand-ins holds them, and whether a finding's witness
is admitted whatever they stand for.

A stand-in sits in a condition's value (a name the code leaves unset) or in a
``Federated`` principal (:func:`keyless.iac.role_stand_ins.stand_in_document`). IAM reads a
condition's values only when the request holds its key: without the key, every operator
but ``Null`` decides alone (``…IfExists`` and ``ForAllValues:`` are true, the others false)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
A ``Federated`` principal names only callers with a web identity or a SAML assertion, never
an AWS principal or a service
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
So a witness whose request holds none of the stand-ins' keys, and is no federated caller
when a principal was stood in for, is decided the same whatever the stand-ins are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from keyless.errors import KeylessError
from keyless.policy.evaluate import CallerType
from keyless.trust.replay import witness_request


@dataclass(frozen=True, slots=True)
class StandInPlace:
    """Where a stand-in was judged: a condition's value, by its operator and key; or a
    ``Federated`` principal (both None). ``open_ended``: the value ends with the name,
    which may hold the rest of it (:attr:`keyless.iac.values.Unknown.open_ended`)."""

    operator: str | None = None
    key: str | None = None
    open_ended: bool = False

    @property
    def is_principal(self) -> bool:
        """A ``Federated`` principal stood in for."""
        return self.key is None


def condition_place(pointer: str, open_ended: bool = False) -> StandInPlace:
    """The place of a stand-in at ``pointer`` (``/Statement/0/Condition/OP/KEY[/i]``)."""
    segments = [_unescape(s) for s in pointer.split("/")]
    at = segments.index("Condition")
    return StandInPlace(segments[at + 1], segments[at + 2], open_ended)


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def admitted_whatever_stood_in(
    witness: Mapping[str, Any] | None, role_arn: str, places: Iterable[StandInPlace]
) -> bool:
    """Is ``witness`` decided alike whatever the stand-ins at ``places`` are: no condition
    holding one is read for its request (its key absent, its operator not ``Null``), and no
    ``Federated`` principal stood in for can name its caller? False without a witness."""
    if witness is None:
        return False
    try:
        request = witness_request(witness, role_arn=role_arn)
    except KeylessError:
        return False
    for place in places:
        if place.is_principal:
            if request.caller.type not in (CallerType.AWS, CallerType.SERVICE):
                return False
        elif _is_null(place.operator) or str(place.key).lower() in request.context:
            return False
    return True


def presents_open_ended(
    witness: Mapping[str, Any] | None, role_arn: str, places: Iterable[StandInPlace]
) -> bool:
    """Does ``witness``'s request hold the key of a condition whose stand-in ends its value
    (``repo:${var.subject}``)? Then what the request is matched against depends on the
    value, not only on the names around it: a pattern judged with the stand-in may be
    narrower once set (``repo:acme/app:ref:refs/heads/main``). True without a witness."""
    open_keys = {str(p.key).lower() for p in places if p.open_ended}
    if not open_keys:
        return False
    if witness is None:
        return True
    try:
        request = witness_request(witness, role_arn=role_arn)
    except KeylessError:
        return True
    return any(key in request.context for key in open_keys)


def _is_null(operator: str | None) -> bool:
    """``Null`` (whatever its qualifier): its values say whether the key must be absent."""
    return operator is None or operator.rsplit(":", 1)[-1].lower() == "null"
