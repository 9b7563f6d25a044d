"""Test-wide safety: fake AWS credentials, and no network beyond loopback; hypothesis
without clocks."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# No test times anything (speed is measured in benchmarks/): hypothesis's per-example
# deadline and its "too slow" health check are clocks, and failed on a busy machine
# (two cores shared with other jobs) where nothing was wrong.
settings.register_profile("keyless", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("keyless")

_real_connect = socket.socket.connect


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like stay on the machine
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_loopback(address):
        raise OSError(f"tests may not reach the network: connect to {address!r} refused")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _offline_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with fake credentials and cannot reach anything but loopback."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/keyless-test-aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/keyless-test-aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def refused() -> Iterator[str]:
    """The URL of a loopback port that refuses every connection (:mod:`tests.loopback`)."""
    from tests.loopback import refused_port

    with refused_port() as url:
        yield url
