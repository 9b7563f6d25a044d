"""A workflow's own text quoted in `keyless workflows fix` output is quoted in part
(``keyless.errors.quoted``): a step named with 100,000 characters is not echoed whole."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from keyless.cli import cli
from keyless.errors import SHOWN_POINTER
from keyless.render.workflows import fix_summary
from keyless.workflows import fix, scan
from tests.workflows.builders import CIRCLECI_KEYS, GITHUB_KEYS, options, repo

HUGE = "x" * 100_000
# The usual keys job, and a step of an action keyless reports by name, named hugely.
WORKFLOW = (
    GITHUB_KEYS
    + f"""\
      - name: {HUGE}
        uses: jakejarvis/s3-sync-action@v0.5.1
"""
)


def test_a_huge_step_name_is_quoted_in_part(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(WORKFLOW)
    result = CliRunner().invoke(
        cli,
        ["workflows", "fix", "--role-arn", "arn:aws:iam::123456789012:role/ci",
         "--repository", "acme/app", str(tmp_path)],
    )  # fmt: skip
    lines = [line for line in result.output.splitlines() if "xxxxxxxx" in line]
    assert lines, result.output[:2000]
    # The line also names the file and says what to do instead: 200 characters of the name.
    assert all(len(line) < 700 and "xxxxxxxx…" in line for line in lines), [
        line[:300] for line in lines
    ]


def test_the_location_of_a_finding_left_for_a_person_is_cut(tmp_path: Path) -> None:
    # A CircleCI job named with 1,000 characters: fix leaves its keys for a person, and
    # each reason starts with where they are (`line 7 (jobs.….environment.…)`).
    name = "j" * 1_000
    text = CIRCLECI_KEYS.replace("deploy", name).replace(
        "    docker:", "    environment:\n      AWS_ACCESS_KEY_ID: $KEY_ID\n    docker:"
    )
    (rewrite,) = fix([repo(tmp_path, {".circleci/config.yml": text})], options()).files
    reasons = [u.reason for u in rewrite.unfixed if u.reason.startswith("line 7 (")]
    assert reasons
    for reason in reasons:
        where = reason.split("): ", 1)[0]
        assert len(where) <= len("line 7 (") + SHOWN_POINTER + 1
        assert where.endswith("…")


def test_a_huge_circleci_job_name_is_quoted_in_part(tmp_path: Path) -> None:
    name = "j" * 1_000
    text = CIRCLECI_KEYS.replace("deploy", name).replace(
        "    docker:", "    environment:\n      AWS_ACCESS_KEY_ID: $KEY_ID\n    docker:"
    )
    (rewrite,) = fix([repo(tmp_path, {".circleci/config.yml": text})], options()).files
    assert rewrite.unfixed
    assert all(name not in u.reason for u in rewrite.unfixed)
    assert any(f"job '{'j' * 200}…'" in u.reason for u in rewrite.unfixed)


def test_a_huge_github_job_name_is_quoted_in_part(tmp_path: Path) -> None:
    # Every message and every line of fix's summary names the job, cut; JSON and SARIF
    # locations keep the route whole (it is data, not text for a person).
    name = "j" * 1_000
    text = GITHUB_KEYS.replace("deploy:", f"{name}:") + (
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n"
        "          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
        "          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
        "          aws-region: us-east-1\n"
    )
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    messages = [f.message for f in scan([root]).findings]
    assert len(messages) == 2
    assert all(name not in m and f"job '{'j' * 200}…'" in m for m in messages)
    summary = fix_summary(fix([root], options()))
    assert name not in summary
    assert f"job {'j' * 200}…: assumes" in summary
