"""The grammar IAM enforces on the values of a policy's elements when it stores a policy.

A policy IAM refuses at creation (``MalformedPolicyDocument``) is no policy anyone runs. In
an export or a snapshot it came from AWS, so it can only be there hand-edited; in
``keyless trust FILE`` or infrastructure code it is a draft that will fail to deploy. Either
way keyless does not give a verdict on it: :mod:`keyless.policy.document` raises a
:class:`~keyless.errors.PolicyError` at the value's JSON pointer, which ``keyless trust``
reports with exit 2 and the estate checks report as an unreadable policy. Each function
here returns a :class:`Refusal` (what is wrong, what to do) or ``None`` for a value in
grammar; the parser adds the pointer.

Sources:

* Sid: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
  ("supports ASCII uppercase letters, lowercase letters and numbers"; "must be unique
  within a JSON policy"). AWS's own linter, cfn-lint, applies the character rule to
  identity policies only (``policy_identity.json``) and uniqueness to trust policies too
  (``policy_trust.json``): a trust policy's Sid of other characters is not refused here,
  since refusing a policy IAM stores would report a real role as unreadable.
* Action: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  (a service prefix, a colon, an action name; or ``*``). IAM refuses the rest ("Actions/
  Conditions must be prefaced by a vendor"; "can contain only one colon").
* Resource: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
  (an ARN, ``arn:partition:service:region:account-id:resource``, or ``*``).
* Principals: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

from keyless.errors import quoted
from keyless.policy.templates import has_placeholder

_ACCOUNT = re.compile(r"[0-9]{12}")
# IAM unique IDs: AIDA (user), AROA (role), AIPA, ANPA, ... followed by base-32 characters.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{3}[A-Z0-9]{12,}")
# The resource is printable ASCII (a path may hold any of it); each name after it is
# IAM's name characters. A NUL, a control character or a space: MalformedPolicyDocument.
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html (RoleName, Path)
_AWS_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):(?P<service>iam|sts)::(?P<account>[0-9]{12}):"
    r"(?P<resource>[\x21-\x7e]+)"
)
_IAM_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]+")
# A service principal is a DNS name (ec2.amazonaws.com, states.eu-west-1.amazonaws.com);
# a federated or canonical user principal is printable ASCII (an ARN, a host name, hex).
SERVICE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
PRINTABLE = re.compile(r"[\x21-\x7e]+")
_SID = re.compile(r"[A-Za-z0-9]*")
# arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; the resource part may hold colons, the
# region and account may be empty (arn:aws:s3:::bucket), wildcards may stand anywhere.
_RESOURCE_ARN = re.compile(r"arn:[^:]+:[^:]+:[^:]*:[^:]*:.+", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why IAM would refuse a value, and what to write instead."""

    message: str
    hint: str | None = None


class AwsPrincipalForm(StrEnum):
    """The shapes an ``AWS`` principal value can take."""

    ANY = "any"  # "*"
    ACCOUNT = "account"  # "123456789012" or arn:aws:iam::123456789012:root: the whole account
    USER = "user"
    ROLE = "role"
    ASSUMED_ROLE = "assumed-role"
    FEDERATED_USER = "federated-user"
    UNIQUE_ID = "unique-id"  # AIDA.../AROA...: a deleted principal (dangling trust)
    TEMPLATE = "template"  # arn:aws:iam::${account_id}:root: an unrendered placeholder


def aws_principal_form(service: str, resource: str) -> AwsPrincipalForm | None:
    """The form of an IAM or STS principal ARN, from its service and resource parts.

    ``None`` when the ARN names no principal (``iam`` ``group/...``, a malformed session).
    """
    if service == "iam":
        if resource == "root":
            return AwsPrincipalForm.ACCOUNT
        if resource.startswith("user/"):
            return AwsPrincipalForm.USER
        if resource.startswith("role/"):
            return AwsPrincipalForm.ROLE
    elif service == "sts":
        if resource.startswith("assumed-role/") and resource.count("/") == 2:
            return AwsPrincipalForm.ASSUMED_ROLE
        if resource.startswith("federated-user/"):
            return AwsPrincipalForm.FEDERATED_USER
    return None


def aws_principal(text: str) -> tuple[AwsPrincipalForm, str | None] | Refusal:
    """The form of an ``AWS`` principal value and the account it names, or why IAM
    refuses it."""
    if text == "*":
        return AwsPrincipalForm.ANY, None
    if "*" in text or "?" in text:
        return Refusal(
            f"partial wildcards are not allowed in a Principal: {quoted(text)}",
            'Use "*" with a condition on aws:PrincipalArn instead.',
        )
    if _ACCOUNT.fullmatch(text):
        return AwsPrincipalForm.ACCOUNT, text
    if has_placeholder(text):
        # A template (arn:aws:iam::${account_id}:root, <ACCOUNT_ID>): whoever it names
        # once rendered; keyless.policy.templates reports it.
        return AwsPrincipalForm.TEMPLATE, None
    match = _AWS_ARN.fullmatch(text)
    if match:
        form = aws_principal_form(match["service"], match["resource"])
        names = match["resource"].split("/")[-2 if form is AwsPrincipalForm.ASSUMED_ROLE else -1 :]
        if form is not None and all(_IAM_NAME.fullmatch(name) for name in names):
            return form, match["account"]
    elif _UNIQUE_ID.fullmatch(text):
        return AwsPrincipalForm.UNIQUE_ID, None
    return Refusal(
        f"not a valid AWS principal: {quoted(text)}",
        "Expected an account ID, an IAM user/role ARN, an assumed-role session ARN, "
        'arn:aws:iam::ID:root or "*".',
    )


