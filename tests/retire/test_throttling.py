"""IAM throttles per account: a throttled change is retried with backoff (botocore's
adaptive mode, one rate limiter per account's client) and made once."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse

from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user

THROTTLED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
    b"<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"
)


class Throttle:
    """Answers the first ``times`` sends of an operation with HTTP 400 Throttling, before
    the emulator sees them (as AWS would, before doing anything)."""

    def __init__(self, world: World, operation: str, times: int) -> None:
        self.left = times
        self.sends = 0
        world.estate.session.events.register_first(f"before-send.iam.{operation}", self._send)

    def _send(self, request: Any, **_: Any) -> AWSResponse | None:
        self.sends += 1
        if self.left:
            self.left -= 1
            return AWSResponse(request.url, 400, {}, _Raw(THROTTLED))
        return None


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def test_a_throttled_change_is_retried_and_made_once(world: World) -> None:
    world.estate.add(Person("ci", keys=(Key(),)))
    throttle = Throttle(world, "UpdateAccessKey", 2)

    report = world.retire("ci")

    assert [s.status for s in report.steps if s.label == "deactivate-key"] == [StepStatus.DONE]
    assert throttle.sends == 3
    assert describe_user(world.estate.iam, "ci")["keys"][0][1] == "Inactive"
