"""Parse and validate IAM policy documents into frozen, hashable statements.

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
Elements: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html

Every error is a :class:`keyless.errors.PolicyError` whose ``pointer`` is an RFC 6901 JSON
pointer to the offending element. Parsing is on the hot path of a 20,000-role scan, so it
validates in a single pass and keeps values as plain tuples of strings; parsed documents
are frozen and hashable, and parsing the same text twice hits a small cache.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from keyless.errors import PolicyError, quoted
from keyless.policy.grammar import AwsPrincipalForm as AwsPrincipalForm
from keyless.policy.grammar import (
    Refusal,
    action_refusal,
    address_refusal,
    aws_principal,
    null_value_refusal,
    other_principal_refusal,
    policy_text_refusal,
    resource_refusal,
    sid_refusal,
)
from keyless.policy.grammar import aws_principal_form as aws_principal_form
from keyless.policy.limits import check_condition_values, check_trust_policy_size
from keyless.policy.operators import Family, Operator, UnknownOperatorError, parse_operator

#: The policy language version that enables policy variables.
VERSION_2012 = "2012-10-17"
_VERSIONS = frozenset({VERSION_2012, "2008-10-17"})

_TOP_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)


class PolicyKind(StrEnum):
    """Which rules a document is validated against."""

    TRUST = "trust"
    IDENTITY = "identity"
    RESOURCE = "resource"


class Effect(StrEnum):
    """A statement's effect."""

    ALLOW = "Allow"
    DENY = "Deny"


_EFFECTS = {effect.value: effect for effect in Effect}


class PrincipalType(StrEnum):
    """The key of a Principal entry; ``ALL`` is the bare string ``"*"``."""

    ALL = "*"
    AWS = "AWS"
    FEDERATED = "Federated"
    SERVICE = "Service"
    CANONICAL_USER = "CanonicalUser"


@dataclass(frozen=True, slots=True)
class Principal:
    """One principal value, e.g. ``Principal(AWS, "arn:aws:iam::111122223333:root")``.

    For ``AWS`` principals, ``form`` and ``account`` (when the value names one) are filled
    in at parse time so evaluation need not re-parse ARNs.
    """

    type: PrincipalType
    value: str
    form: AwsPrincipalForm | None = None
    account: str | None = None

    @property
    def is_wildcard(self) -> bool:
        """``"*"`` or ``{"AWS": "*"}``: every principal."""
        return self.value == "*" and self.type in (PrincipalType.ALL, PrincipalType.AWS)


@dataclass(frozen=True, slots=True)
class Condition:
    """One key under one operator: ``"StringLike": {"token...:sub": ["repo:o/*"]}``.

    ``key`` keeps the spelling of the policy; ``key_lower`` is what lookups use, because
    key names are case-insensitive. ``values`` are strings (JSON numbers and booleans are
    converted the way AWS reads them: ``true`` -> ``"true"``).
    """

    operator: Operator
    key: str
    values: tuple[str, ...]
    pointer: str

    @property
    def key_lower(self) -> str:
        """The key name as it is looked up in a request context."""
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. ``principals`` is ``None`` when the element is absent.

    ``actions_negated`` means the statement used ``NotAction`` (and ``resources_negated``
    ``NotResource``, ``principals_negated`` ``NotPrincipal``).
    """

    index: int
    effect: Effect
    actions: tuple[str, ...]
    sid: str | None = None
    principals: tuple[Principal, ...] | None = None
    principals_negated: bool = False
    actions_negated: bool = False
    resources: tuple[str, ...] | None = None
    resources_negated: bool = False
    conditions: tuple[Condition, ...] = ()

    @property
    def pointer(self) -> str:
        """JSON pointer of the statement (``/Statement/0``; single-object form included)."""
        return f"/Statement/{self.index}"

    @property
    def label(self) -> str:
        """How to name the statement to a person."""
        return f"statement {self.index}" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document."""

    kind: PolicyKind
    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None

    @property
    def supports_variables(self) -> bool:
        """Policy variables are substituted only under Version 2012-10-17.

        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
        """
        return self.version == VERSION_2012


