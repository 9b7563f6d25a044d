"""A retire run in a process of its own, killed with SIGKILL by itself at its N-th AWS
call (right after the call returned): nothing of keyless runs after that instant, not
even a ``finally``. Run by tests/retire/test_server.py against the moto server::

    python -m tests.retire.crash_child '{"endpoint": ..., "journal": ..., ...}'
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3

from keyless.retire import RetireRequest, Selection, SessionReach, retire
from tests.retire.conftest import NO_CREDENTIALS
from tests.retire.estate import REGION
from tests.retire.stubs import Stubbed


def main(arguments: dict[str, Any]) -> None:
    # The emulated account of the test's own (tests.loopback.own_account_credentials).
    credentials = arguments["credentials"]
    boto = boto3.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
        region_name=REGION,
    )
    Stubbed(boto, "iam").always("ListServiceSpecificCredentials", NO_CREDENTIALS)
    calls = 0

    def kill(**_: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == arguments["kill_at"]:
            os.kill(os.getpid(), signal.SIGKILL)

    boto.events.register("after-call.*.*", kill)
    now = datetime.fromisoformat(arguments["now"])
    request = RetireRequest(
        Selection.from_options(arguments["users"], arguments["keys"]),
        apply=True,
        journal=Path(arguments["journal"]),
    )
    retire(request, SessionReach(boto, endpoint_url=arguments["endpoint"]), clock=lambda: now)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
