"""Collecting every account of an AWS Organization.

From management-account (or delegated-administrator) credentials: describe the
organization, list its accounts, assume a role in each active member and collect it with
the single-account collector, a bounded number of accounts at a time. Each account gets
its own boto3 Session built from its assumed-role credentials, which stay in memory and
are never logged.

Honest partial failure: an account whose role cannot be assumed, whose IAM calls are
denied, or whose calls exhaust their retries becomes ``Account(status=FAILED,
error=...)``; it never stops the other accounts and is never reported as clean.
Suspended (and otherwise inactive) accounts, and accounts left out by ``accounts`` /
``exclude_accounts``, are listed with status ``skipped`` and the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from keyless.collect.formats.members import MemberAccount, member_accounts, organization_ids
from keyless.collect.live.account import caller_identity, client, collect_account
from keyless.collect.live.assume import (
    RoleAssumer,
    error_code,
    error_reason,
    open_member,
)
from keyless.collect.live.failures import (
    TROUBLE_CODES,
    reaching_failure,
    unreachable,
)
from keyless.collect.live.identity_center import collect_identity_center
from keyless.collect.shard import EXCLUDED, NOT_SELECTED, OTHER_SHARD, Shard, shard_of
from keyless.errors import AwsUnavailable, CollectionError, KeylessError, quoted
from keyless.model import (
    Account,
    AccountStatus,
    Dataset,
    DatasetState,
    Inventory,
    Organization,
)
from keyless.model.arn import is_account_id, parse_arn

if TYPE_CHECKING:
    import boto3

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, int], None]

DEFAULT_MEMBER_ROLE = "OrganizationAccountAccessRole"


def collect_organization(
    session: boto3.Session,
    *,
    member_role: str = DEFAULT_MEMBER_ROLE,
    external_id: str | None = None,
    accounts: Collection[str] | None = None,
    exclude_accounts: Collection[str] | None = None,
    max_workers: int = 8,
    endpoint_url: str | None = None,
    progress: ProgressCallback | None = None,
    shard: Shard | None = None,
) -> Inventory:
    """Collect every selected active account of the organization ``session`` belongs to.

    ``session`` holds management-account or delegated-administrator credentials. In each
    member account keyless assumes ``arn:<partition>:iam::<id>:role/<member_role>``
    (session name ``keyless``, ``ExternalId`` when ``external_id`` is given); the account
    ``session`` itself belongs to is collected with ``session`` directly. ``accounts``
    restricts the scan to those IDs, ``exclude_accounts`` leaves some out; both must be
    account IDs of the organization. At most ``max_workers`` accounts are collected at a
    time. With ``shard``, only the accounts it owns are collected and the others are
    recorded as skipped (see :mod:`keyless.collect.shard`). ``progress(done, failed,
    remaining)`` is called once before collecting and after every account. Also
    collects the IAM Identity Center posture into ``Inventory.organization``.

    Raises :class:`CollectionError` when the organization itself cannot be read (no
    credentials, not in an organization, Organizations access denied) and
    :class:`KeylessError` for an unknown account ID in the selection.
    """
    if max_workers < 1:
        raise KeylessError("--max-workers must be at least 1")
    started = datetime.now(UTC)
    caller_account, partition = _caller(session, endpoint_url)
    # The first Organizations call is a probe too: its endpoint may be out of reach
    # while STS answers, and that is said within seconds, not after ten retries.
    org_id, management = organization_ids(
        _describe_organization(client(session, "organizations", endpoint_url, probe=True))
    )
    orgs = client(session, "organizations", endpoint_url)
    members = _list_accounts(orgs)
    selected, skipped = _select(members, accounts, exclude_accounts, shard)

    center, center_state = collect_identity_center(
        session,
        account_ids=[m.id for m in members if m.is_active],
        endpoint_url=endpoint_url,
        max_workers=max_workers,
    )

    sts = client(session, "sts", endpoint_url)
    role = RoleAssumer(sts, partition, member_role, external_id)
    collected = _collect_members(
        selected,
        lambda member: _collect_member(session, member, caller_account, role, endpoint_url),
        max_workers,
        progress,
    )
    everything = [*collected, *(_left_out(m, reason, partition) for m, reason in skipped)]
    return Inventory(
        accounts=tuple(sorted(everything, key=lambda a: a.id)),
        organization=Organization(
            id=org_id,
            management_account_id=management,
            identity_center=center,
            identity_center_state=center_state,
        ),
        origin="organization",
        collected_at=started,
    )


def _caller(session: boto3.Session, endpoint_url: str | None) -> tuple[str, str]:
    """The caller's account and partition; the probe that AWS can be reached at all."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        identity = caller_identity(session, endpoint_url)
    except (ClientError, BotoCoreError) as error:
        # What caller_identity lets through: AWS answered with an error of its own (exit
        # 3), or a failure before any request (exit 2; docs/scan.md#reaching-aws).
        raise reaching_failure(error, "STS") or CollectionError(
            f"cannot identify the caller: {error_reason(error)}",
            hint="Configure management-account credentials (--profile, AWS_PROFILE, SSO).",
        ) from None
    account = identity.get("Account")
    if not isinstance(account, str) or not is_account_id(account):
        raise AwsUnavailable(
            f"STS answered GetCallerIdentity with the account {quoted(account)}, which is"
            " not a 12-digit account ID: the organization could not be read",
            hint="Run again; if the answer stays the same, an endpoint or proxy may be"
            " altering it.",
        )
    arn = parse_arn(identity.get("Arn", "") if isinstance(identity.get("Arn"), str) else "")
    return account, arn.partition if arn else "aws"


