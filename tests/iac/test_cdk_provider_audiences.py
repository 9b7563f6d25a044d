"""The CDK's OIDC provider (``Custom::AWSCDKOpenIdConnectProvider``, from
``aws_iam.OpenIdConnectProvider``) carries its audiences in the custom resource's
``ClientIDList`` (the casing of the CDK's source, ``packages/aws-cdk-lib/aws-iam/lib/
oidc-provider.ts``: ``properties: { ClientIDList: props.clientIds, ... }``), where
``AWS::IAM::OIDCProvider`` has ``ClientIdList``; ``keyless iac`` reads both, so
trust-oidc-missing-audience judges a role without ``aud`` against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from keyless.iac.scan import scan

SYNTH = (
    Path(__file__).parents[1]
    / "realworld/cdk-github-oidc-role/cdk.out/GithubOidcStack.template.json"
)
CHECK = "trust-oidc-missing-audience"
CUSTOM = "https://github.com/example-org"


def findings(tmp_path: Path, audiences: list[str]) -> list[str]:
    """The check's messages on the synthesized stack, its provider listing ``audiences``
    and its role's statements without their ``aud`` condition (the list decides)."""
    template: dict[str, Any] = json.loads(SYNTH.read_text())
    resources = template["Resources"]
    (provider,) = [
        r for r in resources.values() if r["Type"] == "Custom::AWSCDKOpenIdConnectProvider"
    ]
    provider["Properties"]["ClientIDList"] = audiences
    for resource in resources.values():
        if resource["Type"] == "AWS::IAM::Role":
            for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                condition = statement["Condition"]
                for operator, values in list(condition.items()):
                    values.pop("token.actions.githubusercontent.com:aud", None)
                    if not values:
                        del condition[operator]
    folder = tmp_path / "cdk.out"
    folder.mkdir()
    (folder / "GithubOidcStack.template.json").write_text(json.dumps(template))
    result = scan([folder])
    return [f.message for f in result.findings if f.check == CHECK]


def test_a_cdk_provider_of_the_sts_audience_alone_is_no_finding(tmp_path: Path) -> None:
    assert findings(tmp_path, ["sts.amazonaws.com"]) == []


def test_a_cdk_provider_of_two_audiences_is_named(tmp_path: Path) -> None:
    messages = findings(tmp_path, ["sts.amazonaws.com", CUSTOM])
    assert messages
    assert all(f"(sts.amazonaws.com, {CUSTOM})" in m for m in messages), messages
