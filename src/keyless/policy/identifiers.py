"""The grammars of the identifiers users hand to keyless: principal and role ARNs, trust
anchors, service principals, external IDs, condition keys and action names.

Every value from the command line (or from a witness file) is hostile until it is checked:
a newline in ``--principal`` must not become a line of output, a lookalike digit must not
pass as an account ID. Each ``checked_*`` function returns the value unchanged when it
fits its grammar and raises :class:`~keyless.errors.InputError` (exit 2, naming ``where``)
otherwise. ASCII classes are written out (``[0-9]``, never ``\\d``, which also matches
Arabic-Indic and other digits).

Sources:

* ARNs and IAM names: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
  and https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName,
  Path patterns)
* session names: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
* external IDs: the same page (ExternalId: 2-1224 characters of ``[\\w+=,.@:/-]``)
* trust anchors: https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
* condition keys and actions: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
"""

from __future__ import annotations

import re
import unicodedata

from keyless.errors import InputError

_PARTITION = r"aws(?:-[a-z]+)*"
_ACCOUNT = r"[0-9]{12}"
# IAM user and role names; the path is "/" or "/segments/" of printable ASCII.
_IAM_NAME = r"[A-Za-z0-9_+=,.@-]{1,64}"
_IAM_PATH = r"/(?:[!-~]{1,510}/)?"
_SESSION = r"[A-Za-z0-9_+=,.@-]{2,64}"
_FEDERATED_NAME = r"[A-Za-z0-9_+=,.@-]{2,32}"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-[0-9]+"

ACCOUNT_ID = re.compile(_ACCOUNT)
ROLE_NAME = re.compile(_IAM_NAME)
USER_NAME = ROLE_NAME
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html (GroupName)
GROUP_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,128}")
# "/" or "/segments/" of printable ASCII, 512 characters at most (CreateUser's Path).
IAM_PATH = re.compile(r"/(?:[!-~]{1,510}/)?")
ROLE_ARN = re.compile(rf"arn:{_PARTITION}:iam::{_ACCOUNT}:role{_IAM_PATH}{_IAM_NAME}")
PRINCIPAL_ARN = re.compile(
    rf"arn:{_PARTITION}:(?:"
    rf"iam::{_ACCOUNT}:(?:root|user{_IAM_PATH}{_IAM_NAME}|role{_IAM_PATH}{_IAM_NAME})"
    rf"|sts::{_ACCOUNT}:(?:assumed-role/{_IAM_NAME}/{_SESSION}|federated-user/{_FEDERATED_NAME})"
    r")"
)
TRUST_ANCHOR_ARN = re.compile(
    rf"arn:{_PARTITION}:rolesanywhere:{_REGION}:{_ACCOUNT}:trust-anchor/[0-9a-fA-F-]{{36}}"
)
# A service principal is a DNS name: ec2.amazonaws.com, states.eu-west-1.amazonaws.com.
SERVICE_PRINCIPAL = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+")
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,1224}")
ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9*?]+")
# A condition key: a prefix, a colon, a name; tag keys may hold spaces (aws:RequestTag/cost center).
CONDITION_KEY = re.compile(r"[^\s:]+:\S(?:.{0,1022}\S)?")

_PRINCIPAL_HINT = (
    "Expected an account ID (12 digits), arn:aws:iam::ID:root, arn:aws:iam::ID:user/NAME, "
    "arn:aws:iam::ID:role/NAME or arn:aws:sts::ID:assumed-role/ROLE/SESSION."
)


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a character that can break a line or a terminal: controls
    (newline, escape), format characters (bidirectional overrides), line and paragraph
    separators, and unassigned or private code points."""
    return any(unicodedata.category(char)[0] == "C" or char in "\u2028\u2029" for char in text)


def _check(value: str, grammar: re.Pattern[str], what: str, where: str | None, hint: str) -> str:
    if not grammar.fullmatch(value):
        shown = ascii(value) if len(value) <= 200 else ascii(value[:200]) + "…"
        raise InputError(f"{shown} is not {what}", where=where, hint=hint)
    return value


def checked_principal(value: str, where: str | None = "--principal") -> str:
    """An AWS caller: a 12-digit account ID or an IAM/STS principal ARN."""
    if ACCOUNT_ID.fullmatch(value):
        return value
    return _check(
        value, PRINCIPAL_ARN, "an AWS principal ARN or account ID", where, _PRINCIPAL_HINT
    )


def checked_role_arn(value: str, where: str = "--role-arn") -> str:
    """An IAM role ARN (partition, 12-digit account, optional path, role name)."""
    return _check(
        value,
        ROLE_ARN,
        "an IAM role ARN",
        where,
        "Expected arn:aws:iam::123456789012:role/NAME (a path such as /service-role/ is allowed).",
    )


def checked_role_name_or_arn(value: str, where: str) -> str:
    """A role's name (IAM's name charset, 1-64 characters) or its ARN."""
    if ROLE_NAME.fullmatch(value):
        return value
    return checked_role_arn(value, where)


def checked_trust_anchor(value: str, where: str = "--trust-anchor") -> str:
    """A Roles Anywhere trust anchor ARN."""
    return _check(
        value,
        TRUST_ANCHOR_ARN,
        "a Roles Anywhere trust anchor ARN",
        where,
        "Expected arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/UUID.",
    )


def checked_service(value: str, where: str = "--service") -> str:
    """A service principal (a lower-case DNS name such as ``sns.amazonaws.com``)."""
    return _check(
        value, SERVICE_PRINCIPAL, "a service principal", where, "Expected e.g. sns.amazonaws.com."
    )


def checked_external_id(value: str, where: str | None = "--external-id") -> str:
    """An external ID as STS accepts it."""
    return _check(
        value,
        EXTERNAL_ID,
        "an external ID",
        where,
        "STS accepts 2 to 1,224 characters of letters, digits and + = , . @ : / - _.",
    )


def checked_organization(value: str, where: str = "--org-id") -> str:
    """An AWS Organizations ID (``o-`` and 10 to 32 lower-case letters or digits)."""
    return _check(
        value, ORGANIZATION_ID, "an organization ID", where, "Expected e.g. o-a1b2c3d4e5."
    )


def checked_action(value: str, where: str = "--action") -> str:
    """An action name, ``service:Action`` (wildcards allowed)."""
    return _check(value, ACTION, "an action name", where, "Expected e.g. sts:AssumeRole.")


def checked_condition_key(value: str, where: str = "--context") -> str:
    """A condition key, ``prefix:name`` (case is kept; lookups ignore it)."""
    if has_control_characters(value):
        raise InputError(f"condition key {value!a} holds a control character", where=where)
    return _check(
        value,
        CONDITION_KEY,
        "a condition key",
        where,
        "Expected PREFIX:NAME, e.g. aws:SourceIp or token.actions.githubusercontent.com:sub.",
    )


def checked_text(value: str, what: str, where: str) -> str:
    """Free text (a context value, a file name) without control characters."""
    if has_control_characters(value):
        raise InputError(
            f"{what} {value!a} holds a control character (a line break, an escape, a "
            "bidirectional override)",
            where=where,
        )
    return value