def _describe_organization(orgs: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        organization = orgs.describe_organization().get("Organization")
    except (ClientError, BotoCoreError) as error:
        _raise_if_unavailable(error)
        if error_code(error) == "AWSOrganizationsNotInUseException":
            raise CollectionError(
                "this account is not a member of an AWS Organization",
                hint="Scan it without --org.",
            ) from None
        raise CollectionError(
            f"cannot describe the organization: {error_reason(error)}",
            hint="Run with management-account or delegated-administrator credentials "
            "allowed organizations:DescribeOrganization and organizations:ListAccounts.",
        ) from None
    return organization


def _list_accounts(orgs: Any) -> list[MemberAccount]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        pages = list(orgs.get_paginator("list_accounts").paginate())
    except (ClientError, BotoCoreError) as error:
        _raise_if_unavailable(error)
        raise CollectionError(
            f"cannot list the organization's accounts: {error_reason(error)}",
            hint="Management-account or delegated-administrator credentials need "
            "organizations:ListAccounts.",
        ) from None
    return member_accounts(pages)


def _select(
    members: list[MemberAccount],
    accounts: Collection[str] | None,
    exclude_accounts: Collection[str] | None,
    shard: Shard | None = None,
) -> tuple[list[MemberAccount], list[tuple[MemberAccount, str]]]:
    known = {m.id for m in members}
    wanted = set(accounts or ())
    excluded = set(exclude_accounts or ())
    for label, ids in (("--accounts", wanted), ("--exclude-accounts", excluded)):
        invalid = sorted(i for i in ids if not is_account_id(i))
        if invalid:
            raise KeylessError(
                f"{label}: not a 12-digit account ID: {', '.join(invalid)}",
                hint="Give account IDs, comma-separated.",
            )
        unknown = sorted(ids - known)
        if unknown:
            raise KeylessError(
                f"{label}: not in the organization: {', '.join(unknown)}",
                hint="`aws organizations list-accounts` lists the organization's accounts.",
            )
    selected: list[MemberAccount] = []
    skipped: list[tuple[MemberAccount, str]] = []
    for member in members:
        if member.id in excluded:
            skipped.append((member, EXCLUDED))
        elif wanted and member.id not in wanted:
            skipped.append((member, NOT_SELECTED))
        elif member.unreadable is None and not member.is_active:
            skipped.append((member, f"account is {member.state} in AWS Organizations"))
        elif shard is not None and not shard.owns(member.id):
            owner = shard_of(member.id, shard.count)
            skipped.append((member, OTHER_SHARD.format(index=owner, count=shard.count)))
        elif member.unreadable is not None:
            skipped.append((member, member.unreadable))  # unread: see _left_out
        else:
            selected.append(member)
    return selected, skipped


def _left_out(member: MemberAccount, reason: str, partition: str) -> Account:
    """An account not collected: skipped on purpose, or unread (failed) when what AWS
    Organizations says of it cannot be read (:attr:`MemberAccount.unreadable`)."""
    return Account(
        id=member.id,
        name=member.name,
        email=member.email,
        partition=partition,
        status=AccountStatus.FAILED if reason == member.unreadable else AccountStatus.SKIPPED,
        error=reason,
    )


def _collect_members(
    members: list[MemberAccount],
    collect: Callable[[MemberAccount], Account],
    max_workers: int,
    progress: ProgressCallback | None,
) -> list[Account]:
    done = failed = 0
    results: list[Account] = []
    if progress:
        progress(0, 0, len(members))
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="keyless-org")
    try:
        futures: dict[Future[Account], MemberAccount] = {
            pool.submit(collect, member): member for member in members
        }
        for future in as_completed(futures):
            account = future.result()  # _collect_member never raises
            results.append(account)
            if account.status is AccountStatus.FAILED:
                failed += 1
                # Reported once, with the account, by whoever renders the inventory.
                log.debug("account %s: %s", account.id, account.error)
            else:
                done += 1
            if progress:
                progress(done, failed, len(members) - done - failed)
    except BaseException:
        # Ctrl-C (or any failure here): accounts not yet started are cancelled instead of
        # collected for nothing; those in flight end within their bounded timeouts.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


