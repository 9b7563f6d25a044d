"""The live collector for one AWS account.

A fixed number of API calls whatever the size of the account: the paginated
``GetAccountAuthorizationDetails`` (users, groups, roles, policies and every document),
the credential report (keys, passwords, MFA, root), and a handful of small listings.
Every failed call is recorded in ``Account.failed_calls`` and marks the sources it feeds
as failed; nothing is swallowed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from keyless.collect.formats import values
from keyless.collect.formats.auth_details import (
    AuthDetails,
    DetailsError,
    build_users,
    left_out_notes,
)
from keyless.collect.formats.credential_report import CredentialReport, parse_credential_report
from keyless.collect.formats.names import checked_name
from keyless.collect.live.answers import converted, iam_pages
from keyless.collect.live.failures import (
    CONNECT_TIMEOUT,
    CREDENTIALS_REFUSED,
    PROBE_ATTEMPTS,
    PROBE_READ_TIMEOUT,
    error_code,
    no_credentials,
    reaching_failure,
    unreachable,
)
from keyless.collect.live.listings import mfa_devices, oidc_providers, saml_providers
from keyless.collect.live.unreported import complete_report
from keyless.errors import CollectionError, InputError, quoted
from keyless.model import (
    AVAILABLE,
    Account,
    Dataset,
    DatasetState,
    DatasetStatus,
    FailedCall,
)
from keyless.model.arn import is_account_id

if TYPE_CHECKING:
    import boto3

log = logging.getLogger(__name__)

#: Adaptive retries back off on throttling (IAM's request rate is low and account-wide).
#: ``max_attempts`` counts retries after the first request (``total_max_attempts`` would
#: count it too). https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html
RETRIES = {"mode": "adaptive", "max_attempts": 10}

#: Seconds to wait for a connection: ``failures.CONNECT_TIMEOUT`` (5 s, not botocore's 60).
#: Seconds to wait for an answer (botocore's default): a large account's authorization
#: details page can take tens of seconds to produce.
READ_TIMEOUT = 60.0

#: The first call of a collection tells whether AWS can be reached at all. It is tried
#: twice, not ten times: an unreachable endpoint is said once, within seconds, instead of
#: being retried silently for most of a minute.
PROBE_RETRIES = {"mode": "standard", "total_max_attempts": PROBE_ATTEMPTS}

Step = Callable[[str], None]

#: How long to wait for AWS to generate the credential report before giving up.
REPORT_TIMEOUT = 300.0


def make_session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    """A boto3 session from the standard credential chain (environment, shared files,
    SSO, container and instance roles), optionally for a named ``profile``."""
    import boto3  # only when AWS is used: importing boto3 takes ~0.3 s
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except BotoCoreError as error:  # ProfileNotFound, a malformed ~/.aws/config, ...
        raise CollectionError(
            f"cannot set up an AWS session: {error}",
            hint="Check --profile against ~/.aws/config (`aws configure list-profiles`).",
        ) from None


def client(
    session: boto3.Session, service: str, endpoint_url: str | None = None, *, probe: bool = False
) -> Any:
    """A client with keyless's timeouts and retries (``probe``: the first call's, see
    :data:`PROBE_RETRIES`). With no ``endpoint_url`` botocore itself honours
    ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``.
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html"""
    from botocore.config import Config

    config = Config(
        retries=PROBE_RETRIES if probe else RETRIES,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=PROBE_READ_TIMEOUT if probe else READ_TIMEOUT,
        user_agent_extra="keyless",
    )
    made = _new_client(session, service, endpoint_url, config)
    if service == "iam":
        # botocore decodes IAM's URL-encoded policy documents with json.loads, which keeps
        # the last of a key given twice silently. keyless decodes them itself, as it does a
        # raw page of an export (keyless.collect.formats.auth_details.document), so such a
        # document is reported, never judged (keyless.duplicate_keys.refuse_duplicate_keys). The
        # handler is removed from this client's own copy of the session's events.
        from botocore.handlers import json_decode_policies

        made.meta.events.unregister("after-call.iam", json_decode_policies)
    return made


def _new_client(session: boto3.Session, service: str, endpoint_url: str | None, config: Any) -> Any:
    """``session.client(…)``, whose credentials botocore loads there: a profile it cannot
    load (a ``credential_process`` that fails or prints no JSON, an ``sso_session`` or
    ``source_profile`` that is not in the file), or a setting it cannot use
    (``AWS_ENDPOINT_URL=notaurl``, ``AWS_METADATA_SERVICE_TIMEOUT=x``) was a traceback and
    exit 1, which a CI job reads as "findings". It is a :class:`CollectionError` saying
    why (exit 2)."""
    import json

    from botocore.exceptions import BotoCoreError

    try:
        return session.client(service, endpoint_url=endpoint_url, config=config)
    except BotoCoreError as error:
        raise reaching_failure(error, service.upper()) or CollectionError(
            f"cannot call AWS {service.upper()}: {error}"
        ) from None
    except json.JSONDecodeError as error:  # botocore reads credential_process output so
        raise CollectionError(
            "the AWS credentials could not be loaded: the profile's credential_process"
            f" printed no JSON ({error.msg} at line {error.lineno}, column {error.colno})",
            hint="Run the profile's credential_process by hand, or choose another --profile.",
        ) from None
    except ValueError as error:  # a setting botocore cannot use: AWS_ENDPOINT_URL=x, …
        raise CollectionError(
            f"cannot set up an AWS {service.upper()} client: {error}",
            hint="Check the AWS_* environment variables (AWS_ENDPOINT_URL, timeouts, "
            "retries) and the profile in ~/.aws/config.",
        ) from None


def caller_identity(session: boto3.Session, endpoint_url: str | None = None) -> Any:
    """``sts:GetCallerIdentity`` as the probe that AWS can be reached.

    Raises, once and naming the endpoint, :class:`~keyless.errors.AwsUnavailable` (exit
    code 3) when AWS cannot be reached (refused, timed out, closed, TLS failure) and
    :class:`CollectionError` (exit code 2) when there are no credentials or AWS refuses
    them (:mod:`keyless.collect.live.failures`). Other answers (throttled after the
    retries, unavailable) propagate as botocore raised them, for the caller to record.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    sts = client(session, "sts", endpoint_url, probe=True)
    try:
        return sts.get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        code = error_code(error)
        failure = reaching_failure(error, "STS")
        if failure is None or (code is not None and code not in CREDENTIALS_REFUSED):
            raise
        raise failure from None


