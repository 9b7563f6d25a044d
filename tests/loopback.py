"""Loopback endpoints tests start and stop themselves: the moto server on a free port,
and a port that refuses every connection. Nothing beyond 127.0.0.1."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

# Emulated accounts no other test uses: moto keys its state by account (and region), so
# a test that works in one of these cannot see, nor be seen by, what any other test of the
# process put in the servers' shared state (the organization tests' management account
# 123456789012 above all). Counted, so a test run twice in one process gets a new one.
_OWN_ACCOUNTS = itertools.count(100_000_000_000)


@contextmanager
def moto_server() -> Iterator[str]:
    """The moto server on a free loopback port, for as long as the context lasts: its
    URL. Every server of one process shares the emulator's state."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def own_account_credentials(endpoint: str) -> dict[str, str]:
    """Credentials, in the standard ``AWS_*`` environment variable names, for a fresh
    emulated account on the moto server at ``endpoint``: entered through an assumed role,
    whose temporary keys moto attributes to that account."""
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    account = f"{next(_OWN_ACCOUNTS):012d}"
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/own-state", RoleSessionName="own-state"
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


@contextmanager
def refused_port() -> Iterator[str]:
    """A loopback port that is bound (so nothing else takes it) but not listening: every
    connection to it is refused at once. Its URL."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"