def _collect_member(
    session: boto3.Session,
    member: MemberAccount,
    caller_account: str,
    role: RoleAssumer,
    endpoint_url: str | None,
) -> Account:
    """Collect one account; every failure becomes a FAILED account, never an exception."""
    from botocore.exceptions import BotoCoreError, ClientError

    def failed(reason: str) -> Account:
        return Account(
            id=member.id,
            name=member.name,
            email=member.email,
            partition=role.partition,
            status=AccountStatus.FAILED,
            error=reason,
            collected_at=datetime.now(UTC),
        )

    try:
        try:
            member_session = open_member(session, member.id, caller_account, role)
        except (ClientError, BotoCoreError) as error:
            return failed(f"cannot assume {role.role_arn(member.id)}: {error_reason(error)}")
        account = collect_account(
            member_session,
            endpoint_url=endpoint_url,
            account_id=member.id,
            name=member.name,
            email=member.email,
        )
    except KeylessError as error:
        return failed(error.message)
    except Exception as error:  # one broken account must never stop the others
        log.debug("account %s failed", member.id, exc_info=True)
        return failed(f"{type(error).__name__}: {error}")
    details = account.dataset(Dataset.AUTHORIZATION_DETAILS)
    if details.state is DatasetState.FAILED:
        return replace(
            account, status=AccountStatus.FAILED, error=f"IAM could not be read: {details.reason}"
        )
    return account


def member_sessions(
    session: boto3.Session,
    account_ids: Collection[str],
    *,
    member_role: str = DEFAULT_MEMBER_ROLE,
    external_id: str | None = None,
    endpoint_url: str | None = None,
) -> tuple[dict[str, boto3.Session], dict[str, str]]:
    """Sessions into some accounts of the organization ``session`` manages, through the
    member role :func:`collect_organization` assumes (``keyless retire --org`` writes
    where ``keyless scan --org`` reads).

    Returns the sessions by account ID, and for each account that cannot be reached
    (not active, role not assumable) the reason. Raises :class:`CollectionError` when the
    organization cannot be read and :class:`KeylessError` for an ID that is not one of
    its accounts.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    caller_account, partition = _caller(session, endpoint_url)
    orgs = client(session, "organizations", endpoint_url)
    _describe_organization(orgs)
    members = {member.id: member for member in _list_accounts(orgs)}
    unknown = sorted(set(account_ids) - set(members))
    if unknown:
        raise KeylessError(
            f"not an account of the organization: {', '.join(unknown)}",
            hint="`aws organizations list-accounts` lists the organization's accounts.",
        )
    role = RoleAssumer(client(session, "sts", endpoint_url), partition, member_role, external_id)
    sessions: dict[str, boto3.Session] = {}
    unreachable: dict[str, str] = {}
    for account_id in sorted(set(account_ids)):
        member = members[account_id]
        if member.unreadable is not None:
            unreachable[account_id] = member.unreadable
            continue
        if not member.is_active:
            unreachable[account_id] = f"account is {member.state} in AWS Organizations"
            continue
        try:
            sessions[account_id] = open_member(session, account_id, caller_account, role)
        except (ClientError, BotoCoreError) as error:
            reason = error_reason(error)
            unreachable[account_id] = f"cannot assume {role.role_arn(account_id)}: {reason}"
    return sessions, unreachable


def _raise_if_unavailable(error: Exception) -> None:
    """AWS Organizations could not be reached, or kept answering with throttling or a
    server error: the estate could not be read (exit 3), nothing the user must fix. A
    denial or an account outside any organization stays a usage error (exit 2)."""
    found = unreachable(error, "Organizations")
    if found is not None:
        raise found from None
    if error_code(error) in TROUBLE_CODES:
        raise AwsUnavailable(
            f"AWS Organizations answered {error_code(error)}: the organization could not be read",
            hint="AWS may be throttling or unavailable: try again later.",
        ) from None


def _code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", "Unknown"))
    return type(error).__name__
