"""``keyless/plan/v1``: the plan as a JSON document — built by explicit converters,
written whole, read back and validated against its JSON Schema.

The document is meant to be read in a diff and edited by hand: keys in a fixed order,
two-space indentation, users in account order then by name, every other list sorted by
its natural key, and nothing that changes between two runs on the same inventory but
``generated_at``. Its schema is ``plan-v1.schema.json`` beside this module (the same file
as ``docs/schemas/plan-v1.schema.json``); fields are only ever added within v1.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import jsonschema
import orjson

from keyless import __version__
from keyless.dates import iso
from keyless.duplicate_keys import find_duplicate_key, parse_json
from keyless.encodings import json_invisibles_escaped
from keyless.errors import InputError, quoted
from keyless.files import read_bytes, write_atomic
from keyless.plan.model import (
    DESTINATIONS,
    Carried,
    Decision,
    KeyToRetire,
    Permissions,
    Plan,
    PolicyName,
    Proof,
    ProofStatus,
    Retirement,
    UserPlan,
)

PLAN_SCHEMA = "keyless/plan/v1"


def plan_document(plan: Plan) -> dict[str, Any]:
    """The ``keyless/plan/v1`` document of ``plan``."""
    source = plan.source
    return {
        "schema": PLAN_SCHEMA,
        "keyless_version": __version__,
        "generated_at": iso(plan.generated_at),
        "source": {
            "origin": source.origin,
            "organization": source.organization,
            "accounts": [{"id": a.id, "alias": a.alias} for a in source.accounts],
            "unread_accounts": list(source.unread_accounts),
            "not_read": list(source.not_read),
            "collected_at": iso(source.collected_at),
            "as_of": iso(source.as_of),
            "fingerprint": source.fingerprint,
        },
        "summary": summary(plan),
        "users": [_user(user) for user in plan.users],
        "identity_center": {
            "users": [
                {
                    "user_name": u.user_name,
                    "display_name": u.display_name,
                    "email": u.email,
                    "iam_users": list(u.iam_users),
                }
                for u in plan.identity_center_users
            ],
            "permission_sets": [
                {
                    "name": s.name,
                    "description": s.description,
                    **permissions_document(s.permissions),
                    "flags": list(s.flags),
                    "notes": list(s.notes),
                }
                for s in plan.permission_sets
            ],
            "assignments": [
                {"account": a.account, "user_name": a.user_name, "permission_set": a.permission_set}
                for a in plan.assignments
            ],
        },
        "oidc_roles": [
            {
                "account": r.account,
                "name": r.name,
                "user": r.user,
                "platform": r.platform,
                "provider": {
                    "issuer": r.provider.issuer,
                    "audience": r.provider.audience,
                    "arn": r.provider.arn,
                    "client_ids": (
                        None if r.provider.client_ids is None else list(r.provider.client_ids)
                    ),
                    "providers_read": r.provider.providers_read,
                },
                "repositories": list(r.repositories),
                "subjects": [
                    {"value": s.value, "operator": s.operator, "reason": s.reason}
                    for s in r.subjects
                ],
                "permissions": permissions_document(r.permissions),
            }
            for r in plan.oidc_roles
        ],
        "roles_anywhere": [
            {
                "account": r.account,
                "name": r.name,
                "user": r.user,
                "common_name": r.common_name,
                "common_name_source": r.common_name_source,
                "trust_anchors": list(r.trust_anchors),
                "permissions": permissions_document(r.permissions),
            }
            for r in plan.roles_anywhere
        ],
        "workload_roles": [
            {
                "account": r.account,
                "name": r.name,
                "user": r.user,
                "service": r.service,
                "permissions": permissions_document(r.permissions),
            }
            for r in plan.workload_roles
        ],
        "retire": [_retirement(r) for r in plan.retirements],
        "notes": list(plan.notes),
    }


def summary(plan: Plan) -> dict[str, Any]:
    """Counts per destination and proof status, and how many users are still open."""
    destinations = Counter(user.decision.destination for user in plan.users)
    proofs = Counter(user.proof.status for user in plan.users if user.proof is not None)
    return {
        "users": len(plan.users),
        "destinations": {d.value: destinations.get(d, 0) for d in DESTINATIONS},
        "open": len(plan.open_users),
        "proofs": {s.value: proofs.get(s, 0) for s in ProofStatus},
        "keys_to_retire": sum(len(r.keys) for r in plan.retirements),
    }


def permissions_document(permissions: Permissions) -> dict[str, Any]:
    """The four fields a target's permissions are written as."""
    return {
        "aws_managed_policies": list(permissions.aws_managed),
        "customer_managed_policies": [
            {"name": ref.name, "path": ref.path} for ref in permissions.customer_managed
        ],
        "inline_policy": permissions.inline,
        "permissions_boundary": permissions.boundary,
    }


