"""Assuming the member role of an organization's accounts, and the boto3 sessions that
hold its temporary credentials (in memory only, never logged).

``keyless scan --org`` collects through these sessions and ``keyless retire --org`` writes
through them (:func:`keyless.collect.live.organization.member_sessions`).
"""

from __future__ import annotations

import copy
import logging
import random
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from keyless.collect.live.failures import THROTTLING_CODES
from keyless.model.arn import role_arn

if TYPE_CHECKING:
    import boto3

log = logging.getLogger(__name__)

SESSION_NAME = "keyless"

#: AssumeRole is retried by botocore's adaptive mode; on top of it keyless retries a
#: throttled AssumeRole this many times with full-jitter exponential backoff, because
#: STS throttles per calling account and a wide fan-out hits that limit first.
#: https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
ASSUME_ATTEMPTS = 5
ASSUME_BACKOFF_BASE = 0.25
ASSUME_BACKOFF_CAP = 8.0

_jitter = random.SystemRandom()
# Building a session touches the shared data loader's search path: one at a time.
_SESSION_LOCK = threading.Lock()


class RoleAssumer:
    """Assumes the member role; one shared STS client (clients are thread-safe)."""

    def __init__(self, sts: Any, partition: str, role: str, external_id: str | None) -> None:
        self._sts = sts
        self.partition = partition
        self._role = role
        self._external_id = external_id

    def role_arn(self, account_id: str) -> str:
        """The member role's ARN in ``account_id``."""
        return role_arn(account_id, self._role, partition=self.partition)

    def credentials(self, account_id: str) -> Mapping[str, Any]:
        """Temporary credentials for the member role; raises the last ClientError."""
        from botocore.exceptions import ClientError

        arguments: dict[str, Any] = {
            "RoleArn": self.role_arn(account_id),
            "RoleSessionName": SESSION_NAME,
        }
        if self._external_id:
            arguments["ExternalId"] = self._external_id
        for attempt in range(1, ASSUME_ATTEMPTS + 1):
            try:
                credentials: Mapping[str, Any] = self._sts.assume_role(**arguments)["Credentials"]
            except ClientError as error:
                if error_code(error) not in THROTTLING_CODES or attempt == ASSUME_ATTEMPTS:
                    raise
                delay = _jitter.uniform(
                    0, min(ASSUME_BACKOFF_CAP, ASSUME_BACKOFF_BASE * 2**attempt)
                )
                log.debug("AssumeRole in %s throttled; retrying in %.2fs", account_id, delay)
                time.sleep(delay)
            else:
                return credentials
        raise AssertionError("unreachable")  # pragma: no cover


def open_member(
    session: boto3.Session, account_id: str, caller_account: str, role: RoleAssumer
) -> boto3.Session:
    """A session into a member account: ``session`` itself for the caller's own account,
    the member role's credentials otherwise (raises the ClientError of AssumeRole)."""
    if account_id == caller_account:
        return session
    return member_session_from(session, role.credentials(account_id))


def member_session_from(parent: boto3.Session, credentials: Mapping[str, Any]) -> boto3.Session:
    """A new boto3 Session holding ``credentials`` (in memory only).

    The new session inherits a copy of ``parent``'s event handlers, so a handler a
    caller registered on the management session (metrics, logging, test fakes) also
    sees the member accounts' calls. It shares ``parent``'s data loader, whose cache of
    parsed service models is what makes a new session cost ~5 ms instead of ~130 ms.
    """
    import boto3
    import botocore.session

    parent_core = parent._session
    loader = parent_core.get_component("data_loader")
    with _SESSION_LOCK:
        core = botocore.session.Session(
            event_hooks=copy.copy(parent_core.get_component("event_emitter")),
            include_builtin_handlers=False,
        )
        core.register_component("data_loader", loader)
        search_paths = list(loader.search_paths)
        member = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=parent.region_name,
            botocore_session=core,
        )
        # boto3 appends its data directory to the loader's search path on every new
        # Session; with a shared loader that would grow by one entry per account.
        loader.search_paths[:] = search_paths
    return member


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", "Unknown"))
    return type(error).__name__


def error_reason(error: Exception) -> str:
    """``Code (message)`` for a ClientError, the exception's name and text otherwise."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        details = response.get("Error", {})
        message = details.get("Message", "")
        code = details.get("Code", "Unknown")
        return f"{code} ({message})" if message else str(code)
    return f"{type(error).__name__}: {error}"
