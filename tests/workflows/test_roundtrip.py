"""Untouched regions stay byte-identical: every original line the fix removes or replaces
is one it meant to (a key, a permission it rewrote); everything else survives in order."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyless.workflows import fix
from keyless.workflows.yamldoc import load_text

from .conftest import CORPUS, CORPUS_OPTIONS, corpus_cases

# Lines the rewrite may remove or replace: keys, and the mappings they empty; the inputs
# a local action routes into keys under other names (gh-composite-routed's DEPLOY_…); a
# GitLab token removed in 17.0 that a job reads (gl-removed-job-jwt's ${CI_JOB_JWT_V2}).
TOUCHABLE = re.compile(
    r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|aws-access-key-id|"
    r"aws-secret-access-key|aws-session-token|aws_access_key_id|aws_secret_access_key|"
    r"^\s*required: true|^\s*id-token: write|^\s*env:\s*$|^\s*secrets:\s*$|"
    r"^\s*with:\s*$|secrets\.DEPLOY_(?:ID|SECRET)\b|\$\{?CI_JOB_JWT_V2\b",
    re.IGNORECASE,
)


def assert_only_targeted_lines_changed(before: str, after: str) -> None:
    """Every removed or replaced line matches TOUCHABLE; unchanged lines keep their bytes."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            for line in old[i1:i2]:
                assert TOUCHABLE.search(line), f"untargeted line changed: {line!r}"


@pytest.mark.parametrize("case", corpus_cases())
def test_corpus_rewrites_touch_only_targeted_lines(case: str) -> None:
    for rewrite in fix([CORPUS / case / "input"], CORPUS_OPTIONS).files:
        assert_only_targeted_lines_changed(rewrite.before, rewrite.after)


TEMPLATE = """\
name: ci{c0}
on:
  push:
    branches: [main]{c1}
jobs:
  deploy:{c2}
    runs-on: ubuntu-latest
    env:
      KEEP_ME: {keep}{c3}
      AWS_ACCESS_KEY_ID: {q}${{{{ secrets.AWS_ACCESS_KEY_ID }}}}{q}
      AWS_SECRET_ACCESS_KEY: {q}${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}{q}{c4}
    steps:{c5}
      - uses: actions/checkout@v4
{blank}      - run: aws s3 ls{c6}
"""

comments = st.one_of(
    st.just(""),
    st.text(alphabet="abc XYZ-_.:!#'\"", max_size=20).map(lambda t: f"  # {t}"),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    c=st.lists(comments, min_size=7, max_size=7),
    q=st.sampled_from(["", "'", '"']),
    keep=st.sampled_from(["1", "'quoted'", '"double"', "&anchor value", "plain text"]),
    blank=st.sampled_from(["", "\n", "\n\n", "      # a comment line\n"]),
    crlf=st.booleans(),
)
def test_random_noise_survives_byte_for_byte(
    tmp_path: Path, c: list[str], q: str, keep: str, blank: str, crlf: bool
) -> None:
    text = TEMPLATE.format(c0=c[0], c1=c[1], c2=c[2], c3=c[3], c4=c[4], c5=c[5], c6=c[6],
                           q=q, keep=keep, blank=blank)  # fmt: skip
    if crlf:
        text = text.replace("\n", "\r\n")
    workflows = tmp_path / "repo" / ".github" / "workflows"
    shutil.rmtree(tmp_path / "repo", ignore_errors=True)
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_bytes(text.encode())
    (rewrite,) = fix([tmp_path / "repo"], CORPUS_OPTIONS).files
    assert rewrite.changed
    assert_only_targeted_lines_changed(rewrite.before, rewrite.after)
    assert "AWS_SECRET_ACCESS_KEY" not in rewrite.after
    assert ("\r\n" in rewrite.after) == crlf
    assert all(line in rewrite.after for line in text.splitlines() if "KEEP_ME" in line)
    load_text(rewrite.after, Path("ci.yml"))  # still valid YAML
