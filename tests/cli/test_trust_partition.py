"""`keyless trust` on a GovCloud role: every witness names principals of the role's own
partition (no principal of another partition can assume it), and each replays through
`keyless simulate` given the same role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.test_trust_cli import run, write
from tests.idp.certs import make_certificate

ROLE = "arn:aws-us-gov:iam::111122223333:role/r"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws-us-gov:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
        },
        {
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws-us-gov:iam::111122223333:saml-provider/corp"},
            "Action": "sts:AssumeRoleWithSAML",
            # saml:doc names the provider: the witness carries it, and the replay derives
            # the provider's ARN from it.
            "Condition": {"StringLike": {"saml:doc": "111122223333/*"}},
        },
        {
            "Effect": "Allow",
            "Principal": {"Service": "rolesanywhere.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
            "Condition": {"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "batch"}},
        },
    ],
}


def _witnesses(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = [value["witness"]] if isinstance(value.get("witness"), dict) else []
        return found + [w for k, v in value.items() if k != "witness" for w in _witnesses(v)]
    if isinstance(value, list):
        return [w for v in value for w in _witnesses(v)]
    return []


def _replay(policy: Path, witness: dict[str, Any], tmp_path: Path) -> int:
    args = ["simulate", "--trust-policy", str(policy), "--role-arn", ROLE]
    if "principal" in witness:
        args += ["--principal", witness["principal"]]
    elif "saml" in witness:
        args += ["--saml", str(write(tmp_path, "saml.json", witness["saml"]))]
    else:
        certificate = witness["certificate"]
        pem = tmp_path / "cert.pem"
        pem.write_text(
            make_certificate(
                subject=tuple(certificate["subject"].items()) or (("CN", "any"),),
                dns=(),
                uri=None,
                directory=(),
            )
        )
        args += ["--certificate", str(pem), "--trust-anchor", witness["trust_anchor"]]
    for key, value in witness.get("context", {}).items():
        args += ["--context", f"{key}={value}"]
    return run(*args)[0]


def test_govcloud_witnesses_are_in_the_roles_partition(tmp_path: Path) -> None:
    policy = write(tmp_path, "trust.json", POLICY)
    code, out, _ = run("trust", str(policy), "--role-arn", ROLE, "--format", "json")
    assert code == 1
    witnesses = _witnesses(json.loads(out))
    forms = {form for w in witnesses for form in ("principal", "saml", "certificate") if form in w}
    assert forms == {"principal", "saml", "certificate"}
    for witness in witnesses:
        arns = [witness.get("principal"), witness.get("trust_anchor")]
        for arn in filter(None, arns):
            assert arn.startswith("arn:aws-us-gov:"), witness
        assert _replay(policy, witness, tmp_path) == 0, witness


def test_saml_doc_names_a_provider_of_the_roles_partition(tmp_path: Path) -> None:
    # The same assertion, replayed for a role of the aws partition: the provider saml:doc
    # names is then arn:aws:..., which the GovCloud provider of the policy is not.
    policy = write(tmp_path, "trust.json", POLICY)
    saml = write(tmp_path, "saml.json", {"saml:doc": "111122223333/corp"})
    base = ["simulate", "--trust-policy", str(policy), "--saml", str(saml)]
    assert run(*base, "--role-arn", ROLE)[0] == 0
    assert run(*base, "--role-arn", "arn:aws:iam::111122223333:role/r")[0] == 1


def test_without_role_arn_the_policys_principals_give_the_partition(tmp_path: Path) -> None:
    # The GovCloud provider and account ARNs are the role's partition: trust does not
    # cross partitions.
    policy = write(tmp_path, "trust.json", POLICY)
    code, out, _ = run("trust", str(policy), "--format", "json")
    assert code == 1
    witnesses = _witnesses(json.loads(out))
    principals = [w["principal"] for w in witnesses if "principal" in w]
    assert principals
    assert all(p.startswith("arn:aws-us-gov:") for p in principals), principals
    anchors = [w["trust_anchor"] for w in witnesses if "trust_anchor" in w]
    assert all(a.startswith("arn:aws-us-gov:") for a in anchors), anchors
    assert any("saml" in w for w in witnesses)


def test_a_china_providers_role_is_chinas_and_its_witnesses_carry_chinas_audience(
    tmp_path: Path,
) -> None:
    """A role trusts its own account's identity providers only: an `aws-cn` provider makes
    the policy file's role a China role even beside an `arn:aws:` principal, and a witness
    carries STS China's audience (sts.amazonaws.com.cn), not the global one.
    https://github.com/aws-actions/configure-aws-credentials#oidc-audience"""
    provider = "arn:aws-cn:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/*"}
                },
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                "Action": "sts:AssumeRole",
            },
        ],
    }
    policy = write(tmp_path, "cn.json", document)
    _, out, _ = run("trust", str(policy), "--format", "json")
    report = json.loads(out)
    assert report["role"].startswith("arn:aws-cn:iam::111122223333:role/")
    auds = {
        f["witness"]["claims"]["aud"]
        for f in report["findings"]
        if f["witness"] and f["check"] != "trust-oidc-missing-audience"  # a stranger's aud
    }
    assert auds == {"sts.amazonaws.com.cn"}
