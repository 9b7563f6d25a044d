"""An unrendered template is said to be one, and judged by what can be judged (issue #18,
item 4): no OIDC provider named ${trusted_entity}; witnesses replay through simulate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.policy.document import parse_trust_policy
from keyless.policy.templates import has_placeholder, policy_placeholders
from keyless.trust.analysis import analyse
from keyless.trust.paths import PrincipalClass
from tests.trust.support import GH, assert_real_witness, assess

TERRAFORM = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": "${oidc_provider_arn}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{GH}:sub": "repo:${github_org}/${github_repo}:*"},
            },
        }
    ],
}
PINNED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::<ACCOUNT_ID>:oidc-provider/" + GH},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{GH}:aud": "sts.amazonaws.com",
                    f"{GH}:sub": "repo:{{ org }}/deploy:environment:production",
                }
            },
        }
    ],
}
AWS_TEMPLATE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def test_the_issuer_of_a_placeholder_principal_comes_from_the_condition_keys() -> None:
    (path,) = analyse(TERRAFORM).paths
    assert path.principal_class is PrincipalClass.OIDC
    assert path.issuer == GH
    assert path.placeholders == ("${oidc_provider_arn}", "${github_org}", "${github_repo}")


def test_no_provider_is_named_after_a_placeholder() -> None:
    found = assess(TERRAFORM).findings
    assert not any("${oidc_provider_arn}" in str(f.witness) for f in found)
    assert all(not f.message.startswith("any ${") for f in found)


def test_the_shape_of_a_templated_subject_is_judged() -> None:
    # repo:X/Y:* admits pull requests and any branch, whatever X and Y become.
    found = {f.check: f for f in assess(TERRAFORM).findings}
    finding = found["trust-oidc-untrusted-trigger"]
    assert finding.severity.value == "high"
    assert finding.evidence["placeholders"] == [
        "${oidc_provider_arn}",
        "${github_org}",
        "${github_repo}",
    ]
    assert_real_witness(TERRAFORM, finding.witness)


def test_the_template_is_reported_with_its_placeholders() -> None:
    (finding,) = [f for f in assess(PINNED).findings if f.check == "trust-unrendered-template"]
    assert finding.severity.value == "info"
    assert [p["text"] for p in finding.evidence["placeholders"]] == ["<ACCOUNT_ID>", "{{ org }}"]


def test_a_pinned_template_has_no_risk_finding() -> None:
    checks = {f.check for f in assess(PINNED).findings}
    assert checks == {"trust-unrendered-template"}


def test_an_unrendered_aws_principal_is_not_judged() -> None:
    (path,) = analyse(AWS_TEMPLATE).paths
    assert path.principal_class is PrincipalClass.TEMPLATE
    assert {f.check for f in assess(AWS_TEMPLATE).findings} == {"trust-unrendered-template"}


def test_keyless_trust_says_the_document_is_a_template(tmp_path: Path) -> None:
    policy = tmp_path / "role.json.tpl"
    policy.write_text(json.dumps(TERRAFORM))
    text = CliRunner().invoke(cli, ["trust", str(policy)]).stdout
    assert text.startswith("This trust policy is a template; unresolved placeholders: ")
    assert "${oidc_provider_arn} (/Statement/0/Principal/Federated)" in text
    document = json.loads(
        CliRunner().invoke(cli, ["trust", str(policy), "--format", "json"]).stdout
    )
    assert document["template"]["placeholders"][0] == {
        "text": "${oidc_provider_arn}",
        "pointer": "/Statement/0/Principal/Federated",
    }


def test_a_witness_replays_through_simulate_with_the_template(tmp_path: Path) -> None:
    policy = tmp_path / "role.json"
    policy.write_text(json.dumps(TERRAFORM))
    finding = next(
        f for f in assess(TERRAFORM).findings if f.check == "trust-oidc-untrusted-trigger"
    )
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps(finding.witness["claims"]))
    result = CliRunner().invoke(
        cli, ["simulate", "--trust-policy", str(policy), "--web-identity", str(claims)]
    )
    assert result.exit_code == 0
    assert "unrendered template placeholder" in result.stdout


def test_a_plain_policy_has_no_template(tmp_path: Path) -> None:
    document: dict[str, Any] = json.loads(
        json.dumps(PINNED).replace("<ACCOUNT_ID>", "111122223333")
    )
    document["Statement"][0]["Condition"]["StringEquals"][f"{GH}:sub"] = (
        "repo:o/deploy:environment:production"
    )
    policy = tmp_path / "role.json"
    policy.write_text(json.dumps(document))
    assert (
        json.loads(CliRunner().invoke(cli, ["trust", str(policy), "--format", "json"]).stdout)[
            "template"
        ]
        is None
    )


def test_the_template_document_follows_the_schema(tmp_path: Path) -> None:
    import jsonschema

    policy = tmp_path / "role.json"
    policy.write_text(json.dumps(TERRAFORM))
    document = json.loads(
        CliRunner().invoke(cli, ["trust", str(policy), "--format", "json"]).stdout
    )
    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "docs" / "schemas" / "trust-v1.schema.json").read_text())
    jsonschema.validate(document, schema)  # raises ValidationError on a mismatch
    assert document["template"] is not None


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::AWS_ACCOUNT_ID:root",
        "arn:aws:iam::ACCOUNTID:role/deploy",
        "arn:aws:iam::XXXXXXXXXXXX:root",
        "arn:aws:iam::XXXXXXXX5055:root",
    ],
)
def test_an_account_written_as_a_name_or_masked_is_a_placeholder(principal: str) -> None:
    # Judged literally it is no valid principal (exit 2); it is a template.
    policy = parse_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    (placeholder,) = policy_placeholders(policy)
    assert placeholder.text == principal.split(":")[4]


def test_a_real_account_id_is_no_placeholder() -> None:
    assert not has_placeholder("arn:aws:iam::123456789012:root")
    assert not has_placeholder("arn:aws:iam::111122223333:role/ACCOUNT_ADMIN")


def test_printf_verbs_are_placeholders() -> None:
    """Go's fmt.Sprintf and Terraform's format() fill trust policies written with `%s`: the
    provider `%s` is whoever it will name, not an OIDC provider literally called `%s` that
    any audience opens."""
    from keyless.policy.templates import placeholders_in

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "%s"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"%s:sub": "system:serviceaccount:%s:%s"}},
            }
        ],
    }
    (path,) = analyse(trust).paths
    assert path.principal_class is PrincipalClass.TEMPLATE
    assert {p.text for p in policy_placeholders(parse_trust_policy(trust))} == {"%s"}
    assert placeholders_in("arn:aws:iam::%[1]s:role/%(name)s") == ("%[1]s", "%(name)s")
    # URL escapes are no verbs: GitHub writes `:` in a value as %3A, UTF-8 as %d3...
    for text in ("repo:o/r%3Aref", "caf%d3", "100%", "%41"):
        assert not has_placeholder(text), text


@pytest.mark.parametrize("placeholder", ["${issuer}", "%s", "{{ .Issuer }}"])
def test_a_placeholder_issuer_in_a_key_is_the_principals_issuer(placeholder: str) -> None:
    """`${issuer}:sub` beside a literal GitHub provider renders to GitHub's `sub` key: the
    policy pins one branch of one repository, not (as a key no request carries would make
    it) every GitHub tenant."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{placeholder}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{placeholder}:sub": "repo:acme/app:ref:refs/heads/main"},
                },
            }
        ],
    }
    (path,) = analyse(trust).paths
    assert path.principal_class is PrincipalClass.OIDC
    assert path.policy_values(f"{GH}:sub") == ("repo:acme/app:ref:refs/heads/main",)
    assert path.placeholders == (placeholder,)
    assert {f.check for f in assess(trust).findings} == {"trust-unrendered-template"}
    # The template is still reported, with the key's pointer.
    assert {p.text for p in policy_placeholders(parse_trust_policy(trust))} == {placeholder}


def test_a_placeholder_issuer_key_witness_replays_through_simulate(tmp_path: Path) -> None:
    """`keyless simulate` reads `${issuer}:sub` as `keyless trust` does: the pull-request
    witness of a template pinned to `repo:acme/app:*` is allowed there too (it was denied:
    "key is absent from the request")."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"${issuer}:aud": "sts.amazonaws.com"},
                    "StringLike": {"${issuer}:sub": "repo:acme/app:*"},
                },
            }
        ],
    }
    policy = tmp_path / "role.json"
    policy.write_text(json.dumps(trust))
    finding = next(f for f in assess(trust).findings if f.check == "trust-oidc-untrusted-trigger")
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps(finding.witness["claims"]))
    result = CliRunner().invoke(
        cli, ["simulate", "--trust-policy", str(policy), "--web-identity", str(claims)]
    )
    assert result.exit_code == 0, result.stdout
    assert f"StringLike {GH}:sub" in result.stdout
