"""workflow-broad-id-token: reported only for jobs that inherit a workflow-level
``id-token: write`` and use no OIDC token, named in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan
from keyless.workflows.oidc_use import needless_id_token_jobs
from keyless.workflows.yamldoc import load_text

from .builders import GITHUB_CONFIGURE_KEYS, only, options, repo

WORKFLOW = """
name: ci
on: push
permissions:
  id-token: {grant}
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
{steps}
"""


def _needless(steps: str, grant: str = "write") -> tuple[str, ...]:
    text = WORKFLOW.format(grant=grant, steps=steps)
    return needless_id_token_jobs(load_text(text, Path("w.yml")).root)


@pytest.mark.parametrize(
    "steps",
    [
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n          role-to-assume: arn:aws:iam::123456789012:role/x\n"
        "          aws-region: us-east-1",
        "      - uses: google-github-actions/auth@v2\n"
        "        with:\n          workload_identity_provider: projects/1/x",
        "      - uses: actions/deploy-pages@v4",
        "      - uses: actions/attest-build-provenance@v2",
        "      - uses: pypa/gh-action-pypi-publish@release/v1",
        "      - uses: codecov/codecov-action@v5\n        with:\n          use_oidc: true",
        "      - run: npm publish --provenance",
        "      - run: cosign sign --yes ghcr.io/acme/app@sha256:abc",
        '      - run: curl "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com"',
        "      - uses: ./.github/actions/deploy",
    ],
)
def test_a_job_that_uses_or_may_use_the_token_is_not_named(steps: str) -> None:
    assert _needless(steps) == ()


@pytest.mark.parametrize(
    "steps",
    [
        "      - uses: actions/checkout@v4\n      - run: make test",
        # Keys and a role: role chaining requests no OIDC token.
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n          aws-access-key-id: ${{ secrets.K }}\n"
        "          aws-secret-access-key: ${{ secrets.S }}\n"
        "          role-to-assume: arn:aws:iam::123456789012:role/x",
        "      - run: gh attestation verify app.tgz -R acme/app",
    ],
)
def test_a_job_that_uses_no_token_is_named(steps: str) -> None:
    assert _needless(steps) == ("deploy",)


def test_nothing_is_named_without_a_workflow_level_grant() -> None:
    assert _needless("      - run: make test", grant="read") == ()


def test_a_job_with_its_own_permissions_inherits_nothing(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
            on: push
            permissions:
              id-token: write
            jobs:
              test:
                permissions:
                  contents: read
                runs-on: ubuntu-latest
                steps:
                  - run: make test
              deploy:
                runs-on: ubuntu-latest
                steps:
                  - uses: aws-actions/configure-aws-credentials@v4
                    with:
                      role-to-assume: arn:aws:iam::123456789012:role/deploy
                      aws-region: us-east-1
            """
        },
    )
    assert [f.check for f in scan([root]).findings] == []


def test_the_finding_names_the_jobs_that_do_not_need_the_token(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
            on: push
            permissions: write-all
            jobs:
              test:
                runs-on: ubuntu-latest
                steps:
                  - run: make test
              deploy:
                runs-on: ubuntu-latest
                steps:
                  - uses: aws-actions/configure-aws-credentials@v4
                    with:
                      role-to-assume: arn:aws:iam::123456789012:role/deploy
                      aws-region: us-east-1
            """
        },
    )
    (finding,) = scan([root]).findings
    assert (finding.check, finding.message) == (
        "workflow-broad-id-token",
        "job 'test' may request an OIDC token without using one "
        "(id-token: write at workflow level)",
    )


@pytest.mark.parametrize(
    ("permissions", "written"),
    [
        ("permissions: write-all\n", "permissions: write-all"),
        ("permissions: {id-token: write, contents: read}\n", "permissions (in flow style)"),
    ],
)
def test_fix_says_when_it_cannot_narrow_the_workflows_grant(
    tmp_path: Path, permissions: str, written: str
) -> None:
    # `fix` removes a block-style workflow-level id-token: write; these it cannot, and the
    # other jobs keep a grant with which they can assume the role on the same subject.
    build = "  build:\n    runs-on: x\n    steps:\n      - run: make\n"
    text = GITHUB_CONFIGURE_KEYS.replace("jobs:\n", f"{permissions}jobs:\n{build}")
    rewrite = only(fix([repo(tmp_path, {".github/workflows/d.yml": text})], options()), "d.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    (note,) = [n for n in rewrite.notes if "workflow-broad-id-token" in n]
    assert note.startswith(f"the workflow's {written} was left as it is")
    assert "(jobs 'build' too)" in note


@pytest.mark.parametrize(
    "step",
    [
        "uses: pypa/gh-action-pypi-publish@release/v1",
        "uses: google-github-actions/auth@v2\n        with:\n          project_id: x",
        "uses: hashicorp/vault-action@v3\n        with:\n          method: jwt",
        "run: npm publish --provenance",
    ],
)
def test_fix_keeps_the_token_of_a_job_that_uses_it_for_something_else(
    tmp_path: Path, step: str
) -> None:
    # Narrowing a workflow-level id-token: write to the jobs that assume a role must not
    # take it from a job that publishes to PyPI, logs in to Google Cloud or Vault with it.
    other = f"  publish:\n    runs-on: x\n    steps:\n      - {step}\n"
    text = GITHUB_CONFIGURE_KEYS.replace(
        "jobs:\n", f"permissions:\n  contents: read\n  id-token: write\njobs:\n{other}"
    )
    after = only(fix([repo(tmp_path, {".github/workflows/d.yml": text})], options()), "d.yml").after
    root = load_text(after, Path("d.yml")).root
    assert "id-token" not in root["permissions"]
    assert root["jobs"]["publish"]["permissions"]["id-token"] == "write"
    assert root["jobs"]["deploy"]["permissions"]["id-token"] == "write"


def test_fix_leaves_the_workflows_grant_when_every_key_job_is_left(tmp_path: Path) -> None:
    # Two IAM users chosen by the branch: the key job is left (exit 1). Nothing is
    # rewritten, so nothing is narrowed: the file stays as written (scan reports the
    # broad grant), where the workflow's id-token: write was moved to the OIDC job.
    choose = "${{ github.ref == 'refs/heads/main' && secrets.PROD_%s || secrets.DEV_%s }}"
    text = (
        GITHUB_CONFIGURE_KEYS.replace("jobs:\n", "permissions:\n  id-token: write\njobs:\n")
        .replace("${{ secrets.AWS_ACCESS_KEY_ID }}", choose % ("KEY", "KEY"))
        .replace("${{ secrets.AWS_SECRET_ACCESS_KEY }}", choose % ("SECRET", "SECRET"))
        + "  other:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n          role-to-assume: arn:aws:iam::123456789012:role/x\n"
        "          aws-region: us-east-1\n"
    )
    rewrite = only(fix([repo(tmp_path, {".github/workflows/d.yml": text})], options()), "d.yml")
    assert rewrite.jobs == ()
    assert [u.job for u in rewrite.unfixed] == ["deploy"]
    assert not rewrite.changed
    assert rewrite.after == rewrite.before
