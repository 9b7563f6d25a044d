"""ARN helpers. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Twelve ASCII digits, whole (``\d`` would admit other scripts' digits, ``$`` a newline).
ACCOUNT_ID = re.compile(r"[0-9]{12}")


@dataclass(frozen=True, slots=True)
class Arn:
    """The six colon-separated parts of an ARN; ``resource`` keeps any further colons."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split ``text`` into its ARN parts, or ``None`` when it is not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


#: A partition's name as AWS spells them (``aws``, ``aws-us-gov``, ``aws-cn``, ``aws-iso-b``...).
_PARTITION = re.compile(r"aws(?:-[a-z]{1,10}){0,3}")


def partition_or_aws(arn: str) -> str:
    """The partition ``arn`` is in (``aws-us-gov`` for GovCloud, ``aws-cn`` for China), or
    ``aws`` when ``arn`` is not an ARN or names no partition AWS could have."""
    parsed = parse_arn(arn)
    if parsed is None or _PARTITION.fullmatch(parsed.partition) is None:
        return "aws"
    return parsed.partition


def foreign_partition(value: str, partition: str) -> str | None:
    """The partition ``value`` names when it is an ARN of a partition other than
    ``partition`` (a role's), else None (not an ARN, no partition AWS could have, or the
    same). Partitions have independent IAM instances: nothing of one is trusted in another.
    https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html"""
    parsed = parse_arn(value)
    if parsed is None or _PARTITION.fullmatch(parsed.partition) is None:
        return None
    return parsed.partition if parsed.partition != partition else None


def is_account_id(text: str) -> bool:
    """True for a twelve-digit AWS account ID."""
    return ACCOUNT_ID.fullmatch(text) is not None


def account_of(arn: str) -> str | None:
    """The account ID inside an ARN, if any."""
    parsed = parse_arn(arn)
    return parsed.account if parsed and parsed.account else None


def root_arn(account_id: str, partition: str = "aws") -> str:
    """The ARN that stands for the account's root user: ``arn:aws:iam::ID:root``."""
    return f"arn:{partition}:iam::{account_id}:root"


def user_arn(account_id: str, name: str, path: str = "/", partition: str = "aws") -> str:
    """The ARN of an IAM user."""
    return f"arn:{partition}:iam::{account_id}:user{path}{name}"


def role_arn(account_id: str, name: str, path: str = "/", partition: str = "aws") -> str:
    """The ARN of an IAM role."""
    return f"arn:{partition}:iam::{account_id}:role{path}{name}"
