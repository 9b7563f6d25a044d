"""Findings of infrastructure code, placed in the file: a resource's existence, an
access key ID written in plain text, and a trust finding located at the offending value
of the policy. Each carries a :func:`fingerprint` that survives lines moving.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson

from keyless.checks.registry import Check
from keyless.files import display_path
from keyless.findings import FileLocation, Finding, Severity
from keyless.iac.checks import HARDCODED_AWS_KEY
from keyless.iac.cognito_roles import guest_role_pools, signed_in_role_pools
from keyless.iac.model import IacResource, LiteralKey, ResourceKind
from keyless.iac.own_resources import pools_without_guests
from keyless.iac.roles import JudgedRole
from keyless.iac.values import Position, notes, pointer_positions
from keyless.model.arn import is_account_id


def stand_in_note(stand_ins: Sequence[str]) -> str:
    """What a finding judged with stand-ins says about them."""
    return (
        f"judged with stand-ins for what the code leaves unset ({', '.join(stand_ins)}): a "
        "name as itself, an OIDC principal as the provider its condition keys name; the "
        "finding holds whatever the values are"
    )


def values_left_out_note(pointers: Sequence[str]) -> str:
    """What a finding on a policy judged without some condition values says of them."""
    return (
        f"judged without the condition value(s) at {', '.join(pointers)}, which the code "
        "leaves unset (see what was not judged): another value of an Allow's condition only "
        "adds who may assume the role, so the finding holds whatever they are"
    )


def left_out_note(left_out: Sequence[int]) -> str:
    """What a finding on a policy judged without some of its statements says of them."""
    which = ", ".join(str(index) for index in left_out)
    return (
        f"judged without statement(s) {which}, which allow what the code leaves unset (see "
        "what was not judged): another Allow only adds who may assume the role, so the "
        "finding holds whatever they allow"
    )


def _renumbered(positions: Mapping[str, Position], left_out: Sequence[int]) -> dict[str, Position]:
    """``positions`` (by JSON pointer into the code's policy) by pointer into the policy
    judged without the statements ``left_out``."""
    result = {}
    for pointer, position in positions.items():
        found = _STATEMENT_INDEX.match(pointer)
        if found is None:
            result[pointer] = position
            continue
        index = int(found.group(1))
        if index in left_out:
            continue
        shifted = index - sum(1 for left in left_out if left < index)
        result[f"/Statement/{shifted}{found.group(2)}"] = position
    return result


def _original(pointer: str, left_out: Sequence[int]) -> str:
    """A pointer into the judged policy as a pointer into the code's policy."""
    found = _STATEMENT_INDEX.match(pointer)
    if found is None or not left_out:
        return pointer
    index = int(found.group(1))
    for left in sorted(left_out):
        if left <= index:
            index += 1
    return f"/Statement/{index}{found.group(2)}"


_STATEMENT_INDEX = re.compile(r"/Statement/(\d+)(.*)", re.DOTALL)


def literal_key_finding(key: LiteralKey) -> Finding:
    """An access key ID written in a file: located at it, named only redacted."""
    address = f"access key {key.key_id}"
    check = HARDCODED_AWS_KEY
    return Finding(
        check=check.id,
        severity=check.severity,
        location=FileLocation(key.path, key.position.line, key.position.column, address),
        message=f"{address} is written in plain text",
        remediation=check.remediation,
        evidence=MappingProxyType(
            {
                "address": address,
                "resource_type": "access key ID",
                "source": key.source.value,
                "fingerprint": fingerprint(check.id, key.path, address, key.key_id),
            }
        ),
    )


def existence_finding(check: Check, resource: IacResource) -> Finding:
    name = repr(resource.name) if resource.name else None
    if resource.kind is ResourceKind.USER:
        what = f"creates an IAM user named {name}" if name else "creates an IAM user"
    elif resource.kind is ResourceKind.ACCESS_KEY:
        what = f"creates an access key for IAM user {name}" if name else "creates an access key"
    elif resource.kind is ResourceKind.SECRET_OUTPUT:
        what = (
            f"shows the secret access key of {name} in plain text"
            if name
            else ("shows a secret access key in plain text")
        )
    else:
        user = f"IAM user {name}" if name else "an IAM user"
        what = f"gives {user} a console password"
    message = f"{resource.address} {what}"
    value = {"type": resource.type, "name": resource.name}
    return Finding(
        check=check.id,
        severity=check.severity,
        location=FileLocation(
            resource.path, resource.position.line, resource.position.column, resource.address
        ),
        message=message,
        remediation=check.remediation,
        evidence=_evidence(check.id, resource, value, {}),
    )


def located(finding: Finding, judged: JudgedRole) -> Finding:
    """A trust finding placed in the file: at the value its evidence names."""
    resource = judged.resource
    assert resource.trust is not None
    document = judged.role.trust_policy
    positions = pointer_positions(resource.trust)
    if judged.left_out:
        positions = _renumbered(positions, judged.left_out)
    pointer = _pointer(finding.check, finding.evidence, document, positions)
    position = positions.get(pointer) if pointer is not None else None
    position = position or resource.trust_position or resource.position
    written = _original(pointer, judged.left_out) if pointer else None
    route = f"{resource.address}{'#' + written if written else ''}"
    value = {"policy": document, "principal": finding.evidence.get("principal")}
    said = list(notes(resource.trust))
    if judged.stand_ins:
        said.append(stand_in_note(judged.stand_ins))
    if judged.left_out:
        said.append(left_out_note(judged.left_out))
    if judged.values_left_out:
        said.append(values_left_out_note(judged.values_left_out))
    extra = {"stand_ins": said} if said else {}
    severity, message = guest_severity(finding, said)
    return Finding(
        check=finding.check,
        severity=severity,
        location=FileLocation(resource.path, position.line, position.column, route),
        message=message,
        remediation=finding.remediation,
        evidence=_evidence(finding.check, resource, value, {**finding.evidence, **extra}),
        witness=finding.witness,
    )


def guest_severity(finding: Finding, said: Sequence[str]) -> tuple[Severity, str]:
    """The severity and message of a trust finding on a role whose trust policy carries
    the notes ``said`` (:func:`keyless.iac.values.notes`): a guest identity of an identity
    pool the code creates without guest access cannot exist while the pool stays so, and
    one the pool attaches as its guest role is meant for guests
    (:mod:`keyless.iac.cognito_roles`), so the role's missing ``amr`` pin is then low, not
    critical. A role the pool attaches as its authenticated role stays critical, and says
    so. Any other finding as it is.
    https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html"""
    witness = finding.witness or {}
    claims = witness.get("claims") if isinstance(witness, Mapping) else None
    aud = claims.get("aud") if isinstance(claims, Mapping) else None
    if (
        finding.check != "trust-cognito-unauthenticated"
        or "guest" not in finding.message
        or not isinstance(aud, str)
    ):
        return finding.severity, finding.message
    if aud in pools_without_guests(said):
        return Severity.LOW, (
            f"{finding.message} once guest access is turned on (the identity pool the code "
            "creates has it off)"
        )
    if aud in signed_in_role_pools(said):
        return finding.severity, (
            f"{finding.message}, though the identity pool attaches it as its authenticated role"
        )
    if aud in guest_role_pools(said):
        return Severity.LOW, (
            f"{finding.message}, as the identity pool's guest role it is attached as is meant "
            "to be; pin cognito-identity.amazonaws.com:amr to unauthenticated so that its "
            "trust says so"
        )
    return finding.severity, finding.message


# The claim whose condition a finding is about: the finding points at that condition.
_CLAIM_OF_CHECK = {
    "trust-oidc-broad-subject": ":sub",
    "trust-oidc-untrusted-trigger": ":sub",
    "trust-oidc-missing-audience": ":aud",
}


def _pointer(
    check: str, evidence: Mapping[str, Any], document: Any, positions: Mapping[str, Position]
) -> str | None:
    """The JSON pointer of the offending value: the error's pointer, or the condition on
    the claim the check is about, or the principal in the first statement the finding
    names, or that statement."""
    error_pointer = evidence.get("pointer")
    if isinstance(error_pointer, str):
        while error_pointer and error_pointer not in positions:
            error_pointer = error_pointer.rsplit("/", 1)[0]
        return error_pointer
    statements = evidence.get("statements")
    if not statements:
        return None
    listed = isinstance(document.get("Statement"), list) if isinstance(document, dict) else False
    statement = f"/Statement/{statements[0]}" if listed else "/Statement"
    claim = _CLAIM_OF_CHECK.get(check)
    if claim is not None:
        conditions = [
            p
            for p in sorted(positions)
            if p.startswith(f"{statement}/Condition/")
            and p.count("/") == 5 - (not listed)
            and p.lower().endswith(claim)
        ]
        if conditions:
            return conditions[0]
    principal = evidence.get("principal")
    for pointer in sorted(positions):
        if pointer.startswith(f"{statement}/Principal") and principal is not None:
            value = _value_at(document, pointer)
            if value == principal or (isinstance(value, list) and principal in value):
                return pointer
            # An account's principal is named by its ID; the policy may write its root ARN.
            if isinstance(value, str) and is_account_id(principal) and f"::{principal}:" in value:
                return pointer
    return statement if statement in positions else None


def _value_at(document: Any, pointer: str) -> Any:
    current = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            current = current.get(token)
        elif (
            isinstance(current, list)
            and token.isascii()
            and token.isdigit()
            and int(token) < len(current)
        ):
            current = current[int(token)]
        else:
            return None
    return current


def _evidence(
    check: str, resource: IacResource, value: Any, extra: Mapping[str, Any]
) -> Mapping[str, Any]:
    return MappingProxyType(
        {
            **extra,
            "address": resource.address,
            "resource_type": resource.type,
            "source": resource.source.value,
            "fingerprint": fingerprint(check, resource.path, resource.address, value),
        }
    )


def fingerprint(check: str, path: Path, address: str, value: Any) -> str:
    """A finding's identity across edits: the check, the file (relative to the working
    directory), the resource's address and a hash of the offending value — not its line,
    so a finding survives lines moving above it."""
    material = orjson.dumps(
        [check, display_path(path), address, value], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(material).hexdigest()[:32]