def other_principal_refusal(type_name: str, text: str, *, is_service: bool) -> Refusal | None:
    """Why IAM refuses a ``Service``, ``Federated`` or ``CanonicalUser`` value, if it does."""
    if "*" in text and not (type_name == "Federated" and text == "*"):
        return Refusal(f"{type_name} principals cannot contain wildcards")
    grammar = SERVICE_NAME if is_service else PRINTABLE
    if not grammar.fullmatch(text) and not has_placeholder(text):
        return Refusal(
            f"not a valid {type_name} principal: {quoted(text)}",
            "IAM refuses it (MalformedPolicyDocument): a service principal is a host name"
            " such as ec2.amazonaws.com; no principal holds spaces or control characters.",
        )
    return None


def sid_refusal(sid: str, *, alphanumeric: bool, seen: set[str]) -> Refusal | None:
    """Why IAM refuses a statement's ``Sid``, if it does; records ``sid`` in ``seen``.

    ``alphanumeric`` applies the character rule (identity policies). An empty Sid is what
    the IAM console long wrote into every trust policy (``"Sid": ""``): it names nothing,
    so it is neither refused nor counted as a duplicate.
    """
    if alphanumeric and not _SID.fullmatch(sid):
        return Refusal(
            f"Sid {quoted(sid)} holds characters IAM refuses in an identity policy",
            "A Sid is ASCII letters and digits only (no spaces, hyphens or underscores).",
        )
    if sid and sid in seen:
        return Refusal(
            f"Sid {quoted(sid)} names two statements",
            "IAM requires each Sid to be unique within a policy; rename one.",
        )
    seen.add(sid)
    return None


def action_refusal(text: str) -> Refusal | None:
    """Why IAM refuses an ``Action`` or ``NotAction`` value, if it does.

    An action without a service prefix (``AssumeRole``) would match no request: judged
    literally, the statement would silently grant or deny nothing.
    """
    if text == "*" or has_placeholder(text):
        return None
    prefix, colon, name = text.partition(":")
    if not colon or not prefix:
        return Refusal(
            f"action {quoted(text)} has no service prefix",
            'Write SERVICE:ACTION (e.g. "sts:AssumeRole"), or "*" for every action.',
        )
    if ":" in name:
        return Refusal(
            f"action {quoted(text)} has more than one colon",
            'Write SERVICE:ACTION (e.g. "sts:AssumeRole").',
        )
    if not name:
        return Refusal(
            f"action {quoted(text)} has no action name after the colon",
            f'Write e.g. "{prefix}:*" for every action of the service.',
        )
    return None


def resource_refusal(text: str) -> Refusal | None:
    """Why IAM refuses a ``Resource`` or ``NotResource`` value, if it does: it is an ARN
    (with the six parts of one) or ``*``."""
    if text == "*" or _RESOURCE_ARN.fullmatch(text) or has_placeholder(text):
        return None
    return Refusal(
        f"resource {quoted(text)} is neither an ARN nor *",
        'Write arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (e.g. "arn:aws:s3:::bucket/*")'
        ' or "*".',
    )


def address_refusal(item: str) -> Refusal | None:
    """IpAddress and NotIpAddress take IP addresses and CIDR ranges; IAM refuses a policy
    with another value (``999.1.1.1/99``), which would otherwise match nothing."""
    if has_placeholder(item):
        return None
    try:
        ipaddress.ip_network(item.strip(), strict=False)
    except ValueError:
        return Refusal(f"not an IP address or CIDR range: {quoted(item)}")
    return None


# What a policy document may hold: tab, line feed, carriage return and U+0020 to U+00FF.
# "Policy documents can contain only the following Unicode characters: horizontal tab
# (U+0009), linefeed (U+000A), carriage return (U+000D), and characters in the range U+0020
# to U+00FF" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
# the API refuses any other ("Member must satisfy regular expression pattern:
# [\u0009\u000A\u000D\u0020-\u00FF]+").
_OUTSIDE_POLICY_TEXT = re.compile(r"[^\t\n\r\x20-\xff]")


def policy_text_refusal(text: str, what: str) -> Refusal | None:
    """A condition key or value holding a character no IAM policy holds: a NUL, another
    control character, a bidirectional override (U+202E, which reorders what a reviewer
    sees), any character past U+00FF. Such a policy was not stored by IAM (or will not
    be): it is not judged, where judging it would give a verdict on a value no token,
    assertion or request is ever compared with."""
    found = _OUTSIDE_POLICY_TEXT.search(text)
    if found is None:
        return None
    return Refusal(
        f"{what} {quoted(text)} holds U+{ord(found.group()):04X}, a character IAM refuses"
        " in a policy",
        "IAM policy documents hold tab, line feed, carriage return and U+0020 to U+00FF"
        " only (IAM quotas); remove the character.",
    )


def null_value_refusal(item: str) -> Refusal | None:
    """The Null operator takes ``true`` or ``false`` (any letter case)."""
    if item.lower() in ("true", "false"):
        return None
    return Refusal(f'Null takes "true" or "false", not {quoted(item)}')
