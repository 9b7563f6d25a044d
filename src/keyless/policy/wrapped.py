"""A trust policy as people keep it in files: the policy document itself, or the output of
``aws iam get-role`` (``{"Role": {"Arn": …, "AssumeRolePolicyDocument": …}}``), or the
input of ``aws iam create-role --cli-input-json`` (``{"RoleName": …,
"AssumeRolePolicyDocument": "<JSON text>"}``). The document may be JSON text, or
URL-encoded JSON text as the IAM API returns it.
https://docs.aws.amazon.com/cli/latest/reference/iam/get-role.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson

from keyless.duplicate_keys import InexactNumber, find_duplicate_key
from keyless.errors import PolicyError, quoted
from keyless.policy.document import Policy, parse_trust_policy
from keyless.policy.identifiers import ROLE_ARN, ROLE_NAME

#: The most a trust policy file (or standard input) may hold, in bytes: 1 MiB. IAM's
#: largest role trust policy is 4,096 characters and keyless judges up to ten times that
#: (:mod:`keyless.policy.limits`); `aws iam get-role` output around it, URL-encoded and in
#: UTF-16 (PowerShell), indented, stays far below. Reading up to keyless's general 1 GiB
#: made `cat /dev/zero | keyless trust -` hold a gigabyte before saying anything.
TRUST_FILE_BYTES = 1 << 20
TRUST_FILE_HINT = (
    "A role trust policy is at most 4,096 characters (IAM quotas); keyless reads trust"
    " policy files and standard input up to 1 MiB. Give the policy document, or one"
    " role's `aws iam get-role` output."
)


@dataclass(frozen=True, slots=True)
class TrustFile:
    """The trust policy a file holds, the role ARN and name the file states (if any), and
    where in the file the document is (a JSON pointer, ``""`` for the whole file)."""

    document: Any
    role_arn: str | None = None
    pointer: str = ""
    text: str | None = None
    """The document's JSON text, when the file holds it as a string."""
    role_name: str | None = None
    """``RoleName`` as the file states it, in IAM's grammar (the last part of
    ``role_arn`` when both are given)."""


def load_trust_file(text: str, *, source: str) -> tuple[TrustFile, Policy]:
    """The trust policy a file's ``text`` holds, parsed (a PolicyError names where it is
    wrong: in the file, or in the document inside it)."""
    try:
        # orjson: a document nested beyond its depth limit is a ValueError, never a
        # RecursionError; the parser below then says what is wrong, and where.
        found = trust_file(orjson.loads(text), source=source)
    except ValueError:  # not JSON: the parser says where
        found = TrustFile(None)
    if found.pointer:
        # The wrapper was read by orjson, which keeps the last of a key given twice (in the
        # wrapper, or in a document that is an object): refused, as the document itself
        # would be (keyless.duplicate_keys.refuse_duplicate_keys says why).
        try:
            repeated = find_duplicate_key(text)
        except RecursionError:
            raise PolicyError("the file is nested too deeply", source=source) from None
        except InexactNumber as error:
            raise PolicyError(str(error), source=source, pointer=error.pointer) from None
        if repeated is not None:
            raise PolicyError(
                f"duplicate key {quoted(_last_token(repeated))}",
                source=source,
                pointer=repeated,
                hint="JSON parsers disagree on which copy wins; keep exactly one.",
            )
        where = f"{source} ({found.pointer.lstrip('/').replace('/', '.')})"
        if isinstance(found.text, str):  # parsed from its text: a key twice is reported
            return found, parse_trust_policy(found.text, source=where)
        try:
            text = orjson.dumps(found.document).decode()
        except TypeError:  # orjson's depth limit
            raise PolicyError("the policy document is nested too deeply", source=where) from None
        return found, parse_trust_policy(text, source=where)
    # Parsed from the text (not the mapping) so duplicate keys are reported, with a pointer.
    policy = parse_trust_policy(text, source=source)
    return TrustFile(orjson.loads(text)), policy


