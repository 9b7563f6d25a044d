"""The README ``generate`` writes shows ARNs and commands in code spans, as they are typed:
prose escapes made the scanner role ``arn\\:aws\\:iam\\:\\:…`` for a person reading the
file in a terminal. A code span is inert on GitHub (no markup, autolink or mention); its
fence outruns any backticks in the value, and control characters become spaces. Checked
with two Markdown parsers: markdown-it-py (CommonMark) and cmark-gfm (GitHub's own)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from markdown_it import MarkdownIt

from keyless.generate.readme import literal
from tests.generate.conftest import edited, run

PCA = (
    "arn:aws:acm-pca:eu-west-1:210987654321:certificate-authority/"
    "11111111-2222-3333-4444-555555555555"
)
HOSTILE = (
    "arn:aws:iam::210987654321:role/keyless-scanner",
    "a`b``c",
    "`edge`",
    "x\x1b[31my\nz\u202e end",
    "www.evil.example @security-team <script>alert(1)</script> *x* [l](http://e)",
    "ends with a backslash \\",
)


def _inline(markdown: str) -> list[tuple[str, str]]:
    (_, inline, _) = MarkdownIt("commonmark").parse(markdown)
    assert inline.children is not None
    return [(token.type, token.content) for token in inline.children]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_literal_is_one_code_span_of_the_text(text: str) -> None:
    shown = " ".join(
        "".join(" " if unicodedata.category(c).startswith("C") else c for c in text).split()
    )
    markdown = f"see {literal(text)} here"
    assert "\n" not in markdown
    assert "\x1b" not in markdown
    assert _inline(markdown) == [
        ("text", "see "),
        ("code_inline", shown),
        ("text", " here"),
    ]
    html = cmarkgfm.github_flavored_markdown_to_html(markdown)
    assert "<a " not in html
    assert "<script>" not in html
    assert html.count("<code>") == 1


def test_the_readme_shows_arns_as_typed(export_plan: Path, tmp_path: Path, ca_cert: Path) -> None:
    out = tmp_path / "out"
    result = run("generate", str(export_plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    readme = (out / "README.md").read_text()
    arn = "arn:aws:iam::210987654321:role/keyless-scanner"
    assert f"trusts `{arn}` alone" in readme
    assert "arn\\:" not in readme
    codes = [
        token.content
        for block in MarkdownIt("commonmark").parse(readme)
        for token in block.children or ()
        if token.type == "code_inline"
    ]
    assert arn in codes


def test_a_left_out_role_reads_without_backslashes(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    # make demo's README: "role ci-staging-github \(639091229728\) (plan /oidc\_roles/0):
    # the plan names no subjects yet\: plan again with --link ci-staging\=ORG/REPO …".
    plan = edited(export_plan, tmp_path / "plan.json", _without_subjects)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 1, result.output
    (line,) = [
        line
        for line in (out / "README.md").read_text().splitlines()
        if "the plan names no subjects yet" in line
    ]
    assert "\\" not in line
    assert line.startswith("- role ci-deploy-github (210987654321) (plan `/oidc_roles/0`): ")
    assert line.endswith("plan again with --link ci-deploy=ORG/REPO and --workflows PATH")


@pytest.mark.parametrize("output_format", ["aws-config", "scp"])
def test_a_readme_without_roles_claims_no_trust_proof(
    export_plan: Path, tmp_path: Path, output_format: str
) -> None:
    out = tmp_path / "out"
    result = run("generate", str(export_plan), "--format", output_format, "--out", str(out),
                 "--sso-start-url", "https://d-0123456789.awsapps.com/start",
                 "--sso-region", "us-east-1", "--pca-arn", PCA)  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    readme = (out / "README.md").read_text()
    assert "What a `keyless plan` decided" in readme
    assert "trust policy" not in readme


def _without_subjects(document: dict[str, Any]) -> None:
    (role,) = [r for r in document["oidc_roles"] if r["name"] == "ci-deploy-github"]
    role["subjects"] = []