@dataclass(slots=True)
class CallRecorder:
    """Runs calls, turning each failure into a FailedCall. Shared by the collectors;
    thread-safe (``list.append`` is atomic)."""

    failed: list[FailedCall] = field(default_factory=list)

    def call(
        self,
        service: str,
        operation: str,
        function: Callable[[], Any],
        *,
        missing_ok: bool = False,
    ) -> Any:
        """``function()``, or ``None`` with the failure recorded. With ``missing_ok`` a
        ``ResourceNotFoundException`` is an answer (``None``), not a failure."""
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            NoCredentialsError,
        )

        try:
            return function()
        except NoCredentialsError:
            raise no_credentials() from None
        except ClientError as error:
            details = error.response.get("Error", {})
            if missing_ok and details.get("Code") == "ResourceNotFoundException":
                return None
            failure = FailedCall(
                service, operation, details.get("Code", "Unknown"), details.get("Message", "")
            )
        except BotoCoreError as error:
            failure = FailedCall(service, operation, type(error).__name__, str(error))
        except DetailsError as error:
            self.unreadable(service, operation, error)
            return None
        self._record(failure)
        return None

    def unreadable(self, service: str, operation: str, error: DetailsError) -> None:
        """Record that AWS answered ``operation`` with something the converter cannot
        read: like a failed call, never shown as a complete account."""
        self._record(
            FailedCall(service, operation, "UnreadableResponse", f"{error} at {error.pointer}")
        )

    def _record(self, failure: FailedCall) -> None:
        # Reported once, by whoever renders the account (the report, `collect`'s summary).
        log.debug("%s", failure.describe())
        self.failed.append(failure)

    def last_reason(self) -> str:
        """The last failure, described."""
        return self.failed[-1].describe()