# --------------------------------------------------------------------------- public API


def parse_trust_policy(
    document: str | bytes | Mapping[str, Any], *, source: str | None = None
) -> Policy:
    """Parse a role trust policy (``NotPrincipal`` forbidden, ``Principal`` required).

    ``document`` is JSON text or the parsed mapping. ``source`` (a file name) prefixes
    error locations.
    """
    return parse_document(document, kind=PolicyKind.TRUST, source=source)


def parse_policy(document: str | bytes | Mapping[str, Any], *, source: str | None = None) -> Policy:
    """Parse an identity-based policy (no ``Principal``; ``Resource`` required)."""
    return parse_document(document, kind=PolicyKind.IDENTITY, source=source)


def parse_document(
    document: str | bytes | Mapping[str, Any],
    *,
    kind: PolicyKind = PolicyKind.TRUST,
    source: str | None = None,
) -> Policy:
    """Parse and validate ``document`` under the rules of ``kind``."""
    if isinstance(document, bytes):
        try:
            document = document.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PolicyError(f"not UTF-8 text ({error.reason})", source=source) from None
    if isinstance(document, str):
        return _parse_text(document, kind, source)
    return _Parser(kind, source).document(document)


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str, kind: PolicyKind, source: str | None) -> Policy:
    # Many roles share byte-identical trust policies (the EC2 or Lambda service trust).
    try:
        data = json.loads(text, object_pairs_hook=_object_with_duplicates, parse_constant=_not_json)
    except json.JSONDecodeError as error:
        raise PolicyError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}",
            source=source,
        ) from None
    except RecursionError:
        raise PolicyError("JSON nested too deeply", source=source) from None
    except ValueError as error:
        # An integer literal longer than Python converts to a number, or NaN/Infinity.
        reason = (
            "a number has more digits than keyless reads (4300)"
            if "integer string conversion" in str(error)
            else str(error)
        )
        raise PolicyError(f"not valid JSON: {reason}", source=source) from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogate(text, source)
    return _Parser(kind, source).document(data)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse_lone_surrogate(text: str, source: str | None) -> None:
    # Python's json module reads "\ud800" alone as a lone surrogate, which is no Unicode
    # character: no other reader keyless uses (orjson) nor any output format accepts it
    # (RFC 8259, section 8.2: such strings are unpredictable across implementations).
    # A pair of surrogate escapes is one character and stays.
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise PolicyError(f"not valid JSON: {error.msg}", source=source) from None


def _not_json(name: str) -> Any:
    # Python's json module reads NaN and Infinity; JSON (and so IAM) has no such values.
    raise ValueError(f"{name} is not a JSON value")


class _DuplicateKeys(dict[str, Any]):
    """A JSON object in which at least one key was repeated (``duplicates`` lists them)."""

    __slots__ = ("duplicates",)
    duplicates: tuple[str, ...]


def _object_with_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    repeated = []
    for key, _ in pairs:
        if key in seen:
            repeated.append(key)
        seen.add(key)
    marked = _DuplicateKeys(pairs)
    marked.duplicates = tuple(repeated)
    return marked


