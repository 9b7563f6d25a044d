"""Trust policies of infrastructure code rendered with stand-ins: each unknown a finding
can hold whatever it is replaced by a name (a condition's value) or by the one OIDC
provider its statement's keys name (a ``Federated`` principal), and the ``Allow``
statements no stand-in can complete left out (:mod:`keyless.iac.roles` judges the result).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from keyless.iac.model import DEPLOYING_ACCOUNT
from keyless.iac.partitions import provider_arn
from keyless.iac.stood_in import StandInPlace, condition_place
from keyless.iac.values import JsonText, Node, Unknown, mapping
from keyless.policy.document import escape_pointer

# Where a stand-in may be: a condition's value (a string in its list).
_CONDITION_VALUE = re.compile(r"/Statement(?:/\d+)?/Condition/[^/]+/[^/]+(?:/\d+)?")


def stand_in_document(
    trust: Node, partition: str | None = None
) -> tuple[Any, tuple[str, ...]] | None:
    """The trust policy with each unknown replaced by its stand-in, and the expressions
    stood in for; None when an unknown cannot be stood in for. Stand-ins go in a
    condition's value (a name the code leaves unset, :func:`stand_in_text`), or in a
    ``Federated`` principal whose statement's condition keys name one OIDC issuer: only
    that issuer's provider gives those keys, so a role that works at all trusts it: in the
    issuer's partition, else ``partition`` (the code's), else ``aws``."""
    rendered = with_stand_ins(trust, partition)
    return None if rendered is None else rendered[:2]


#: A policy rendered with stand-ins: the document, the expressions stood in for, and
#: where the stand-ins are.
Rendered = tuple[Any, tuple[str, ...], tuple[StandInPlace, ...]]


def with_stand_ins(trust: Node, partition: str | None) -> Rendered | None:
    """:func:`stand_in_document`, with the places of its stand-ins."""
    used: list[str] = []
    places: list[StandInPlace] = []

    def render(node: Node, pointer: str, issuer: str | None) -> Any:
        value = node.value
        if isinstance(value, Unknown):
            if _FEDERATED.fullmatch(pointer) and issuer is not None:
                used.append(value.expression)
                places.append(StandInPlace())
                return provider_arn(DEPLOYING_ACCOUNT, issuer, partition)
            if value.stand_in is None or not _CONDITION_VALUE.fullmatch(pointer):
                raise LookupError(pointer)
            used.append(value.expression)
            places.append(condition_place(pointer, value.open_ended))
            return value.stand_in
        if isinstance(value, JsonText):
            return render(value.document, pointer, issuer)
        if _STATEMENT.fullmatch(pointer):
            issuer = _issuer_of(node)
        if isinstance(value, tuple):
            return [render(item, f"{pointer}/{i}", issuer) for i, item in enumerate(value)]
        if isinstance(value, Mapping):
            return {
                k: render(item, f"{pointer}/{escape_pointer(k)}", issuer)
                for k, item in value.items()
            }
        return value

    try:
        document = render(trust, "", None)
    except LookupError:
        return None
    return document, tuple(dict.fromkeys(used)), tuple(dict.fromkeys(places))


_STATEMENT = re.compile(r"/Statement(?:/\d+)?")
_FEDERATED = re.compile(r"/Statement(?:/\d+)?/Principal/Federated(?:/\d+)?")
# Condition keys of AWS itself, not of an identity provider.
_AWS_KEY_PREFIXES = ("aws:", "sts:", "saml:", "cognito-identity.amazonaws.com:")


def _issuer_of(statement: Node) -> str | None:
    """The one OIDC issuer whose claims a statement's condition keys name
    (``token.actions.githubusercontent.com`` for ``…:sub``), or None."""
    conditions = statement.value.get("Condition") if isinstance(statement.value, Mapping) else None
    if conditions is None or not isinstance(conditions.value, Mapping):
        return None
    issuers = {
        key.rsplit(":", 1)[0]
        for block in conditions.value.values()
        if isinstance(block.value, Mapping)
        for key in block.value
        if ":" in key and not key.lower().startswith(_AWS_KEY_PREFIXES)
    }
    if len(issuers) != 1:
        return None
    (issuer,) = issuers
    return issuer if "." in issuer and not any(c in issuer for c in "*?${}") else None


def without_unknown_allows(
    trust: Node, partition: str | None
) -> tuple[Rendered | None, tuple[int, ...]]:
    """The trust policy without its ``Allow`` statements that no stand-in can complete (a
    principal from a parameter without a default, a principal's ARN read at plan time),
    rendered with stand-ins as :func:`with_stand_ins` does, and their indices. A policy
    grants the union of its ``Allow`` statements less its ``Deny`` ones: leaving an
    ``Allow`` out leaves out only some of who may assume the role, so whoever the rest
    admits can assume it whatever the left-out statements say. A ``Deny`` (or a statement
    whose ``Effect`` is not known) is never left out: without it more would seem allowed.
    (None, ()) when nothing may be left out, or nothing would remain."""
    statements = trust.value.get("Statement") if isinstance(trust.value, Mapping) else None
    if statements is None or not isinstance(statements.value, tuple):
        return None, ()
    left_out = []
    for index, statement in enumerate(statements.value):
        alone = Node(
            mapping({"Statement": Node((statement,), statements.position)}), trust.position
        )
        if stand_in_document(alone, partition) is not None:
            continue
        effect = statement.value.get("Effect") if isinstance(statement.value, Mapping) else None
        if effect is None or effect.value != "Allow":
            return None, ()
        left_out.append(index)
    kept = tuple(s for i, s in enumerate(statements.value) if i not in left_out)
    if not left_out or not kept:
        return None, ()
    assert isinstance(trust.value, Mapping)
    reduced = Node(
        mapping({**trust.value, "Statement": Node(kept, statements.position)}), trust.position
    )
    rendered = with_stand_ins(reduced, partition)
    return (rendered, tuple(left_out)) if rendered is not None else (None, ())