def collect_account(
    session: boto3.Session,
    *,
    endpoint_url: str | None = None,
    account_id: str | None = None,
    name: str | None = None,
    email: str | None = None,
    report_timeout: float = REPORT_TIMEOUT,
    on_step: Step | None = None,
) -> Account:
    """Read one account's IAM estate through ``session``.

    ``account_id`` skips ``sts:GetCallerIdentity`` (the organization fan-out knows it and
    has already reached AWS); otherwise that call is the probe of :func:`caller_identity`.
    ``name`` and ``email`` come from AWS Organizations when known. ``on_step(text)`` is
    told what is being read (for a waiting message). Raises :class:`CollectionError` only
    when nothing can be read at all (unreachable, no credentials, or no way to learn the
    account ID); every other failure is recorded in the result.
    """
    step = on_step or (lambda _text: None)
    started = datetime.now(UTC)
    calls = CallRecorder()
    iam = client(session, "iam", endpoint_url)
    if account_id is None:
        step("contacting AWS (sts:GetCallerIdentity)")
        account_id = calls.call(
            "sts",
            "GetCallerIdentity",
            lambda: _caller_account(caller_identity(session, endpoint_url)),
        )

    alias = calls.call(
        "iam",
        "ListAccountAliases",
        lambda: _alias(_reach_iam(client(session, "iam", endpoint_url, probe=True))),
    )
    sources: dict[Dataset, DatasetStatus] = {}
    details = AuthDetails()
    step("reading users, groups, roles and policies (iam:GetAccountAuthorizationDetails)")
    pages = calls.call("iam", "GetAccountAuthorizationDetails", lambda: _read_details(iam, details))
    if pages is None:
        sources[Dataset.AUTHORIZATION_DETAILS] = DatasetStatus(
            DatasetState.FAILED, calls.last_reason()
        )
        details = AuthDetails()  # never analyse half an account as if it were whole
    else:
        sources[Dataset.AUTHORIZATION_DETAILS] = AVAILABLE
        details.referenced_aws_policies()

    account_id = account_id or details.account_id
    if account_id is None:
        raise CollectionError(
            "could not determine the account ID",
            hint="; ".join(f.describe() for f in calls.failed),
        )

    step("waiting for the credential report (iam:GenerateCredentialReport)")
    report = _credential_report(iam, calls, sources, report_timeout)
    step("reading MFA devices and identity providers")
    mfa = mfa_devices(iam, calls, sources)
    oidc = oidc_providers(iam, calls, sources)
    saml = saml_providers(iam, calls, sources)
    if report is not None and pages is not None:
        step("reading the users the credential report has no row for")
        report = complete_report(iam, calls, report, details.raw_users)
    try:
        users = build_users(details.raw_users, report, mfa, details_read=pages is not None)
    except DetailsError as error:
        # A user AWS answered with that cannot be read fails the whole source, as an
        # unreadable page does (recorded by the same path: exit code 3, no traceback).
        calls.unreadable("iam", "GetAccountAuthorizationDetails", error)
        sources[Dataset.AUTHORIZATION_DETAILS] = DatasetStatus(
            DatasetState.FAILED, calls.last_reason()
        )
        pages, details = None, AuthDetails()
        users = build_users([], report, mfa, details_read=False)
    if report is not None and pages is not None:
        sources[Dataset.CREDENTIAL_REPORT] = report.status_for(users)
    return Account(
        id=account_id,
        alias=alias,
        name=name,
        email=email,
        partition=session.get_partition_for_region(session.region_name or "us-east-1"),
        users=users,
        groups=tuple(details.groups),
        roles=tuple(details.roles),
        policies=tuple(details.policies),
        oidc_providers=oidc,
        saml_providers=saml,
        root=report.root if report else None,
        datasets=MappingProxyType(sources),
        failed_calls=tuple(calls.failed),
        collected_at=started,
        notes=left_out_notes(users, report, mfa),
    )


