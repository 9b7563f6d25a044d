"""How retire reaches the accounts it acts in: the account the credentials belong to, the
member accounts of an organization (through the member role ``scan --org`` assumes), or
sessions handed over by the caller (the demo, tests).

An account that cannot be reached is returned with the reason, never skipped silently:
the run reports it and exits 3.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from keyless.errors import CollectionError, KeylessError
from keyless.retire.aws import AccountApi
from keyless.retire.selection import SelectionError

if TYPE_CHECKING:
    import boto3


class AccountUnreachable(KeylessError):
    """AWS answered, but would not say which account the credentials belong to (exit 3:
    the account could not be read, so nothing is reported as done or clean)."""

    exit_code = 3


@dataclass(frozen=True, slots=True)
class Opened:
    """The accounts a run can act in, and why each of the others cannot be reached."""

    apis: Mapping[str, AccountApi]
    unreachable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


class Reach(Protocol):
    """A way to reach accounts."""

    def default_account(self) -> str | None:
        """The account a target without one means (``None``: every target names one)."""

    def open(self, accounts: Collection[str]) -> Opened:
        """Sessions into ``accounts``."""


class SessionReach:
    """The one account a session's credentials belong to."""

    def __init__(self, session: boto3.Session, *, endpoint_url: str | None = None) -> None:
        self._session = session
        self._endpoint_url = endpoint_url
        self._account: str | None = None
        self._api: AccountApi | None = None

    def default_account(self) -> str:
        if self._account is None:
            from botocore.exceptions import BotoCoreError, ClientError

            from keyless.collect.live.account import caller_identity

            try:
                # The probe, as for `keyless scan` (docs/scan.md#reaching-aws): an endpoint
                # that cannot be reached is said once, exit 3; no credentials, or
                # credentials AWS refuses, exit 2.
                identity = caller_identity(self._session, self._endpoint_url)
            except ClientError as error:  # AWS answered, but not with the account
                code = error.response.get("Error", {}).get("Code", "Unknown")
                raise AccountUnreachable(
                    f"cannot identify the account: {code}",
                    hint="Check the credentials (--profile, AWS_PROFILE, SSO login).",
                ) from None
            except BotoCoreError as error:  # no region, a malformed configuration
                raise CollectionError(
                    f"cannot call AWS: {error}", hint="Check --region and --profile."
                ) from None
            self._account = str(identity["Account"])
        return self._account

    def open(self, accounts: Collection[str]) -> Opened:
        own = self.default_account()
        others = sorted(set(accounts) - {own})
        if others:
            raise SelectionError(
                f"account {', '.join(others)} is not the account the credentials reach ({own})",
                hint="Use --org to act in the member accounts of an organization.",
            )
        if self._api is None:
            self._api = AccountApi(self._session, own, endpoint_url=self._endpoint_url)
        return Opened(MappingProxyType({own: self._api}))


class OrganizationReach:
    """Member accounts of the organization a management (or delegated administrator)
    session belongs to, through the member role."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        member_role: str = "OrganizationAccountAccessRole",
        external_id: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self._session = session
        self._member_role = member_role
        self._external_id = external_id
        self._endpoint_url = endpoint_url

    def default_account(self) -> None:
        return None

    def open(self, accounts: Collection[str]) -> Opened:
        from keyless.collect.live.organization import member_sessions

        sessions, unreachable = member_sessions(
            self._session,
            accounts,
            member_role=self._member_role,
            external_id=self._external_id,
            endpoint_url=self._endpoint_url,
        )
        apis = {
            account: AccountApi(session, account, endpoint_url=self._endpoint_url)
            for account, session in sessions.items()
        }
        return Opened(MappingProxyType(apis), MappingProxyType(dict(unreachable)))


class SessionsReach:
    """Sessions by account ID, given by the caller; one of them may be the default."""

    def __init__(
        self,
        sessions: Mapping[str, boto3.Session],
        *,
        default: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self._apis = {
            account: AccountApi(session, account, endpoint_url=endpoint_url)
            for account, session in sessions.items()
        }
        self._default = default

    def default_account(self) -> str | None:
        return self._default

    def open(self, accounts: Collection[str]) -> Opened:
        unknown = sorted(set(accounts) - set(self._apis))
        if unknown:
            raise SelectionError(f"no session for account {', '.join(unknown)}")
        return Opened(MappingProxyType({a: self._apis[a] for a in sorted(set(accounts))}))
