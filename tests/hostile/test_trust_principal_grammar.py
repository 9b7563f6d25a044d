"""A trust policy IAM would refuse (MalformedPolicyDocument) is a policy error (exit 2,
with the JSON pointer), not judged as if it were valid: a principal holding a NUL, a
control character or a space, a service principal that is no host name, and an
``IpAddress`` value that is no IP address or CIDR range (``999.1.1.1/99`` made a dead
condition). Valid principals and ranges are still judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli


def _policy(tmp_path: Path, principal: object, condition: object = None) -> str:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        statement["Condition"] = condition
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    return str(path)


ROOT = "arn:aws:iam::444455556666:root"


@pytest.mark.parametrize(
    ("principal", "condition", "pointer", "phrase"),
    [
        pytest.param(
            {"AWS": "arn:aws:iam::444455556666:role/a\u0000b"}, None,
            "#/Statement/0/Principal/AWS", "not a valid AWS principal", id="nul-in-role",
        ),
        pytest.param(
            {"AWS": ["arn:aws:iam::444455556666:user/a\tb"]}, None,
            "#/Statement/0/Principal/AWS/0", "not a valid AWS principal", id="tab-in-user",
        ),
        pytest.param(
            {"AWS": "arn:aws:sts::444455556666:assumed-role/r/a b"}, None,
            "#/Statement/0/Principal/AWS", "not a valid AWS principal", id="space-in-session",
        ),
        pytest.param(
            {"Service": "ec2.amazonaws.com\n"}, None,
            "#/Statement/0/Principal/Service", "not a valid Service principal", id="service-lf",
        ),
        pytest.param(
            {"Service": "ec2 amazonaws com"}, None,
            "#/Statement/0/Principal/Service", "not a valid Service principal", id="service-sp",
        ),
        pytest.param(
            {"Federated": "accounts.google.com\u0000"}, None,
            "#/Statement/0/Principal/Federated", "not a valid Federated principal", id="fed-nul",
        ),
        pytest.param(
            {"AWS": ROOT}, {"IpAddress": {"aws:SourceIp": "999.1.1.1/99"}},
            "#/Statement/0/Condition/IpAddress/aws:SourceIp", "not an IP address or CIDR range",
            id="bad-cidr",
        ),
        pytest.param(
            {"AWS": ROOT}, {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/99"]}},
            "#/Statement/0/Condition/NotIpAddress/aws:SourceIp/1",
            "not an IP address or CIDR range", id="bad-cidr-in-list",
        ),
    ],
)  # fmt: skip
def test_a_policy_iam_refuses_is_a_policy_error(
    tmp_path: Path, principal: object, condition: object, pointer: str, phrase: str
) -> None:
    result = CliRunner().invoke(cli, ["trust", _policy(tmp_path, principal, condition)])
    assert result.exit_code == 2, result.output
    assert pointer in result.stderr
    assert phrase in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("principal", "condition"),
    [
        pytest.param({"AWS": "arn:aws:iam::444455556666:role/path/to/deploy+x=y,z.w@q-r_s"},
                     None, id="role-with-path"),
        pytest.param({"AWS": "arn:aws-cn:sts::444455556666:assumed-role/r/session@x"}, None,
                     id="session-other-partition"),
        pytest.param({"Service": ["ec2.amazonaws.com", "states.eu-west-1.amazonaws.com"]}, None,
                     id="services"),
        pytest.param({"AWS": ROOT},
                     {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32",
                                                     "198.51.100.7"]}}, id="ranges"),
    ],
)  # fmt: skip
def test_valid_principals_and_ranges_are_judged(
    tmp_path: Path, principal: object, condition: object
) -> None:
    result = CliRunner().invoke(cli, ["trust", _policy(tmp_path, principal, condition)])
    assert result.exit_code in (0, 1), result.output
