"""A name of millions of characters (a resource label: Terraform sets no length on it) is
shortened where people read it, the text report and GitHub annotations, with an explicit
marker of what was left out; the JSON document and SARIF keep it whole, for the tools that
match findings by address and fingerprint (SARIF past GitHub's upload limit is still
written, with a warning: keyless.render.sarif_limits). Before, a 5 MB label made a 5 MB
line in a terminal or a CI log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.render.untrusted import LONGEST_WORD, shortened

LABEL = "u" * 5_000_000
ROLE_LABEL = "r" * 300_000
ANYONE = json.dumps(
    {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]}
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def long_labels(tmp_path: Path) -> Path:
    resources = {
        "aws_iam_user": {LABEL: {"name": "x"}},
        "aws_iam_role": {ROLE_LABEL: {"assume_role_policy": ANYONE}},
    }
    (tmp_path / "main.tf.json").write_text(json.dumps({"resource": resources}))
    return tmp_path


def test_a_long_word_is_cut_in_the_middle_with_a_marker() -> None:
    assert shortened("short words stay") == "short words stay"
    cut = shortened(f"aws_iam_user.{LABEL} creates")
    assert cut.startswith("aws_iam_user.uuu")
    assert "…[4,999,853 characters left out]…" in cut
    assert cut.endswith("u creates")
    assert max(len(word) for word in cut.split(" ")) < LONGEST_WORD


@pytest.mark.parametrize("output", ["text", "github"])
def test_the_text_and_annotations_shorten_a_long_label(long_labels: Path, output: str) -> None:
    result = run("iac", str(long_labels), "--format", output)
    assert result.exit_code == 1
    assert len(result.output) < 5_000
    assert "characters left out]…" in result.output
    assert "iac-iam-user" in result.output
    assert "trust-anyone" in result.output
    # the file stays whole, for an editor or the annotation to find it
    assert str(long_labels / "main.tf.json") in result.output


def test_keyless_trust_on_the_file_shortens_the_address(long_labels: Path) -> None:
    result = run("trust", str(long_labels / "main.tf.json"))
    assert len(result.output) < 5_000
    assert "characters left out]…" in result.output


def test_json_and_sarif_keep_the_address_whole(long_labels: Path) -> None:
    document = json.loads(run("iac", str(long_labels), "--format", "json").output)
    addresses = {f["address"] for f in document["findings"]}
    assert f"aws_iam_user.{LABEL}" in addresses
    sarif = json.loads(run("iac", str(long_labels), "--format", "sarif").output)
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any(f"aws_iam_user.{LABEL}" in m for m in messages)
