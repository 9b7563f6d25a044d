"""The grammars of the names a plan carries into generated code, checked by
``keyless plan --check`` and ``keyless generate`` alike (:mod:`.consistency`).

Names come from AWS (user names, aliases, tags, repositories) and from a hand-edited plan:
hostile until proven otherwise. A value is checked against its grammar and refused with the
reason, never changed: what AWS takes is written as it is, through the emitter's quoting.
"""

from __future__ import annotations

import re
import unicodedata

from keyless.errors import quoted

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
#: A Roles Anywhere trust anchor ARN (what ``generate`` writes into ``aws:SourceArn``).
TRUST_ANCHOR_ARN = re.compile(
    r"arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor/[0-9a-f-]{36}", re.ASCII
)
#: Identity Store user names: 1 to 128 letters, marks, symbols, numbers and punctuation of
#: any script (AWS also takes spaces; a plan's names, made by ``plan.targets``, have none):
#: https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html
IDENTITY_STORE_NAME_LENGTH = 128
#: Identity Store display names (and the given and family names split from them): 1 to
#: 1,024 letters, marks, symbols, numbers and punctuation of any script, tabs, line breaks,
#: spaces, no-break spaces and ideographic spaces (``DisplayName``, ``Name``):
#: https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html
#: https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_Name.html
IDENTITY_STORE_DISPLAY_NAME_LENGTH = 1024
_DISPLAY_NAME_SPACES = frozenset("\t\n\r \u00a0\u3000")


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


def is_identity_store_display_name(value: object) -> bool:
    """True for an Identity Store display name (``Jörg Müller``, ``李雷``) with a word in it
    (the given name generated code splits from it): no control character but a tab or a
    line break, no format character (a bidirectional override such as U+202E), no other
    space than the ones AWS lists."""
    if not isinstance(value, str) or not 1 <= len(value) <= IDENTITY_STORE_DISPLAY_NAME_LENGTH:
        return False
    if all(c in _DISPLAY_NAME_SPACES for c in value):
        return False
    return all(c in _DISPLAY_NAME_SPACES or unicodedata.category(c)[0] in "LMSNP" for c in value)


def not_an_arn(value: object, kind: str) -> str:
    """Why ``value`` is refused as a ``kind`` ARN, saying so when it is not ASCII."""
    if isinstance(value, str) and not value.isascii():
        return f"{quoted(value)} is not {kind} ARN: IAM ARNs are ASCII"
    return f"{quoted(value)} is not {kind} ARN"
