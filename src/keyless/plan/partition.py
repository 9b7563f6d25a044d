"""The AWS partition of an estate, and the values that differ by partition.

Every ARN names its partition (``arn:PARTITION:service:region:account:resource``:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html): ``aws``, ``aws-cn``
(China), ``aws-us-gov`` (GovCloud (US)), and isolated partitions. keyless takes the
partition from the inventory's ARNs (its users' and roles'), and writes every ARN of a plan
and of ``keyless generate`` in it.

The audience GitHub's tokens carry for STS is ``sts.amazonaws.com``, and in China
``sts.amazonaws.com.cn`` (the ``audience`` input of ``aws-actions/configure-aws-credentials``:
https://github.com/aws-actions/configure-aws-credentials#oidc-audience); GovCloud's STS
endpoints are under ``amazonaws.com`` (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html)
and take the default. An isolated partition's values are not documented publicly: keyless
refuses (exit 2) rather than write a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable

from keyless.errors import InputError, quoted
from keyless.model import Account

#: The ``aud`` of a GitHub Actions token meant for STS, by partition.
STS_AUDIENCES = {
    "aws": "sts.amazonaws.com",
    "aws-us-gov": "sts.amazonaws.com",
    "aws-cn": "sts.amazonaws.com.cn",
}


def arn_partition(arn: str) -> str | None:
    """The partition an ARN names, or ``None`` when the text is not an ARN."""
    parts = arn.split(":", 2)
    if len(parts) < 3 or parts[0] != "arn" or not parts[1]:
        return None
    return parts[1]


def partition_of(arns: Iterable[str], *, where: str) -> str:
    """The one partition of ``arns`` (``aws`` when there is none); several, or one whose
    values keyless does not know, is an :class:`InputError` naming ``where``."""
    found = sorted({p for arn in arns if (p := arn_partition(arn)) is not None})
    if len(found) > 1:
        raise InputError(
            f"the ARNs are of several partitions ({', '.join(found)})",
            where=where,
            hint="Plan each partition's accounts apart.",
        )
    partition = found[0] if found else "aws"
    if partition not in STS_AUDIENCES:
        raise InputError(
            f"keyless does not know the values of the partition {quoted(partition)} (its STS "
            "audience, its service principals), so it writes no ARN or trust policy for it",
            where=where,
            hint=f"keyless knows the partitions {', '.join(sorted(STS_AUDIENCES))}.",
        )
    return partition


def account_partition(account: Account) -> str:
    """The partition of ``account``'s users' and roles' ARNs: what an export says (the
    account's ``partition`` field is only known when keyless read it live)."""
    arns = [*(u.arn for u in account.users), *(r.arn for r in account.roles)]
    return partition_of(arns or [f"arn:{account.partition}:"], where=f"account {account.id}")


def sts_audience(partition: str) -> str:
    """The STS audience of ``partition`` (a partition :func:`partition_of` accepted)."""
    return STS_AUDIENCES[partition]