def trust_file(data: Any, *, source: str) -> TrustFile:
    """The trust policy inside ``data`` (parsed JSON). A policy document is returned as it
    is; a wrapped one is unwrapped. Raises :class:`PolicyError` for a wrapper whose
    document is not JSON."""
    if not isinstance(data, Mapping) or "Statement" in data:
        return TrustFile(data)
    role = data.get("Role")
    if isinstance(role, Mapping) and "AssumeRolePolicyDocument" in role:
        arn = _role_arn(role, source)
        name = _role_name(role, arn, source, "/Role")
        value = role["AssumeRolePolicyDocument"]
        document, text = _document(value, source, "/Role")
        pointer = "/Role/AssumeRolePolicyDocument"
        return TrustFile(document, arn, pointer, text, name)
    if "AssumeRolePolicyDocument" in data:
        name = _role_name(data, None, source, "")
        document, text = _document(data["AssumeRolePolicyDocument"], source, "")
        return TrustFile(document, None, "/AssumeRolePolicyDocument", text, name)
    for key, command in _MANY_ROLES.items():
        if isinstance(data.get(key), list):
            raise PolicyError(
                f"this is `{command}` output, with {len(data[key])} role(s): one role's trust "
                "policy is judged at a time",
                source=source,
                pointer=f"/{key}",
                hint="Pick one with `aws iam get-role --role-name NAME`, or judge every role "
                "with `keyless scan --input DIR` (docs/export-format.md).",
            )
    return TrustFile(data)


#: Outputs of the AWS CLI that hold several roles, by their list's key.
_MANY_ROLES = {
    "Roles": "aws iam list-roles",
    "RoleDetailList": "aws iam get-account-authorization-details",
}


def _role_arn(role: Mapping[str, Any], source: str) -> str | None:
    """The ARN ``aws iam get-role`` output gives its role (None when the file has none).
    The role is judged as that ARN says (its account decides what is "another account"),
    so one AWS would never write (the file was edited) is refused, not replaced silently
    by a role named after the file in another account."""
    if "Arn" not in role:
        return None
    arn = role["Arn"]
    if not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn):
        raise PolicyError(
            f"Arn is not an IAM role ARN: {quoted(arn)}",
            source=source,
            pointer="/Role/Arn",
            hint="Expected arn:aws:iam::123456789012:role/NAME, as `aws iam get-role` "
            "writes it; or remove Arn and name the role with --role-arn.",
        )
    return arn


def _role_name(role: Mapping[str, Any], arn: str | None, source: str, parent: str) -> str | None:
    """The ``RoleName`` of ``aws iam get-role`` output or ``create-role`` input (None when
    the file has none). Findings name the role by it, so a name IAM would refuse (a line
    break, an escape sequence, 65 characters:
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html) is refused,
    and so is one that is not the role ``Arn`` names: the file was edited, and which of
    the two is the role is unknown."""
    if "RoleName" not in role:
        return None
    name = role["RoleName"]
    pointer = f"{parent}/RoleName"
    if not isinstance(name, str) or not ROLE_NAME.fullmatch(name):
        raise PolicyError(
            f"RoleName is not an IAM role name: {quoted(name)}",
            source=source,
            pointer=pointer,
            hint="IAM role names are 1 to 64 letters, digits and _+=,.@- characters.",
        )
    if arn is not None and arn.rsplit("/", 1)[-1] != name:
        raise PolicyError(
            f"RoleName {quoted(name)} is not the role Arn names ({quoted(arn)})",
            source=source,
            pointer=pointer,
            hint="`aws iam get-role` writes the two for one role; fix the file, or name the"
            " role with --role-arn.",
        )
    return name


def _last_token(pointer: str) -> str:
    return pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


def _document(value: Any, source: str, parent: str) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return value, None
    text = value.strip()
    if text.startswith("%7B") or text.startswith("%7b"):
        text = unquote(text)  # the IAM API returns policy documents URL-encoded
    try:
        return orjson.loads(text), text
    except ValueError:
        raise PolicyError(
            "AssumeRolePolicyDocument is text that is not a JSON document",
            source=source,
            pointer=f"{parent}/AssumeRolePolicyDocument",
        ) from None
