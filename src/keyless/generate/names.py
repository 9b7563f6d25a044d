"""The grammars of the names generated code carries, and identifiers derived from them.

Names come from AWS (user names, aliases, tags, repositories) and from a hand-edited plan:
hostile until proven otherwise. A value is either checked against its grammar (and refused
with the reason) or turned into an identifier of the target language that is stable and
collision-free: the sanitised name, plus a short hash of the original whenever sanitising
changed it, so ``a.b`` and ``a_b`` never meet.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from keyless.errors import InputError, quoted

#: IAM role names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
#: IAM paths, 512 characters at most:
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
IAM_PATH = re.compile(r"/(?:[\x21-\x7e]{1,510}/)?", re.ASCII)
#: The path of a permission set's customer managed policy reference, stricter than IAM's
#: (no empty segment, no ``$`` or ``*``), 512 characters at most:
#: https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CustomerManagedPolicyReference.html
IDENTITY_CENTER_POLICY_PATH = re.compile(r"(?=.{1,512}\Z)(?:/[A-Za-z0-9.,+@=_-]+)*/", re.ASCII)
#: Customer managed policy names (as Identity Center references them).
POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
#: Permission set names: https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html
PERMISSION_SET_NAME = re.compile(r"[\w+=,.@-]{1,32}", re.ASCII)
#: Permission set descriptions (empty: none is written):
#: https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html
PERMISSION_SET_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]{0,700}")
ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)
#: Regions such as us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5.
REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}", re.ASCII)
#: AWS managed policy ARNs (any partition). IAM ARNs are ASCII: without ``re.ASCII``,
#: ``\w`` and ``\d`` would accept letters and digits of every script.
#: The path (no empty segment) and the name (1 to 128 characters) are each what both IAM
#: and Identity Center's customer managed policy reference take: a permission set's
#: boundary is written as such a reference.
MANAGED_POLICY_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy(?=/[\w+=,.@/-]{1,640}\Z)"
    r"(?:/[\w+=,.@-]+)*/[\w+=,.@-]{1,128}",
    re.ASCII,
)
#: An IAM role ARN (with an optional path).
ROLE_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::\d{12}:role/(?:[\x21-\x7e]+/)?[\w+=,.@-]{1,64}", re.ASCII
)
#: Identity Store user names: 1 to 128 letters, marks, symbols, numbers and punctuation of
#: any script (AWS also takes spaces; a plan's names, made by ``plan.targets``, have none):
#: https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html
IDENTITY_STORE_NAME_LENGTH = 128

_TERRAFORM_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_LOGICAL_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_PROFILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def matches(grammar: re.Pattern[str], value: object) -> bool:
    """True when ``value`` is a string that is entirely a word of ``grammar``."""
    return isinstance(value, str) and grammar.fullmatch(value) is not None


def is_identity_store_name(value: object) -> bool:
    """True for an Identity Store user name (``jörg@example.com``, ``李雷``): AWS takes any
    script, but never a control character (a newline, a tab, an escape), a format
    character (a bidirectional override such as U+202E, which reorders what a console
    shows), a line or paragraph separator, or a space."""
    if not isinstance(value, str) or not 1 <= len(value) <= IDENTITY_STORE_NAME_LENGTH:
        return False
    return all(unicodedata.category(c)[0] in "LMSNP" for c in value)


def not_an_arn(value: object, kind: str) -> str:
    """Why ``value`` is refused as a ``kind`` ARN, saying so when it is not ASCII."""
    if isinstance(value, str) and not value.isascii():
        return f"{quoted(value)} is not {kind} ARN: IAM ARNs are ASCII"
    return f"{quoted(value)} is not {kind} ARN"


def short_hash(value: str, length: int = 6) -> str:
    """A few hex digits of SHA-256: stable across runs and machines."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def terraform_name(*parts: str) -> str:
    """A Terraform identifier (``[a-z_][a-z0-9_-]*``, lower case by convention) for the
    resource named by ``parts``; a hash of the parts is added when sanitising lost anything."""
    original = "_".join(parts)
    cleaned = _TERRAFORM_UNSAFE.sub("_", original.lower()).strip("_-")[:48] or "x"
    if cleaned != original:
        cleaned = f"{cleaned}_{short_hash(original)}"
    return cleaned if cleaned[0].isalpha() else f"r_{cleaned}"


def logical_id(*parts: str) -> str:
    """A CloudFormation logical ID (``[A-Za-z0-9]+``, at most 255 characters) in
    CamelCase; a hash of the parts is added when sanitising lost anything."""
    original = "-".join(parts)
    words = [w for w in _LOGICAL_UNSAFE.split(original) if w]
    cleaned = "".join(w[:1].upper() + w[1:] for w in words)[:60] or "X"
    if cleaned != original:
        cleaned = f"{cleaned}{short_hash(original)}"
    return cleaned


def profile_name(*parts: str) -> str:
    """An AWS CLI profile name (``[A-Za-z0-9._-]``, what the CLI and shells take without
    quoting); a hash of the parts is added when sanitising lost anything."""
    original = "-".join(parts)
    cleaned = _PROFILE_UNSAFE.sub("-", original).strip("-.")[:64] or "profile"
    if cleaned != original:
        cleaned = f"{cleaned}-{short_hash(original)}"
    return cleaned


class UniqueIds(dict[str, Any]):
    """Identifiers keyless derived from the plan's names (CloudFormation logical IDs), each
    given once. Sanitising adds six hex digits of a hash, which a hand-edited plan can make
    collide (``a.a,b`` and ``a,a.b`` both read ``AAB`` before it): the second definition
    replaced the first, so a permission set was dropped and its assignments granted the
    other one's permissions. Refused instead (exit 2), naming the identifier. Set items one
    by one (``update`` does not check)."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            raise duplicate_identifier(self.what, key)
        super().__setitem__(key, value)


def duplicate_identifier(what: str, identifier: str) -> InputError:
    """Two of the plan's names give one identifier of the generated code."""
    return InputError(
        f"two names of the plan give one {what} {quoted(identifier)}: the generated code "
        "would define it twice",
        hint="Rename one of them in the plan (names that differ only in punctuation or "
        "case become one identifier), then check it with `keyless plan --check`.",
    )