def permissions_from(document: Mapping[str, Any]) -> Permissions:
    """The permissions a (validated) permission set or role entry names."""
    return Permissions(
        aws_managed=tuple(document["aws_managed_policies"]),
        customer_managed=tuple(
            PolicyName(ref["name"], ref["path"]) for ref in document["customer_managed_policies"]
        ),
        inline=document["inline_policy"],
        boundary=document["permissions_boundary"],
    )


def _user(user: UserPlan) -> dict[str, Any]:
    decision: Decision = user.decision
    target = user.target
    return {
        "account": user.account,
        "arn": user.arn,
        "name": user.name,
        "path": user.path,
        "destination": decision.destination.value,
        "confidence": decision.confidence.value,
        "reason": decision.reason,
        "signals": [
            {
                "name": s.name,
                "detail": s.detail,
                "points_to": s.points_to.value if s.points_to else None,
            }
            for s in decision.signals
        ],
        "would_decide": list(decision.would_decide),
        "target": None
        if target is None
        else {
            "identity_center_user": target.identity_center_user,
            "permission_set": target.permission_set,
            "role": target.role,
        },
        "carried": _carried(user.carried),
        "proof": _proof(user.proof),
        "notes": list(user.notes),
    }


def _carried(carried: Carried | None) -> dict[str, Any] | None:
    if carried is None:
        return None
    return {
        "sources": list(carried.sources),
        "dropped": [
            {"policy": d.policy, "statement": d.statement, "why": d.why} for d in carried.dropped
        ],
        "flags": list(carried.flags),
        "notes": list(carried.notes),
    }


def _proof(proof: Proof | None) -> dict[str, Any] | None:
    if proof is None:
        return None
    example = proof.counterexample
    return {
        "status": proof.status.value,
        "detail": proof.detail,
        "assumptions": list(proof.assumptions),
        "counterexample": None
        if example is None
        else {"action": example[0], "resource": example[1]},
    }


def _retirement(retirement: Retirement) -> dict[str, Any]:
    return {
        "account": retirement.account,
        "user": retirement.user,
        "arn": retirement.arn,
        "keys": [_key(key) for key in retirement.keys],
        "console_password": retirement.console_password,
        "mfa_devices": list(retirement.mfa_devices),
        "preconditions": [{"kind": p.kind, "text": p.text} for p in retirement.preconditions],
    }


def _key(key: KeyToRetire) -> dict[str, Any]:
    return {
        "slot": key.slot,
        "access_key_id": key.key_id,
        "status": "Active" if key.active else "Inactive",
        "created": iso(key.created),
        "last_used": iso(key.last_used),
        "last_used_service": key.last_used_service,
        "last_used_region": key.last_used_region,
    }


# --------------------------------------------------------------------------- files


