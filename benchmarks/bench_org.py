"""Organization fan-out: API calls per account and wall time by worker count.

Starts a moto server on a loopback port, seeds an organization of 200 member accounts
(half with 5 IAM users, half with 50; seeded from one thread, the server is not safe
under parallel writes), then:

1. collects it once and counts API calls per account with a botocore ``before-call``
   handler (member sessions inherit the management session's handlers), comparing
   accounts with 5 users to accounts with 50: the count must not grow with users;
2. collects it at 1, 4 and 16 workers and reports the wall time and the speed-up
   against 1 worker measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_org.py [--accounts 200]``. Not a test.
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import threading
import time
from collections import Counter
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from keyless.collect.live.organization import collect_organization
from keyless.model import AccountStatus

REGION = "us-east-1"


def session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(endpoint: str, accounts: int) -> dict[str, int]:
    """Create the organization; return user count per member account."""
    orgs = session().client("organizations", endpoint_url=endpoint)
    orgs.create_organization(FeatureSet="ALL")
    sts = session().client("sts", endpoint_url=endpoint)
    sizes: dict[str, int] = {}
    for n in range(accounts):
        account_id = orgs.create_account(AccountName=f"m{n}", Email=f"m{n}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        users = 5 if n % 2 == 0 else 50
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
            RoleSessionName="seed",
        )["Credentials"]
        iam = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=REGION,
        ).client("iam", endpoint_url=endpoint)
        for u in range(users):
            iam.create_user(UserName=f"user{u}")
            if u % 5 == 0:
                iam.create_access_key(UserName=f"user{u}")
                iam.create_login_profile(UserName=f"user{u}", Password="Not-a-secret-1!")
        sizes[account_id] = users
    return sizes


def count_calls(endpoint: str, sizes: dict[str, int]) -> None:
    """API calls per member account, by the account's number of users."""
    calls: Counter[str] = Counter()
    lock = threading.Lock()
    key_account: dict[str, str] = {}

    def remember_key(context: dict[str, Any], parsed: dict[str, Any], **_: Any) -> None:
        # Map the new access key to the account whose role was assumed.
        if "Credentials" in parsed:
            key_account[parsed["Credentials"]["AccessKeyId"]] = context["bench_target"]

    def attribute(
        request_signer: Any, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        if model.name == "AssumeRole":
            account = str(params.get("body", {}).get("RoleArn", "")).split(":")[4]
            context["bench_target"] = account
        else:
            # Which credentials sign the call says which account it is made in.
            key = request_signer._credentials.access_key
            account = key_account.get(key, "management")
        with lock:
            calls[account] += 1

    management = session()
    management.events.register("after-call.sts.AssumeRole", remember_key)
    management.events.register("before-call", attribute)
    inventory = collect_organization(management, endpoint_url=endpoint, max_workers=8)
    assert all(a.status is AccountStatus.SCANNED for a in inventory.accounts)
    by_size: dict[int, list[int]] = {}
    for account_id, users in sizes.items():
        by_size.setdefault(users, []).append(calls[account_id])
    print("API calls per member account (including its AssumeRole):")
    for users, counts in sorted(by_size.items()):
        print(
            f"  {users:>3} users: mean {statistics.mean(counts):.1f}, "
            f"min {min(counts)}, max {max(counts)} over {len(counts)} accounts"
        )
    print(f"  management account (organization, Identity Center, its IAM): {calls['management']}")


def time_workers(endpoint: str, accounts: int) -> None:
    baseline = None
    print(f"Wall time to collect {accounts + 1} accounts:")
    for workers in (1, 4, 16):
        started = time.perf_counter()
        inventory = collect_organization(session(), endpoint_url=endpoint, max_workers=workers)
        elapsed = time.perf_counter() - started
        assert len(inventory.scanned_accounts) == accounts + 1
        baseline = baseline or elapsed
        print(
            f"  {workers:>2} workers: {elapsed:6.1f} s  "
            f"({(accounts + 1) / elapsed:5.1f} accounts/s, x{baseline / elapsed:.2f} vs 1 worker)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    arguments = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        sizes = seed(endpoint, arguments.accounts)
        print(
            f"seeded {arguments.accounts} member accounts in {time.perf_counter() - started:.1f} s"
        )
        count_calls(endpoint, sizes)
        time_workers(endpoint, arguments.accounts)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
