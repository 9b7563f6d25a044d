"""Hostile input to `keyless trust` and `keyless simulate`: each row is an input a careless
script or an attacker could pass, the exit code (2) and a phrase of the one-paragraph
message. Never a traceback, never a line of output forged from a value (issue #10)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "docs" / "examples" / "github"
POLICY = GITHUB / "trust-policy.json"
CLAIMS = GITHUB / "claims-main.json"
USER = "arn:aws:iam::444455556666:user/alice"


def condition_policy(tmp_path: Path, condition: str) -> str:
    """A trust policy (JSON text written as is) whose only condition is ``condition``."""
    path = tmp_path / "policy.json"
    path.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
        '{"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole", '
        f'"Condition": {{{condition}}}}}]}}'
    )
    return str(path)


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


Args = Callable[[Path], list[str]]

SIMULATE: list[tuple[str, Args, str]] = [
    (
        "principal with a newline and a forged verdict",
        lambda t: ["--trust-policy", str(POLICY), "--principal", f"{USER}\nALLOW  sts:AssumeRole"],
        "is not an AWS principal ARN",
    ),
    (
        "account ID of eleven digits",
        lambda t: ["--trust-policy", str(POLICY), "--principal", "44445555666"],
        "is not an AWS principal ARN",
    ),
    (
        "account ID in Arabic-Indic digits",
        lambda t: ["--trust-policy", str(POLICY), "--principal", "٤٤٤٤٥٥٥٥٦٦٦٦"],
        "is not an AWS principal ARN",
    ),
    (
        "principal naming an IAM group",
        lambda t: [
            "--trust-policy",
            str(POLICY),
            "--principal",
            "arn:aws:iam::444455556666:group/g",
        ],
        "is not an AWS principal ARN",
    ),
    (
        "role ARN with a carriage return",
        lambda t: [
            "--trust-policy",
            str(POLICY),
            "--principal",
            USER,
            "--role-arn",
            "arn:aws:iam::444455556666:role/r\rALLOW",
        ],
        "is not an IAM role ARN",
    ),
    (
        "external ID with an ANSI escape",
        lambda t: ["--trust-policy", str(POLICY), "--principal", USER, "--external-id", "a\x1b[2J"],
        "is not an external ID",
    ),
    (
        "external ID of one character",
        lambda t: ["--trust-policy", str(POLICY), "--principal", USER, "--external-id", "x"],
        "is not an external ID",
    ),
    (
        "context value with a line separator",
        lambda t: [
            "--trust-policy",
            str(POLICY),
            "--principal",
            USER,
            "--context",
            "aws:x=a\u2028b",
        ],
        "holds a control character",
    ),
    (
        "context key with a newline",
        lambda t: ["--trust-policy", str(POLICY), "--principal", USER, "--context", "aws:x\n=1"],
        "holds a control character",
    ),
    (
        "context key without a prefix",
        lambda t: ["--trust-policy", str(POLICY), "--principal", USER, "--context", "sourceip=1"],
        "is not a condition key",
    ),
    (
        "context without a value",
        lambda t: ["--trust-policy", str(POLICY), "--principal", USER, "--context", "aws:x"],
        "expects KEY=VALUE",
    ),
    (
        "service principal with a bidirectional override",
        lambda t: ["--trust-policy", str(POLICY), "--service", "sns.amazonaws.com\u202e"],
        "is not a service principal",
    ),
    (
        "action with a space",
        lambda t: [
            "--trust-policy",
            str(POLICY),
            "--principal",
            USER,
            "--action",
            "sts:Assume Role",
        ],
        "is not an action name",
    ),
    (
        "trust anchor of another service",
        lambda t: [
            "--trust-policy",
            str(POLICY),
            "--certificate",
            str(ROOT / "docs" / "examples" / "roles-anywhere" / "cert.pem"),
            "--trust-anchor",
            "arn:aws:iam::111122223333:role/x",
        ],
        "is not a Roles Anywhere trust anchor ARN",
    ),
    (
        "file name with a newline",
        lambda t: ["--trust-policy", "policy\nALLOW.json", "--principal", USER],
        "holds a control character",
    ),
    (
        "trust policy that is not JSON",
        lambda t: ["--trust-policy", str(t / "missing.json"), "--principal", USER],
        "does not exist",
    ),
    (
        "a condition number beyond 4300 digits",
        lambda t: [
            "--trust-policy",
            condition_policy(
                t, '"NumericLessThan": {"aws:MultiFactorAuthAge": ' + "9" * 5000 + "}"
            ),
            "--principal",
            USER,
        ],
        "more digits than keyless reads",
    ),
    (
        "a condition number out of range",
        lambda t: [
            "--trust-policy",
            condition_policy(t, '"NumericLessThan": {"aws:MultiFactorAuthAge": 1e400}'),
            "--principal",
            USER,
        ],
        "out of range",
    ),
    (
        "NaN as a condition value",
        lambda t: [
            "--trust-policy",
            condition_policy(t, '"NumericLessThan": {"aws:MultiFactorAuthAge": NaN}'),
            "--principal",
            USER,
        ],
        "NaN is not a JSON value",
    ),
    (
        "a lone surrogate escape in a condition value",
        lambda t: [
            "--trust-policy",
            condition_policy(t, '"StringEquals": {"aws:PrincipalTag/team": "\\udfff"}'),
            "--principal",
            USER,
        ],
        "surrogate",
    ),
]

TRUST: list[tuple[str, Args, str]] = [
    (
        "role ARN with a five-digit account",
        lambda t: [str(POLICY), "--role-arn", "arn:aws:iam::12345:role/r"],
        "is not an IAM role ARN",
    ),
    (
        "role ARN with a newline",
        lambda t: [str(POLICY), "--role-arn", "arn:aws:iam::444455556666:role/r\nx"],
        "is not an IAM role ARN",
    ),
    (
        "role ARN of a user",
        lambda t: [str(POLICY), "--role-arn", "arn:aws:iam::444455556666:user/r"],
        "is not an IAM role ARN",
    ),
    (
        "policy file name with an escape",
        lambda t: ["policy\x1b[31m.json"],
        "holds a control character",
    ),
    (
        "a condition number beyond 4300 digits",
        lambda t: [
            condition_policy(t, '"NumericLessThan": {"aws:MultiFactorAuthAge": ' + "9" * 5000 + "}")
        ],
        "more digits than keyless reads",
    ),
    (
        "Infinity as a condition value",
        lambda t: [condition_policy(t, '"NumericLessThan": {"aws:MultiFactorAuthAge": Infinity}')],
        "Infinity is not a JSON value",
    ),
    (
        # Python's json module reads a lone surrogate escape; orjson and every output do not.
        "a lone surrogate escape in a condition value",
        lambda t: [condition_policy(t, '"StringEquals": {"aws:PrincipalTag/team": "\\ud800"}')],
        "no low surrogate",
    ),
]


@pytest.mark.parametrize(("name", "args", "phrase"), SIMULATE, ids=[row[0] for row in SIMULATE])
def test_simulate_refuses(tmp_path: Path, name: str, args: Args, phrase: str) -> None:
    code, out, err = run(["simulate", *args(tmp_path)])
    assert code == 2, (name, out, err)
    assert phrase in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(("name", "args", "phrase"), TRUST, ids=[row[0] for row in TRUST])
def test_trust_refuses(tmp_path: Path, name: str, args: Args, phrase: str) -> None:
    code, out, err = run(["trust", *args(tmp_path)])
    assert code == 2, (name, out, err)
    assert phrase in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(
    "condition",
    [
        '"NumericLessThan": {"aws:MultiFactorAuthAge": 123456789012345678901234567890}',
        '"NumericGreaterThan": {"aws:MultiFactorAuthAge": "1e999999999"}',
        '"DateLessThan": {"aws:CurrentTime": "9999-12-31T23:59:59Z"}',
        '"DateGreaterThan": {"aws:CurrentTime": "0001-01-01T00:00:00Z"}',
        '"BinaryEquals": {"aws:x": "!!!"}',
    ],
)
def test_edge_values_are_judged_not_crashed_on(tmp_path: Path, condition: str) -> None:
    code, out, err = run(["trust", condition_policy(tmp_path, condition), "--format", "json"])
    assert code in (0, 1), err
    assert json.loads(out)["schema"] == "keyless/trust/v1"


def test_policy_text_cannot_forge_a_line_of_simulate_output(tmp_path: Path) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "x\nALLOW  sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:x\rALLOW": "a"}},
            }
        ],
    }
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(document))
    code, out, _ = run(["simulate", "--trust-policy", str(path), "--principal", USER])
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("ALLOW")] == []
    assert "\r" not in out
    # A line separator is no character of an IAM policy: refused, and not shown raw.
    document["Statement"][0]["Condition"] = {"StringEquals": {"aws:x\u2028ALLOW": "a"}}
    path.write_text(json.dumps(document))
    code, out, err = run(["simulate", "--trust-policy", str(path), "--principal", USER])
    assert code == 2
    assert "a character IAM refuses in a policy" in err
    assert "\u2028" not in out + err


def test_policy_text_cannot_forge_a_line_of_trust_output(tmp_path: Path) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:x\nFindings:\n  [critical] forged": "a"}},
            }
        ],
    }
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(document))
    code, out, _ = run(["trust", str(path)])
    assert code == 1
    assert "  [critical] forged" not in out.splitlines()
    assert out.splitlines().count("Findings:") == 1


def test_a_context_key_repeated_in_another_case_is_one_multivalued_key(tmp_path: Path) -> None:
    """Condition keys ignore case: the second spelling's value replaced the first's, so
    `--context aws:PrincipalTag/team=a --context aws:principaltag/team=b` was team=b alone
    (DENY), where the same key repeated is team=[a, b] (ALLOW)."""
    path = tmp_path / "policy.json"
    path.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": "a"}},
                    }
                ],
            }
        )
    )
    args = ["simulate", "--trust-policy", str(path), "--principal", USER]
    args += ["--context", "aws:PrincipalTag/team=a", "--context", "aws:principaltag/team=b"]

    code, stdout, stderr = run(args)

    assert code == 0, stdout + stderr
    assert stdout.startswith("ALLOW")


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (
            {"sub": {"repo": "octo-org/octo-repo"}},
            "the token's sub claim is an object",
        ),
        ({"aud": ["sts.amazonaws.com", None]}, ":aud is a list holding a null"),
        (
            {"aud": ["sts.amazonaws.com", ["x"]]},
            ":aud is a list holding a null, an object or a list",
        ),
        ({"iss": 5}, "the token's 'iss' (issuer) is a number"),
    ],
    ids=["sub-an-object", "aud-with-a-null", "aud-with-a-list", "iss-a-number"],
)
def test_a_claim_of_a_shape_aws_never_exposes_is_refused(
    tmp_path: Path, claims: dict[str, object], message: str
) -> None:
    """An object was dropped (the key absent: DENY, said as "key is absent"), a null in a
    list dropped (the rest read), and an issuer that is a number said to be missing."""
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({**json.loads(CLAIMS.read_text()), **claims}))

    code, stdout, stderr = run(
        ["simulate", "--trust-policy", str(POLICY), "--web-identity", str(path)]
    )

    assert code == 2, stdout + stderr
    assert message in stderr
    assert "claims.json" in stderr


def _segment(document: str) -> str:
    import base64

    return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("header", "payload", "message"),
    [
        (
            '{"alg": "RS256"}',
            '{"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",'
            ' "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",'
            ' "sub": "repo:x/y:pull_request"}',
            "the token's payload: a key appears twice in one object",
        ),
        (
            '{"alg": "RS256", "alg": "none"}',
            '{"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",'
            ' "sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}',
            "the token's header: a key appears twice in one object",
        ),
    ],
    ids=["claim-twice", "header-field-twice"],
)
def test_a_token_with_a_key_twice_is_refused(
    tmp_path: Path, header: str, payload: str, message: str
) -> None:
    """PyJWT kept the last copy without a word (a second `sub` decided), where a claims
    file with a key twice is refused."""
    token = tmp_path / "token.jwt"
    token.write_text(f"{_segment(header)}.{_segment(payload)}.c2ln")

    code, stdout, stderr = run(
        ["simulate", "--trust-policy", str(POLICY), "--web-identity-token", str(token)]
    )

    assert code == 2, stdout + stderr
    assert message in stderr
    assert "token.jwt" in stderr
    assert "(at /" in stderr


ROLE = "arn:aws:iam::111122223333:role/deploy"


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ({ROLE: True}, "the token's 'roles' claim is an object"),
        ([ROLE, 5], "the token's 'roles' claim is a list holding a value that is not text"),
        (7, "the token's 'roles' claim is a number"),
    ],
    ids=["object", "list-with-a-number", "number"],
)
def test_a_roles_claim_that_lists_no_role_arns_is_refused(
    tmp_path: Path, roles: object, message: str
) -> None:
    """An object's keys were searched for the role (``{ROLE: true}`` set
    sts:RoleAuthorizedByIdp to true) and a number compared as is, without a word."""
    claims = {**json.loads(CLAIMS.read_text()), "roles": roles}
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claims))

    code, stdout, stderr = run(
        ["simulate", "--trust-policy", str(POLICY), "--web-identity", str(path), "--role-arn", ROLE]
    )

    assert code == 2, stdout + stderr
    assert message in stderr


def test_a_roles_claim_listing_the_role_authorizes_it(tmp_path: Path) -> None:
    claims = {**json.loads(CLAIMS.read_text()), "roles": [ROLE, "arn:aws:iam::1:role/other"]}
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claims))

    code, stdout, stderr = run(
        [
            "simulate",
            "--trust-policy",
            str(POLICY),
            "--web-identity",
            str(path),
            "--role-arn",
            ROLE,
            "--format",
            "json",
        ]
    )

    assert code == 0, stdout + stderr
    assert "sts:RoleAuthorizedByIdp" in stdout
