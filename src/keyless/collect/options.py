"""The grammars of the values that choose how to reach AWS: profile, region, account IDs,
member role, external ID.

Each value is checked before any connection is made, so a value that cannot be right is a
usage error naming its option (exit code 2), not a failed collection minutes later (exit
code 3) nor a string smuggled into an ARN, a log line or a report. The grammars are
ASCII: a lookalike letter is not a letter of an AWS identifier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from keyless.errors import KeylessError

#: Twelve ASCII digits (``\d`` would admit other scripts' digits).
ACCOUNT_ID = re.compile(r"[0-9]{12}")

#: sts:AssumeRole ExternalId: 2 to 1,224 characters of ``[\w+=,.@:/-]``.
#: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)

#: An AWS region: a partition prefix, words, a number (``us-east-1``, ``us-gov-west-1``,
#: ``cn-northwest-1``, ``us-isob-east-1``, ``eusc-de-east-1``).
#: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
REGION = re.compile(r"[a-z]{2,4}(-[a-z]+){1,3}-[0-9]{1,2}", re.ASCII)

#: A role name (1 to 64 characters of ``[\w+=,.@-]``), optionally under a path of such
#: segments (``security/keyless-audit``); the whole within IAM's 512-character path.
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
ROLE_NAME = re.compile(r"([\w+=,.@-]{1,64}/){0,16}[\w+=,.@-]{1,64}", re.ASCII)
ROLE_PATH_MAX = 512

#: A profile of ~/.aws/config. The CLI does not define a grammar; keyless accepts the
#: characters profile names use (``prod``, ``AdministratorAccess-123456789012``,
#: ``team/prod.admin``) and refuses whitespace, brackets and control characters, which
#: could not name a profile section anyway.
PROFILE = re.compile(r"[\w+=,.@:/-]{1,128}", re.ASCII)


def _refuse(option: str, value: str, grammar: str) -> KeylessError:
    # repr() shows a line break or an escape sequence as text instead of printing it.
    shown = repr(value if len(value) <= 80 else value[:80] + "…")
    return KeylessError(f"{shown} is not {grammar}", where=option)


def check_external_id(value: str) -> str:
    """``value`` when it can be an sts:AssumeRole external ID."""
    if not EXTERNAL_ID.fullmatch(value):
        raise _refuse(
            "--external-id",
            value,
            "an external ID (2 to 1,224 letters, digits and + = , . @ : / - _)",
        )
    return value


def check_region(value: str) -> str:
    """``value`` when it has the syntax of an AWS region."""
    if not REGION.fullmatch(value):
        raise _refuse("--region", value, "an AWS region (such as us-east-1)")
    return value


def check_profile(value: str) -> str:
    """``value`` when it can name a profile of the AWS configuration."""
    if not PROFILE.fullmatch(value):
        raise _refuse(
            "--profile",
            value,
            "a profile name (1 to 128 letters, digits and + = , . @ : / - _)",
        )
    return value


def check_member_role(value: str) -> str:
    """``value`` when it is a role name, optionally with its path (``path/name``)."""
    if not ROLE_NAME.fullmatch(value) or len(value) > ROLE_PATH_MAX + 64:
        raise _refuse(
            "--member-role",
            value,
            "a role name (up to 64 letters, digits and + = , . @ - _), optionally after a"
            " path (path/name)",
        )
    return value


def check_account_ids(option: str, values: Iterable[str]) -> tuple[str, ...]:
    """``values`` when each is a 12-digit account ID."""
    ids = tuple(values)
    for value in ids:
        if not ACCOUNT_ID.fullmatch(value):
            raise _refuse(option, value, "a 12-digit account ID")
    return ids