def escape_pointer(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


# --------------------------------------------------------------------------- the parser


class _Parser:
    __slots__ = ("kind", "sids", "source")

    def __init__(self, kind: PolicyKind, source: str | None):
        self.kind = kind
        self.source = source
        self.sids: set[str] = set()

    def fail(self, message: str, pointer: str, hint: str | None = None) -> PolicyError:
        return PolicyError(message, pointer=pointer, source=self.source, hint=hint)

    def refuse(self, refusal: Refusal | None, pointer: str) -> None:
        """Raise ``refusal`` (from :mod:`keyless.policy.grammar`) at ``pointer``, if any."""
        if refusal is not None:
            raise self.fail(refusal.message, pointer, refusal.hint)

    def mapping(self, value: object, pointer: str, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(f"{what} must be a JSON object, not {_kind(value)}", pointer)
        odd = next((key for key in value if not isinstance(key, str)), None)
        if odd is not None:  # only a mapping built in Python, never parsed JSON, has these
            raise self.fail(f"{what} has a key that is not a string: {quoted(odd)}", pointer)
        duplicates = getattr(value, "duplicates", None)
        if duplicates:
            key = duplicates[0]
            raise self.fail(
                f"duplicate key {quoted(key)} in {what}",
                f"{pointer}/{escape_pointer(key)}",
                hint="JSON parsers disagree on which copy wins; keep exactly one.",
            )
        return value

    def document(self, data: object) -> Policy:
        if self.kind is PolicyKind.TRUST:
            # Refused before anything is built from it (keyless.policy.limits).
            check_trust_policy_size(data, source=self.source)
        top = self.mapping(data, "", "the policy document")
        for key in top:
            if key not in _TOP_ELEMENTS:
                raise self.fail(
                    f"unknown top-level element {quoted(key)}", "/" + escape_pointer(key)
                )
        version = top.get("Version")
        if version is not None and (not isinstance(version, str) or version not in _VERSIONS):
            raise self.fail(
                f'Version must be "2012-10-17" or "2008-10-17", not {quoted(version)}', "/Version"
            )
        policy_id = top.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            raise self.fail(f"Id must be a string, not {_kind(policy_id)}", "/Id")
        if "Statement" not in top:
            raise self.fail("the policy has no Statement element", "")
        raw = top["Statement"]
        if isinstance(raw, Mapping):
            raw_statements: Sequence[object] = (raw,)
            single = True
        elif isinstance(raw, list | tuple):
            raw_statements = raw
            single = False
        else:
            raise self.fail(
                f"Statement must be an object or a list of objects, not {_kind(raw)}", "/Statement"
            )
        statements = tuple(
            self.statement(item, index, "/Statement" if single else f"/Statement/{index}")
            for index, item in enumerate(raw_statements)
        )
        if self.kind is PolicyKind.TRUST:
            check_condition_values(
                sum(len(c.values) for s in statements for c in s.conditions), source=self.source
            )
        return Policy(kind=self.kind, statements=statements, version=version, id=policy_id)

    def statement(self, raw: object, index: int, pointer: str) -> Statement:
        body = self.mapping(raw, pointer, "a statement")
        for key in body:
            if key not in _STATEMENT_ELEMENTS:
                raise self.fail(
                    f"unknown statement element {quoted(key)}", f"{pointer}/{escape_pointer(key)}"
                )
        sid = body.get("Sid")
        if sid is not None:
            if not isinstance(sid, str):
                raise self.fail(f"Sid must be a string, not {_kind(sid)}", f"{pointer}/Sid")
            alphanumeric = self.kind is PolicyKind.IDENTITY
            self.refuse(
                sid_refusal(sid, alphanumeric=alphanumeric, seen=self.sids), f"{pointer}/Sid"
            )
        effect_text = body.get("Effect")
        # IAM takes "Allow" and "Deny" as written (the policy grammar: `"Effect" : ("Allow" |
        # "Deny")`, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html);
        # "allow" is MalformedPolicyDocument ("The policy failed legacy parsing",
        # hashicorp/terraform#10057, whose provider since refuses other spellings,
        # hashicorp/terraform#10608). Read in any case, an edited "deny" silenced
        # account-mfa-not-enforced; such a document is malformed here too.
        effect = _EFFECTS.get(effect_text) if isinstance(effect_text, str) else None
        if effect is None:
            if effect_text is None:
                raise self.fail("the statement has no Effect", pointer)
            raise self.fail(
                f'Effect must be "Allow" or "Deny" (IAM takes no other spelling), not'
                f" {quoted(effect_text)}",
                f"{pointer}/Effect",
            )
        actions, actions_negated = self.either(body, "Action", "NotAction", pointer, required=True)
        assert actions is not None  # required=True
        principals, principals_negated = self.principal_element(body, pointer)
        if self.kind is PolicyKind.TRUST:
            self.refuse_resource(body, pointer)
        resources, resources_negated = self.either(
            body, "Resource", "NotResource", pointer, required=self.kind is PolicyKind.IDENTITY
        )
        conditions = (
            self.conditions(body["Condition"], f"{pointer}/Condition")
            if "Condition" in body
            else ()
        )
        return Statement(
            index=index,
            effect=effect,
            actions=actions,
            sid=sid,
            principals=principals,
            principals_negated=principals_negated,
            actions_negated=actions_negated,
            resources=resources,
            resources_negated=resources_negated,
            conditions=conditions,
        )

    def refuse_resource(self, body: Mapping[str, Any], pointer: str) -> None:
        """A role trust policy names no resource (the role is the resource): IAM refuses one
        that does ("MalformedPolicyDocument: Has prohibited field Resource")."""
        for name in ("Resource", "NotResource"):
            if name in body:
                raise self.fail(
                    f"a role trust policy cannot have {name}",
                    f"{pointer}/{name}",
                    hint="IAM refuses it (Has prohibited field); remove the element.",
                )

    def either(
        self, body: Mapping[str, Any], name: str, negated_name: str, pointer: str, *, required: bool
    ) -> tuple[tuple[str, ...] | None, bool]:
        if name in body and negated_name in body:
            raise self.fail(f"a statement may have {name} or {negated_name}, not both", pointer)
        for element, negated in ((name, False), (negated_name, True)):
            if element in body:
                where = f"{pointer}/{element}"
                values = self.strings(body[element], where, element)
                grammar = action_refusal if name == "Action" else resource_refusal
                for position, text in enumerate(values):
                    item = where if isinstance(body[element], str) else f"{where}/{position}"
                    self.refuse(grammar(text), item)
                return values, negated
        if required:
            raise self.fail(f"the statement has neither {name} nor {negated_name}", pointer)
        return None, False

    def strings(self, value: object, pointer: str, what: str) -> tuple[str, ...]:
        if isinstance(value, str):
            if not value:
                raise self.fail(f"{what} must not be empty", pointer)
            return (value,)
        if not isinstance(value, list | tuple):
            raise self.fail(
                f"{what} must be a string or a list of strings, not {_kind(value)}", pointer
            )
        if not value:
            raise self.fail(f"{what} must not be an empty list", pointer)
        for position, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise self.fail(
                    f"{what} entries must be non-empty strings, not {_kind(item)}",
                    f"{pointer}/{position}",
                )
        return tuple(value)

    def principal_element(
        self, body: Mapping[str, Any], pointer: str
    ) -> tuple[tuple[Principal, ...] | None, bool]:
        if "NotPrincipal" in body:
            if self.kind is PolicyKind.TRUST:
                # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
                raise self.fail(
                    "NotPrincipal cannot be used in a role trust policy",
                    f"{pointer}/NotPrincipal",
                    hint="Name the trusted principals in Principal instead.",
                )
            if self.kind is PolicyKind.IDENTITY:
                raise self.fail(
                    "an identity-based policy cannot have NotPrincipal", f"{pointer}/NotPrincipal"
                )
            if "Principal" in body:
                raise self.fail("a statement may have Principal or NotPrincipal, not both", pointer)
            return self.principals(body["NotPrincipal"], f"{pointer}/NotPrincipal"), True
        if "Principal" in body:
            if self.kind is PolicyKind.IDENTITY:
                raise self.fail(
                    "an identity-based policy cannot have Principal", f"{pointer}/Principal"
                )
            return self.principals(body["Principal"], f"{pointer}/Principal"), False
        if self.kind is not PolicyKind.IDENTITY:
            raise self.fail(f"a {self.kind} policy statement needs a Principal", pointer)
        return None, False

    def principals(self, value: object, pointer: str) -> tuple[Principal, ...]:
        if value == "*":
            return (Principal(PrincipalType.ALL, "*", AwsPrincipalForm.ANY),)
        block = self.mapping(value, pointer, "Principal")
        if not block:
            raise self.fail("Principal must name at least one principal", pointer)
        result: list[Principal] = []
        for type_name, raw in block.items():
            where = f"{pointer}/{escape_pointer(type_name)}"
            try:
                principal_type = PrincipalType(type_name)
            except ValueError:
                principal_type = PrincipalType.ALL
            if principal_type is PrincipalType.ALL:
                raise self.fail(
                    f"unknown principal type {quoted(type_name)} "
                    "(expected AWS, Federated, Service or CanonicalUser)",
                    where,
                )
            values = self.strings(raw, where, f"Principal {type_name}")
            single = isinstance(raw, str)
            for position, text in enumerate(values):
                item_pointer = where if single else f"{where}/{position}"
                result.append(self.principal(principal_type, text, item_pointer))
        return tuple(result)

    def principal(self, principal_type: PrincipalType, text: str, pointer: str) -> Principal:
        if principal_type is not PrincipalType.AWS:
            is_service = principal_type is PrincipalType.SERVICE
            self.refuse(
                other_principal_refusal(principal_type, text, is_service=is_service), pointer
            )
            return Principal(principal_type, text)
        found = aws_principal(text)
        if isinstance(found, Refusal):
            raise self.fail(found.message, pointer, found.hint)
        form, account = found
        return Principal(PrincipalType.AWS, text, form, account)

    def conditions(self, value: object, pointer: str) -> tuple[Condition, ...]:
        block = self.mapping(value, pointer, "Condition")
        result: list[Condition] = []
        for operator_text, keys in block.items():
            where = f"{pointer}/{escape_pointer(operator_text)}"
            try:
                operator = parse_operator(operator_text)
            except UnknownOperatorError as error:
                raise self.fail(str(error), where) from None
            key_block = self.mapping(keys, where, f"the {operator_text} block")
            if not key_block:
                raise self.fail(f"the {operator_text} block names no condition keys", where)
            spelled: dict[str, str] = {}
            for key, raw_values in key_block.items():
                key_pointer = f"{where}/{escape_pointer(key)}"
                if not key:
                    raise self.fail("a condition key must not be empty", key_pointer)
                other = spelled.setdefault(key.lower(), key)
                if other != key:
                    # Key names are case-insensitive, and which of the two IAM applies is
                    # not documented: IAM Access Analyzer reports the block as an error
                    # (DUPLICATE_KEYS_WITH_DIFFERENT_CASE), so it is not judged either way.
                    # https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
                    raise self.fail(
                        f"condition keys {quoted(other)} and {quoted(key)} differ only in case"
                        f" in one {operator_text} block (key names are case-insensitive)",
                        key_pointer,
                        hint="Keep one of the two spellings.",
                    )
                self.refuse(policy_text_refusal(key, "condition key"), key_pointer)
                values = self.condition_values(raw_values, key_pointer)
                for position, item in enumerate(values):
                    refusal = policy_text_refusal(item, "condition value")
                    if refusal is not None:
                        many = isinstance(raw_values, list | tuple)
                        raise self.fail(
                            refusal.message,
                            f"{key_pointer}/{position}" if many else key_pointer,
                            refusal.hint,
                        )
                grammar = (
                    null_value_refusal
                    if operator.base.name == "Null"
                    else address_refusal
                    if operator.base.family is Family.IP
                    else None
                )
                if grammar is not None:
                    for position, item in enumerate(values):
                        item_pointer = (
                            key_pointer if len(values) == 1 else f"{key_pointer}/{position}"
                        )
                        self.refuse(grammar(item), item_pointer)
                result.append(Condition(operator, key, values, key_pointer))
        return tuple(result)

    def condition_values(self, value: object, pointer: str) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            return (self.scalar(value, pointer),)
        # An empty list is kept: it matches nothing (and a negated operator over it is true).
        return tuple(self.scalar(item, f"{pointer}/{i}") for i, item in enumerate(value))

    def scalar(self, value: object, pointer: str) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            try:
                return repr(value)
            except ValueError:  # more digits than Python converts to text (4300)
                raise self.fail("condition value is a number too long to read", pointer) from None
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail(
                    f"condition value is a number out of range ({quoted(value)})", pointer
                )
            return repr(value)
        raise self.fail(
            f"condition values must be strings, numbers or booleans, not {_kind(value)}", pointer
        )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__
