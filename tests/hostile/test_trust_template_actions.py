"""A trust policy whose action is an unrendered placeholder (``"Action": "${action}"``,
``"%s"``) matches no request as written: ``keyless trust`` said "nobody", "No trust
findings", exit 0, and never that the file is a template (placeholders were looked for in
principals and conditions only). It is now said to be one, with the action's pointer, and
``trust-unrendered-template`` reports it. Azure DevOps and printf inputs around it are
judged without a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = "arn:aws:iam::111122223333:root"
ISSUER = "vstoken.dev.azure.com/f66a4bc2-08ad-4ec0-a25e-e769dab3b294"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"


def _trust(tmp_path: Path, statement: dict[str, Any]) -> Any:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    return CliRunner().invoke(cli, ["trust", str(path), "--format", "json"])


@pytest.mark.parametrize("action", ["${action}", "%s", "%[1]s", ["sts:TagSession", "%(verb)s"]])
@pytest.mark.parametrize("element", ["Action", "NotAction"])
def test_a_placeholder_action_makes_the_policy_a_template(
    tmp_path: Path, action: Any, element: str
) -> None:
    result = _trust(tmp_path, {"Effect": "Allow", "Principal": {"AWS": ROOT}, element: action})
    assert "Traceback" not in result.output
    document = json.loads(result.stdout)
    pointers = {placeholder["pointer"] for placeholder in document["template"]["placeholders"]}
    assert pointers == {f"/Statement/0/{element}"}
    assert "trust-unrendered-template" in {finding["check"] for finding in document["findings"]}


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ({"Federated": PROVIDER}, 1),  # audience only: every project of the organization
        ({"Federated": "%s"}, 0),
        ({"AWS": "arn:aws:iam::%[1]s:root"}, 0),
        ({"AWS": "%*d"}, 2),  # a partial wildcard, whatever else it is
        ({"Federated": PROVIDER.replace(ISSUER, "vstoken.dev.azure.com/")}, 0),
    ],
)
def test_azure_devops_and_printf_principals_are_judged(
    tmp_path: Path, statement: dict[str, str], code: int
) -> None:
    action = "sts:AssumeRoleWithWebIdentity" if "Federated" in statement else "sts:AssumeRole"
    result = _trust(tmp_path, {"Effect": "Allow", "Principal": statement, "Action": action})
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
