"""The grammars of the values ``workflows fix`` writes into CI files.

Every value that reaches a rewritten file (an option, or a value read from a workflow or
from ``.git/config``) is checked here first; anything outside its grammar is refused, so
a newline, a ``#``, a lookalike digit or a ``${{ … }}`` can never add a step, comment out
the rest of a line or inject an expression. The values are then emitted through
ruamel.yaml's quoting (:mod:`.yamlout`), never pasted into the text.
"""

from __future__ import annotations

import re

from keyless.errors import InputError, quoted, quoted_hiding_credentials

# https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
# Role names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
# ([\w+=,.@-]{1,64}, ASCII). IAM also lets a path hold any printable ASCII; keyless takes
# only the characters of a name, because `$`, `{` or `'` in a path would be expanded or
# evaluated by the pipeline that reads it (`$VAR` in GitLab, `${{ … }}` in GitHub).
_NAME = r"[A-Za-z0-9_+=,.@-]"
_ROLE_ARN = re.compile(
    rf"arn:(?P<partition>[a-z-]+):iam::(?P<account>[0-9]{{12}}):role"
    rf"(?P<path>/(?:{_NAME}+/)*)(?P<name>{_NAME}{{1,64}})",
    re.ASCII,
)
# us-east-1, us-gov-west-1, cn-northwest-1, eu-isoe-west-1, ap-southeast-7…
# https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}", re.ASCII)
# GitHub owner/repo and GitLab group/subgroup/project paths: letters, digits, `_ . -`.
# https://docs.gitlab.com/user/reserved_names/#limitations-on-usernames-project-and-group-names-and-slugs
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}", re.ASCII)
# vars.NAME, secrets.NAME or a bare NAME: the names GitHub and GitLab accept.
# https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#naming-your-secrets
_REFERENCE = re.compile(r"(?:vars\.|secrets\.)?[A-Za-z_][A-Za-z0-9_]{0,254}", re.ASCII)
# An expression a workflow may hold for a region: a plain context lookup, nothing else.
_CONTEXT_EXPRESSION = re.compile(
    r"\$\{\{ *(?:env|vars|secrets|inputs|matrix)\.[A-Za-z_][A-Za-z0-9_-]{0,99} *\}\}", re.ASCII
)

MAX_ARN_LENGTH = 2048  # IAM's limit for a role ARN


def is_role_arn(text: str) -> bool:
    """Whether ``text`` is an IAM role ARN keyless will write into a pipeline."""
    match = _ROLE_ARN.fullmatch(text)
    return (
        match is not None
        and match.group("partition") in PARTITIONS
        and len(text) <= MAX_ARN_LENGTH
        and len(match.group("path")) <= 512
    )


def role_account(text: str) -> str | None:
    """The account ID of a role ARN keyless accepts, else None."""
    match = _ROLE_ARN.fullmatch(text)
    return match.group("account") if match is not None and is_role_arn(text) else None


def is_region(text: str) -> bool:
    """Whether ``text`` has the shape of an AWS region name."""
    return _REGION.fullmatch(text) is not None


def is_repository(text: str) -> bool:
    """Whether ``text`` is ``ORG/REPO`` (GitLab: ``GROUP/SUBGROUP/PROJECT``)."""
    parts = text.split("/")
    return len(parts) >= 2 and all(
        _SEGMENT.fullmatch(part) is not None and part not in (".", "..") for part in parts
    )


def is_role_reference(text: str) -> bool:
    """Whether ``text`` is ``vars.NAME``, ``secrets.NAME`` or a bare ``NAME``."""
    return _REFERENCE.fullmatch(text) is not None


def is_context_expression(text: str) -> bool:
    """Whether ``text`` is exactly ``${{ env.X }}`` (or vars, secrets, inputs, matrix)."""
    return _CONTEXT_EXPRESSION.fullmatch(text) is not None


def check_role_arn(value: str, where: str = "--role-arn") -> str:
    """``value`` if it is an IAM role ARN keyless accepts; else an :class:`InputError`."""
    if not is_role_arn(value):
        raise InputError(
            f"{quoted(value)} is not an IAM role ARN",
            where=where,
            hint="Give arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME with a 12-digit account ID "
            "(names and paths of letters, digits and +=,.@_-).",
        )
    return value


def check_region(value: str, where: str = "--region") -> str:
    """``value`` if it is an AWS region name; else an :class:`InputError`."""
    if not is_region(value):
        raise InputError(
            f"{quoted(value)} is not an AWS region", where=where, hint="For example us-east-1."
        )
    return value


def check_repository(value: str, where: str = "--repository") -> str:
    """``value`` if it is ``ORG/REPO``; else an :class:`InputError`."""
    if not is_repository(value):
        raise InputError(
            f"{quoted_hiding_credentials(value)} is not ORG/REPO",
            where=where,
            hint="Give the repository as ORG/REPO (GitLab: GROUP/PROJECT), with letters, "
            "digits and _.- only.",
        )
    return value


def check_role_reference(value: str, where: str = "--role-arn-from") -> str:
    """``value`` if it names a variable or secret; else an :class:`InputError`."""
    if not is_role_reference(value):
        raise InputError(
            f"{quoted(value)} is not a variable or secret name",
            where=where,
            hint="Give vars.NAME, secrets.NAME or NAME.",
        )
    return value
