"""Operations moto lacks, answered by botocore's Stubber.

A Stubber answers every call of the client it wraps, so it cannot share a client with
moto. :class:`Stubbed` gives the Stubber a client of its own and, through the session's
event hooks, sends it only the chosen operations of every client the session (and its
member sessions) makes: ``before-parameter-build`` keeps the call's parameters,
``before-call`` replays them on the stubbed client and returns its answer. Everything
else still goes to moto. Responses and expected parameters are validated by Stubber
against the service model, as with any Stubber.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber


class Stubbed:
    """Chosen operations of one service, answered by a Stubber."""

    def __init__(self, session: boto3.Session, service: str) -> None:
        self._session = session
        self._service = service
        self.client = boto3.Session(
            aws_access_key_id="stub",
            aws_secret_access_key="stub",
            region_name=session.region_name or "us-east-1",
        ).client(service)
        self.stubber = Stubber(self.client)
        self.stubber.activate()
        self._routed: set[str] = set()
        self._always: dict[str, Mapping[str, Any]] = {}
        self._queued = 0
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def add_response(
        self, operation: str, response: Mapping[str, Any], expected: Mapping[str, Any] | None = None
    ) -> None:
        """Answer the next call of ``operation`` with ``response``."""
        self._route(operation)
        self.stubber.add_response(xform_name(operation), dict(response), expected)
        self._queued += 1

    def add_error(self, operation: str, code: str, message: str = "", status: int = 400) -> None:
        """Fail the next call of ``operation`` with ``code``."""
        self._route(operation)
        self.stubber.add_client_error(xform_name(operation), code, message, http_status_code=status)
        self._queued += 1

    def always(self, operation: str, response: Mapping[str, Any]) -> None:
        """Answer every call of ``operation`` with ``response`` (when nothing else is
        queued)."""
        self._route(operation)
        self._always[operation] = response

    def _route(self, operation: str) -> None:
        if operation in self._routed:
            return
        self._routed.add(operation)
        events = self._session.events
        events.register(f"before-parameter-build.{self._service}.{operation}", self._remember)
        events.register(f"before-call.{self._service}.{operation}", self._answer)

    @staticmethod
    def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["stubbed-params"] = dict(params)

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> Any:
        params = context["stubbed-params"]
        self.calls.append((model.name, params))
        if self._queued:
            self._queued -= 1
        elif model.name in self._always:
            self.stubber.add_response(xform_name(model.name), dict(self._always[model.name]))
        parsed = getattr(self.client, xform_name(model.name))(**params)
        return AWSResponse("https://stubbed.invalid/", 200, {}, None), parsed


def remember_params(session: boto3.Session) -> None:
    """Keep every call's API parameters in its context, where ``after-call`` handlers
    (which are not given them) find them."""

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["api-params"] = dict(params)

    session.events.register("before-parameter-build.*.*", remember, unique_id="api-params")


class Boundaries:
    """User permissions boundaries, which moto does not keep (``PutUserPermissionsBoundary``
    fails and ``GetUser`` never shows one). The writes are answered by Stubber; their
    effect is kept here and shown in ``GetUser``'s answers, as IAM would."""

    def __init__(self, session: boto3.Session, stub: Stubbed) -> None:
        self.arns: dict[str, str] = {}
        stub.always("PutUserPermissionsBoundary", {})
        stub.always("DeleteUserPermissionsBoundary", {})
        remember_params(session)
        events = session.events
        events.register("after-call.iam.GetUser", self._show)
        events.register("after-call.iam.PutUserPermissionsBoundary", self._put)
        events.register("after-call.iam.DeleteUserPermissionsBoundary", self._delete)
        events.register("after-call.iam.DeleteUser", self._delete)

    def _show(self, parsed: dict[str, Any], **_: Any) -> None:
        user = parsed.get("User")
        if user and user.get("UserName") in self.arns:
            user["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": self.arns[user["UserName"]],
            }

    def _put(self, context: dict[str, Any], **_: Any) -> None:
        params = context["api-params"]
        self.arns[params["UserName"]] = params["PermissionsBoundary"]

    def _delete(self, context: dict[str, Any], http_response: Any, **_: Any) -> None:
        if http_response.status_code < 300:
            self.arns.pop(context["api-params"]["UserName"], None)


READS = ("Get", "List", "Lookup", "Describe", "Generate")


class Calls:
    """Every AWS call a session's clients make, in order: (operation, parameters, HTTP
    status), recorded after each call."""

    def __init__(self, session: boto3.Session) -> None:
        self.made: list[tuple[str, dict[str, Any], int]] = []
        remember_params(session)
        session.events.register("after-call.*.*", self._record)

    def _record(self, model: Any, context: dict[str, Any], http_response: Any, **_: Any) -> None:
        self.made.append((model.name, context.get("api-params", {}), http_response.status_code))

    def changes(self) -> list[tuple[str, dict[str, Any]]]:
        """The successful calls that change something, in order."""
        return [
            (name, arguments)
            for name, arguments, code in self.made
            if code < 300 and not name.startswith(READS)
        ]

    def names(self) -> list[str]:
        """The successful changing calls' operation names."""
        return [name for name, _ in self.changes()]