def dumps(document: Mapping[str, Any]) -> bytes:
    """The document as written: indented, keys in insertion order, a final newline, its
    invisible characters escaped (:func:`keyless.encodings.json_invisibles_escaped`): a
    plan is reviewed by people before `keyless retire` acts on it."""
    return json_invisibles_escaped(
        orjson.dumps(
            document, default=_plain, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
        )
    )


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_plan(plan: Plan, path: Path) -> None:
    """Write ``plan`` to ``path`` whole (temporary file, then rename; never through a
    symbolic link)."""
    write_atomic(path, dumps(plan_document(plan)), "the plan")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a plan document: where (a JSON pointer) and what."""

    pointer: str
    message: str


@functools.cache
def plan_schema() -> Mapping[str, Any]:
    """The JSON Schema of ``keyless/plan/v1`` (package data)."""
    text = importlib.resources.files("keyless.plan").joinpath("plan-v1.schema.json").read_bytes()
    schema: dict[str, Any] = orjson.loads(text)
    return schema


#: The schema's ``date-time`` format, as the plan's readers parse it: a time its pattern
#: admits but no calendar has (``2026-02-30T00:00:00Z``) stopped ``retire --plan`` and
#: ``generate`` with a traceback where they read it.
_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _is_time(value: object) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat(value)
    return True


@functools.cache
def _end_anchored(pattern: str) -> re.Pattern[str]:
    # JSON Schema's patterns are ECMA-262's, whose ``$`` (no ``m`` flag) is the end of
    # the string; Python's ``$`` also matches before a final line break, so
    # ``"nas01.example.com\n"`` passed ``^[A-Za-z0-9*][A-Za-z0-9._*-]{0,63}$`` and reached
    # a trust condition. Every pattern of the schema ends in ``$`` (a test holds it).
    # https://json-schema.org/draft/2020-12/json-schema-core#section-6.4
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not _end_anchored(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


#: ``jsonschema.validators.extend``, which the library leaves untyped.
_extend = cast("Callable[..., type[jsonschema.Draft202012Validator]]", jsonschema.validators.extend)
#: The schema's validator, with ``pattern`` read as JSON Schema reads it.
_Validator = _extend(jsonschema.Draft202012Validator, validators={"pattern": _pattern})


def schema_problems(document: Any) -> tuple[Problem, ...]:
    """Every way ``document`` breaks the schema, in document order."""
    validator = _Validator(plan_schema(), format_checker=_FORMATS)
    problems = [
        Problem(_pointer(error.absolute_path), _bounded(error))
        for error in validator.iter_errors(document)
    ]
    return tuple(sorted(problems, key=lambda p: p.pointer))


#: The longest schema message kept whole (jsonschema's quote the value; a few name two).
_SCHEMA_MESSAGE = 300


def _bounded(error: jsonschema.ValidationError) -> str:
    # jsonschema's messages hold the whole repr of the value ("'…' does not match '^…$'"):
    # a 100,000-character name must not become a 100 KB message.
    message = error.message
    if len(message) <= _SCHEMA_MESSAGE:
        return message
    if isinstance(error.instance, str | int | float):
        message = message.replace(repr(error.instance), quoted(error.instance))
    return message if len(message) <= _SCHEMA_MESSAGE else message[:_SCHEMA_MESSAGE] + "…"


def read_plan(path: Path) -> Any:
    """The parsed document at ``path`` (malformed JSON, and a key twice in one object, are
    an :class:`InputError`)."""
    data = read_bytes(path, "the plan")
    document = parse_json(data, "the plan", str(path))
    try:
        duplicate = find_duplicate_key(data)
    except RecursionError:
        raise InputError("the plan is nested too deeply", where=str(path)) from None
    if duplicate is not None:
        raise InputError(
            "a key appears twice in one object: which one counts depends on the program reading it",
            where=f"{path}#{duplicate[:300]}",
            hint="Keep one of the two; a plan keyless writes never repeats a key.",
        )
    if not isinstance(document, dict) or document.get("schema") != PLAN_SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else None
        raise InputError(
            f"not a {PLAN_SCHEMA} document (schema: {quoted(found)})",
            where=str(path),
            hint="Write one with `keyless plan … --out plan.json`.",
        )
    return document


def _pointer(path: Any) -> str:
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in path)