def _reach_iam(probe: Any) -> Any:
    """``iam:ListAccountAliases`` first, with the probe's patience. IAM has one global
    endpoint, which a network may block while STS (regional, often a VPC endpoint)
    answers: then nothing of the account can be read, said once (exit code 3), instead of
    every IAM call retried for minutes. Other failures are recorded like any call's."""
    from botocore.exceptions import BotoCoreError

    try:
        return probe.list_account_aliases()
    except BotoCoreError as error:
        found = unreachable(error, "IAM")
        if found is None:
            raise
        raise found from None


def _read_details(iam: Any, details: AuthDetails) -> int:
    # No Filter: users, groups, roles, local policies and the AWS managed policies that
    # are attached to something, in one paginated call.
    count = 0
    for count, page in enumerate(iam_pages(iam, "get_account_authorization_details"), start=1):
        details.add_page(page, count - 1)
    return count


def _credential_report(
    iam: Any, calls: CallRecorder, sources: dict[Dataset, DatasetStatus], timeout: float
) -> CredentialReport | None:
    report: CredentialReport | None = calls.call(
        "iam", "GetCredentialReport", lambda: _fetch_report(iam, timeout)
    )
    if report is None:
        failed = DatasetStatus(DatasetState.FAILED, calls.last_reason())
        sources[Dataset.CREDENTIAL_REPORT] = sources[Dataset.ROOT] = failed
        return None
    sources[Dataset.CREDENTIAL_REPORT] = AVAILABLE
    sources[Dataset.ROOT] = report.root_status
    return report


def _fetch_report(iam: Any, timeout: float) -> CredentialReport:
    """Generate, wait for, fetch and decode the report.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateCredentialReport.html"""
    from botocore.exceptions import ClientError

    deadline = time.monotonic() + timeout
    delay = 0.25
    while True:
        state = iam.generate_credential_report().get("State")
        if state == "COMPLETE":
            try:
                content = iam.get_credential_report().get("Content")
                break
            except ClientError as error:
                # Expired or regenerated between the two calls: generate again.
                if error.response.get("Error", {}).get("Code") not in (
                    "ReportInProgress",
                    "ReportExpired",
                    "ReportNotPresent",
                ):
                    raise
        if time.monotonic() + delay > deadline:
            raise ClientError(
                {"Error": {"Code": "Timeout", "Message": f"report not ready after {timeout}s"}},
                "GenerateCredentialReport",
            )
        time.sleep(delay)
        delay = min(delay * 2, 8.0)
    if not isinstance(content, bytes | str):
        raise DetailsError("the answer holds no report", "/Content")
    try:
        return parse_credential_report(content, where="GetCredentialReport")
    except InputError as error:
        # AWS answered with a report keyless cannot read: the report is unread (a failed
        # call, exit code 3), never the user's input (exit code 2, nothing collected).
        raise DetailsError(error.message, "/Content") from None


def _caller_account(answer: Any) -> str:
    def read() -> str:
        account = values.text(values.obj(answer, "GetCallerIdentity"), "Account")
        if not is_account_id(account):
            raise ValueError(f"Account {quoted(account)} is not a 12-digit account ID")
        return account

    return converted(read, "/Account")


def _alias(answer: Any) -> str | None:
    found = converted(
        lambda: values.texts(answer.get("AccountAliases"), "AccountAliases"), "/AccountAliases"
    )
    if not found:
        return None
    # One IAM never accepts (a line break, capitals) becomes a profile and file name, and
    # makes the snapshot unreadable: an unreadable answer, as a snapshot refuses it.
    return converted(lambda: checked_name("AccountAlias", found[0]), "/AccountAliases/0")
