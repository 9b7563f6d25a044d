"""retire against the moto server (a real HTTP endpoint on loopback): an organization's
member accounts reached through the member role, an account that cannot be reached
reported (exit 3), and a run killed with SIGKILL in a process of its own that resumes to
the state an uninterrupted run reaches."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from keyless.retire import (
    Journal,
    OrganizationReach,
    RetireRequest,
    Selection,
    SessionReach,
    StepStatus,
    retire,
)
from tests.loopback import moto_server
from tests.retire.conftest import NO_CREDENTIALS
from tests.retire.estate import Estate, Key, Person, describe_user, session
from tests.retire.stubs import Stubbed

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = (
    Person(
        "alice",
        keys=(Key(), Key(age=800, used=None, active=False)),
        groups=("devs",),
        console=True,
        password_used=90,
        mfa=True,
        policies=("read",),
    ),
    Person("bob", keys=(Key(age=300, used=60),), ssh_keys=1),
)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def _reset(endpoint: str) -> None:
    """Empty the server (its state outlives a test otherwise)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).read()  # a loopback URL this module started


@pytest.fixture
def fresh(endpoint: str) -> str:
    _reset(endpoint)
    return endpoint


def _session() -> boto3.Session:
    boto = session()
    Stubbed(boto, "iam").always("ListServiceSpecificCredentials", NO_CREDENTIALS)
    return boto


def _member(endpoint: str, account: str) -> Estate:
    sts = session().client("sts", endpoint_url=endpoint)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="seed",
    )["Credentials"]
    boto = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
    )
    return Estate(boto, datetime.now(UTC), account=account, endpoint_url=endpoint)


def test_an_organization_is_retired_account_by_account_and_a_denied_one_is_reported(
    fresh: str, tmp_path: Path
) -> None:
    orgs = session().client("organizations", endpoint_url=fresh)
    orgs.create_organization(FeatureSet="ALL")
    members = [
        orgs.create_account(AccountName=f"m{n}", Email=f"m{n}@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        for n in range(3)
    ]
    estates = [_member(fresh, account) for account in members]
    for estate in estates:
        estate.add(Person("ci", keys=(Key(),)))
    denied = members[2]
    management = _session()

    def refuse(params: dict[str, Any], **_: Any) -> Any:
        if denied in str(params.get("body", {}).get("RoleArn", "")):
            error = {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}
            return AWSResponse("https://sts.invalid/", 403, {}, None), {
                **error,
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }
        return None

    management.events.register("before-call.sts.AssumeRole", refuse)
    request = RetireRequest(
        Selection.from_options([f"{account}:ci" for account in members], []),
        apply=True,
        journal=tmp_path / "journal.sqlite",
    )

    report = retire(request, OrganizationReach(management, endpoint_url=fresh))

    for estate in estates[:2]:
        assert describe_user(estate.iam, "ci")["keys"][0][1] == "Inactive"
    assert describe_user(estates[2].iam, "ci")["keys"][0][1] == "Active"
    assert denied in report.unreachable
    assert [s.status for s in report.steps if s.account == denied] == [StepStatus.UNREAD]
    assert report.exit_code == 3


def _seed(endpoint: str, now: datetime, journal: Path) -> Estate:
    estate = Estate(session(), now, endpoint_url=endpoint)
    estate.add(*PEOPLE)
    _retire(estate, journal, now)  # the deactivations: the stage killed is the deletion
    return estate


def _retire(estate: Estate, journal: Path, when: datetime) -> Any:
    request = RetireRequest(
        Selection.from_options(["alice", "bob"], []), apply=True, journal=journal
    )
    reach = SessionReach(_session(), endpoint_url=estate.endpoint_url)
    return retire(request, reach, clock=lambda: when)


def _state(estate: Estate, journal: Path) -> tuple[Any, ...]:
    users = {name: describe_user(estate.iam, name) for name in ("alice", "bob")}
    with Journal.open(journal, writable=False) as read:  # type: ignore[union-attr]
        done = sorted(
            tuple(estate.label(part) for part in entry.action.subject)
            for entry in read.entries()
            if entry.state == "done"
        )
        pending = read.pending()
    return users, done, pending


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [1, 4, 9, 15, 22, 30, 38, 44])
def test_a_process_killed_with_sigkill_resumes_to_the_same_end(
    fresh: str, tmp_path: Path, kill_at: int
) -> None:
    now = datetime.now(UTC)
    later = now + timedelta(days=15)
    reference_journal = tmp_path / "reference.sqlite"
    reference = _seed(fresh, now, reference_journal)
    _retire(reference, reference_journal, later)
    expected = _state(reference, reference_journal)
    _reset(fresh)

    journal = tmp_path / "killed.sqlite"
    estate = _seed(fresh, now, journal)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.retire.crash_child",
            json.dumps(
                {
                    "endpoint": fresh,
                    "journal": str(journal),
                    "kill_at": kill_at,
                    "now": later.isoformat(),
                    "users": ["alice", "bob"],
                    "keys": [],
                }
            ),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    resumed = _retire(estate, journal, later)

    assert resumed.exit_code == 0
    users, done, pending = _state(estate, journal)
    assert pending == ()
    assert done == expected[1]
    assert _labelled(users, estate) == _labelled(expected[0], reference)


def _labelled(users: dict[str, Any], estate: Estate) -> dict[str, Any]:
    """Users with their key IDs (random per seeding) replaced by labels."""
    return {
        name: None
        if user is None
        else {**user, "keys": sorted((estate.label(k), s) for k, s in user["keys"])}
        for name, user in users.items()
    }
