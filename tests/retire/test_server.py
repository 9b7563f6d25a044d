"""retire against the moto server (a real HTTP endpoint on loopback): an organization's
member accounts reached through the member role, an account that cannot be reached
reported (exit 3), and a run killed with SIGKILL in a process of its own that resumes to
the state an uninterrupted run reaches.

Every test works in emulated accounts of its own (:func:`tests.loopback.own_account_credentials`):
the emulator's state is shared by every server of the process, so emptying it between tests
(moto's reset) would also wipe what other modules' tests had put there."""

from __future__ import annotations

import json
import subprocess
import sys
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
from tests.loopback import moto_server, own_account_credentials
from tests.retire.conftest import NO_CREDENTIALS
from tests.retire.estate import REGION, Estate, Key, Person, describe_user
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


@pytest.fixture(scope="module")
def bystander(endpoint: str) -> Any:
    """What another module's test holds in the shared emulator while these tests run: an
    IAM user of another account. Each test ends by checking it is still there."""
    iam = Own(endpoint).boto().client("iam", endpoint_url=endpoint)
    iam.create_user(UserName="bystander")
    return iam


def _assert_untouched(bystander: Any) -> None:
    assert bystander.get_user(UserName="bystander")["User"]["UserName"] == "bystander"


class Own:
    """An emulated account of this test's own: its ID and its credentials (the standard
    ``AWS_*`` variable names)."""

    def __init__(self, endpoint: str):
        self.credentials = own_account_credentials(endpoint)
        self.account: str = (
            self.boto().client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
        )

    def boto(self) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=self.credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.credentials["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=self.credentials["AWS_SESSION_TOKEN"],
            region_name=REGION,
        )


def _session(own: Own) -> boto3.Session:
    boto = own.boto()
    Stubbed(boto, "iam").always("ListServiceSpecificCredentials", NO_CREDENTIALS)
    return boto


def _member(owner: Own, endpoint: str, account: str) -> Estate:
    sts = owner.boto().client("sts", endpoint_url=endpoint)
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
    endpoint: str, tmp_path: Path, bystander: Any
) -> None:
    owner = Own(endpoint)
    orgs = owner.boto().client("organizations", endpoint_url=endpoint)
    orgs.create_organization(FeatureSet="ALL")
    members = [
        orgs.create_account(AccountName=f"m{n}", Email=f"m{n}@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        for n in range(3)
    ]
    estates = [_member(owner, endpoint, account) for account in members]
    for estate in estates:
        estate.add(Person("ci", keys=(Key(),)))
    denied = members[2]
    management = _session(owner)

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

    report = retire(request, OrganizationReach(management, endpoint_url=endpoint))

    for estate in estates[:2]:
        assert describe_user(estate.iam, "ci")["keys"][0][1] == "Inactive"
    assert describe_user(estates[2].iam, "ci")["keys"][0][1] == "Active"
    assert denied in report.unreachable
    assert [s.status for s in report.steps if s.account == denied] == [StepStatus.UNREAD]
    assert report.exit_code == 3
    _assert_untouched(bystander)


def _seed(own: Own, endpoint: str, now: datetime, journal: Path) -> Estate:
    estate = Estate(own.boto(), now, account=own.account, endpoint_url=endpoint)
    estate.add(*PEOPLE)
    _retire(own, estate, journal, now)  # the deactivations: the stage killed is the deletion
    return estate


def _retire(own: Own, estate: Estate, journal: Path, when: datetime) -> Any:
    request = RetireRequest(
        Selection.from_options(["alice", "bob"], []), apply=True, journal=journal
    )
    reach = SessionReach(_session(own), endpoint_url=estate.endpoint_url)
    return retire(request, reach, clock=lambda: when)


def _state(estate: Estate, journal: Path) -> tuple[Any, ...]:
    """The users, the actions done and those pending, with the account's ID replaced by
    ``ACCOUNT`` (two runs compared are in two accounts)."""
    users = {name: describe_user(estate.iam, name) for name in ("alice", "bob")}
    with Journal.open(journal, writable=False) as read:  # type: ignore[union-attr]
        done = sorted(
            tuple(
                estate.label(part).replace(estate.account, "ACCOUNT")
                for part in entry.action.subject
            )
            for entry in read.entries()
            if entry.state == "done"
        )
        pending = read.pending()
    return users, done, pending


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [1, 4, 9, 15, 22, 30, 38, 44])
def test_a_process_killed_with_sigkill_resumes_to_the_same_end(
    endpoint: str, tmp_path: Path, kill_at: int, bystander: Any
) -> None:
    now = datetime.now(UTC)
    later = now + timedelta(days=15)
    reference_journal = tmp_path / "reference.sqlite"
    reference_account = Own(endpoint)
    reference = _seed(reference_account, endpoint, now, reference_journal)
    _retire(reference_account, reference, reference_journal, later)
    expected = _state(reference, reference_journal)

    journal = tmp_path / "killed.sqlite"
    own = Own(endpoint)
    estate = _seed(own, endpoint, now, journal)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.retire.crash_child",
            json.dumps(
                {
                    "endpoint": endpoint,
                    "credentials": own.credentials,
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
    resumed = _retire(own, estate, journal, later)

    assert resumed.exit_code == 0
    users, done, pending = _state(estate, journal)
    assert pending == ()
    assert done == expected[1]
    assert _labelled(users, estate) == _labelled(expected[0], reference)
    _assert_untouched(bystander)


def _labelled(users: dict[str, Any], estate: Estate) -> Any:
    """Users with their key IDs (random per seeding) replaced by labels and their account's
    ID (in ARNs) by ``ACCOUNT``."""
    labelled = {
        name: None
        if user is None
        else {**user, "keys": sorted((estate.label(k), s) for k, s in user["keys"])}
        for name, user in users.items()
    }
    return json.loads(json.dumps(labelled, default=str).replace(estate.account, "ACCOUNT"))
