"""A trust policy value holding a quote and a backslash (``it's \\ here``) is quoted in
what keyless says of it (``keyless.trust.describe``'s descriptions, the trust checks'
finding messages) so that it cannot end early, and each output format then escapes the
sentence once, in its own syntax: read back through that syntax (JSON and SARIF parsed,
HTML unescaped, Markdown rendered), every format shows the same quoted value, neither
cut short at its quote nor escaped twice. End to end, from the CLI."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from keyless.cli import cli
from tests.hostile.snapshots import ACCOUNT

VALUE = "it's \\ here"
#: The value as a finding message quotes it (a repr: the quote kept, the backslash doubled).
IN_MESSAGE = '"it\'s \\\\ here"'
#: The value as a path's description quotes it (the quote and the backslash escaped).
IN_DESCRIPTION = "'it\\'s \\\\ here'"
ISSUER = "token.actions.githubusercontent.com"


def _export(tmp_path: Path) -> Path:
    """The test export, its GitHub role trusting the subject :data:`VALUE` (which GitHub
    never mints: a trust-dead-condition finding quotes it)."""
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    path = export / "authorization-details.json"
    details = json.loads(path.read_text())
    statement = details["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]
    statement["Condition"]["StringEquals"].pop(f"{ISSUER}:sub")
    statement["Condition"]["StringLike"] = {f"{ISSUER}:sub": VALUE}
    path.write_text(json.dumps(details))
    return export


def _scan(tmp_path: Path, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["scan", "--input", str(_export(tmp_path)), "--format", fmt])
    assert result.exit_code == 1, result.output
    return result.output


def _message(text: str) -> str:
    """The sentence that quotes the value, as the finding says it."""
    return f"{ISSUER}:sub value {text} matches no subject the provider mints"


def test_json_carries_the_message_escaped_once(tmp_path: Path) -> None:
    document = json.loads(_scan(tmp_path, "json"))
    messages = [f["message"] for f in document["findings"] if f["check"] == "trust-dead-condition"]
    assert any(_message(IN_MESSAGE) in message for message in messages), messages


def test_sarif_carries_the_message_escaped_once(tmp_path: Path) -> None:
    document = json.loads(_scan(tmp_path, "sarif"))
    results = document["runs"][0]["results"]
    texts = [r["message"]["text"] for r in results if r["ruleId"] == "trust-dead-condition"]
    assert any(_message(IN_MESSAGE) in text for text in texts), texts


def test_html_carries_the_message_escaped_once(tmp_path: Path) -> None:
    page = _scan(tmp_path, "html")
    # The quotes are HTML's entities in the page, never raw (an attribute could end there),
    # and the page unescaped once shows the message as JSON does.
    assert IN_MESSAGE not in page
    assert _message(IN_MESSAGE) in html.unescape(page)
    assert _message(html.escape(IN_MESSAGE)) not in html.unescape(page)


def test_markdown_renders_the_message_as_json_carries_it(tmp_path: Path) -> None:
    source = _scan(tmp_path, "markdown")
    rendered = html.unescape(MarkdownIt("commonmark").enable("table").render(source))
    assert _message(IN_MESSAGE) in rendered.replace("<code>", "").replace("</code>", "")


def _policy(tmp_path: Path) -> Path:
    """A trust policy whose subject (an issuer keyless does not judge) and principal ARN
    (``aws:PrincipalArn``) hold a quote and a backslash: both reach the descriptions."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::123456789012:oidc-provider/idp.example.com"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "idp.example.com:aud": "sts.amazonaws.com",
                        "idp.example.com:sub": VALUE,
                    }
                },
            },
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:PrincipalArn": f"arn:aws:iam::123456789012:role/{VALUE}"}
                },
            },
        ],
    }
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(policy))
    return path


EXPECTED_DESCRIPTIONS = (
    f"any idp.example.com token holder sub {IN_DESCRIPTION}",
    "principals whose ARN matches 'arn:aws:iam::123456789012:role/it\\'s \\\\ here'",
)


def _descriptions(document: dict[str, Any]) -> list[str]:
    return [path["description"] for path in document["paths"]]


def test_trust_json_carries_the_description_escaped_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["trust", str(_policy(tmp_path)), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    descriptions = _descriptions(json.loads(result.output))
    for expected in EXPECTED_DESCRIPTIONS:
        assert any(d.startswith(expected) for d in descriptions), descriptions


@pytest.mark.parametrize("expected", EXPECTED_DESCRIPTIONS)
def test_trust_text_shows_the_description_as_json_carries_it(tmp_path: Path, expected: str) -> None:
    result = CliRunner().invoke(cli, ["trust", str(_policy(tmp_path))])
    assert result.exit_code in (0, 1), result.output
    assert f"  - {expected}" in result.output
