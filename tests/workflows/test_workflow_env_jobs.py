"""Keys in a workflow's ``env:`` reach every job: which jobs get the credentials step.

A job whose steps show a use of AWS (the AWS CLI or a tool that calls it, an ``AWS_``
variable, an AWS action) gets it. A job none of whose steps can call AWS gets nothing. A
job whose steps keyless cannot read (``npm run lint``) is the unsure case: one that pull
requests run gets no step (a fork's run gets no OIDC token, and the role should not trust
pull requests), any other gets it; the output says which, and why, either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless.workflows import fix, scan
from keyless.workflows.github_insertion import shows_aws_use
from keyless.workflows.yamldoc import load_text

from .builders import job, only, options, repo
from .conftest import run_actionlint

HEADER = """
    name: ci
    on:
      {on}
    env:
      AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
      AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
      AWS_REGION: eu-west-1
    jobs:
"""

LINT = """
      lint:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: actions/setup-node@v4
          - run: npm ci
          - name: Lint
            run: npm run lint
"""

DEPLOY = """
      deploy:
        if: github.event_name == 'push'
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci && npm run build
          - run: aws s3 sync ./dist s3://site --delete
"""

PUSH_AND_PR = "{push: {branches: [main]}, pull_request: {}}"


def _workflow(on: str, *jobs: str) -> str:
    return HEADER.format(on=on) + "".join(jobs)


def _fixed(tmp_path: Path, text: str) -> tuple[Any, Any]:
    root = repo(tmp_path, {".github/workflows/ci.yml": text})
    rewrite = only(fix([root], options(region=None)), "ci.yml")
    return rewrite, load_text(rewrite.after, Path("ci.yml")).root


def _uses(job: Any) -> list[str]:
    return [str(step.get("uses", "")) for step in job["steps"]]


def test_a_pull_request_job_with_no_sign_of_aws_gets_no_credentials_step(tmp_path: Path) -> None:
    rewrite, root = _fixed(tmp_path, _workflow(PUSH_AND_PR, LINT, DEPLOY))
    lint = root["jobs"]["lint"]
    assert not any("configure-aws-credentials" in uses for uses in _uses(lint))
    assert "permissions" not in lint
    assert "AWS_ACCESS_KEY_ID" not in root["env"]
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    (note,) = [n for n in rewrite.notes if n.startswith("job 'lint'")]
    assert "no step shows a use of AWS" in note
    assert "step 3, step 4 ('Lint')" in note
    assert "pull requests run it" in note


def test_the_job_that_calls_aws_still_gets_its_step(tmp_path: Path) -> None:
    _rewrite, root = _fixed(tmp_path, _workflow(PUSH_AND_PR, LINT, DEPLOY))
    deploy = root["jobs"]["deploy"]
    assert _uses(deploy)[1] == "aws-actions/configure-aws-credentials@v4"
    assert deploy["permissions"]["id-token"] == "write"


def test_a_pull_request_job_whose_step_reads_an_aws_variable_gets_the_step(
    tmp_path: Path,
) -> None:
    tests = LINT.replace("lint:", "tests:").replace(
        "run: npm run lint", 'run: npm test -- --region "$AWS_REGION"'
    )
    _rewrite, root = _fixed(tmp_path, _workflow(PUSH_AND_PR, tests))
    assert "aws-actions/configure-aws-credentials@v4" in _uses(root["jobs"]["tests"])


def test_a_pull_request_job_running_an_aws_action_gets_the_step(tmp_path: Path) -> None:
    ecr = LINT.replace("lint:", "image:").replace(
        "run: npm run lint", "uses: aws-actions/amazon-ecr-login@v2"
    )
    _rewrite, root = _fixed(tmp_path, _workflow(PUSH_AND_PR, ecr))
    assert "aws-actions/configure-aws-credentials@v4" in _uses(root["jobs"]["image"])


def test_an_unreadable_script_off_pull_requests_gets_the_step_and_says_why(
    tmp_path: Path,
) -> None:
    report = """
      report:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: ./scripts/cost-report.sh
"""
    rewrite, root = _fixed(tmp_path, _workflow("{schedule: [{cron: '0 3 * * *'}]}", report))
    assert _uses(root["jobs"]["report"])[1] == "aws-actions/configure-aws-credentials@v4"
    assert job(rewrite, "report").role
    (note,) = [n for n in rewrite.notes if "no step shows" in n]
    assert note.startswith("job 'report'")
    assert "no step shows a use of AWS, but step 2 may" in note
    assert "remove the step" in note


def test_a_job_no_step_of_which_can_call_aws_is_granted_nothing(tmp_path: Path) -> None:
    labels = """
      labels:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: actions/upload-artifact@v4
            with:
              path: dist
"""
    rewrite, root = _fixed(tmp_path, _workflow("{push: {branches: [main]}}", labels, DEPLOY))
    assert "permissions" not in root["jobs"]["labels"]
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert any(n.startswith("job 'labels': no step can call AWS") for n in rewrite.notes)


def test_the_rewrite_passes_actionlint_and_scans_clean(
    tmp_path: Path, needs_actionlint: None
) -> None:
    rewrite, _root = _fixed(tmp_path, _workflow(PUSH_AND_PR, LINT, DEPLOY))
    fixed = tmp_path / "fixed" / ".github" / "workflows" / "ci.yml"
    fixed.parent.mkdir(parents=True)
    fixed.write_text(rewrite.after, encoding="utf-8")
    assert run_actionlint([fixed]) == []
    assert not scan([tmp_path / "fixed"]).findings


CHECKS = """
      checks:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: terraform fmt -check -recursive
          - run: terraform validate
          - name: Helm lint
            run: helm lint charts/app && helm template charts/app > /dev/null
{extra}
"""


def test_offline_terraform_and_helm_commands_are_no_use_of_aws(tmp_path: Path) -> None:
    # `terraform fmt` / `validate` and `helm lint` / `template` read local files only: a
    # pull request job that runs nothing else gets no credentials step a fork would fail.
    text = _workflow(PUSH_AND_PR, CHECKS.format(extra=""), DEPLOY)
    rewrite, root = _fixed(tmp_path, text)
    checks = root["jobs"]["checks"]
    assert not any("configure-aws-credentials" in uses for uses in _uses(checks))
    assert "permissions" not in checks
    assert [j.job for j in rewrite.jobs] == ["deploy"]


def test_a_command_that_calls_aws_beside_them_still_counts(tmp_path: Path) -> None:
    extra = "          - run: terraform fmt -check && terraform plan"
    text = _workflow(PUSH_AND_PR, CHECKS.format(extra=extra), DEPLOY)
    _, root = _fixed(tmp_path, text)
    assert any("configure-aws-credentials" in u for u in _uses(root["jobs"]["checks"]))


def test_helm_template_that_asks_the_cluster_counts(tmp_path: Path) -> None:
    extra = "          - run: helm template charts/app --validate"
    text = _workflow(PUSH_AND_PR, CHECKS.format(extra=extra), DEPLOY)
    _, root = _fixed(tmp_path, text)
    assert any("configure-aws-credentials" in u for u in _uses(root["jobs"]["checks"]))


# Read at a size only a linear reading finishes (100,000 words: a quadratic one takes
# hours); how the time grows is benchmarks/bench_workflows.py's, not a clock here.
def test_reading_offline_commands_stays_linear() -> None:
    assert not shows_aws_use({"run": "helm template x " * 100_000})


def test_a_step_named_for_a_tool_is_no_use_of_aws(tmp_path: Path) -> None:
    # `name: Terraform checks` describes the step; what it runs (`make check`) cannot be
    # read: a pull request job gets no credentials step, and the note says which step.
    named = LINT.replace("name: Lint", "name: Terraform checks").replace(
        "          - run: npm ci\n", ""
    )
    rewrite, root = _fixed(tmp_path, _workflow(PUSH_AND_PR, named, DEPLOY))
    assert not any("configure-aws-credentials" in u for u in _uses(root["jobs"]["lint"]))
    (note,) = [n for n in rewrite.notes if n.startswith("job 'lint'")]
    assert "keyless cannot read what step 3 ('Terraform checks') runs" in note


def test_a_job_that_only_lints_is_said_to_call_nothing(tmp_path: Path) -> None:
    # Every command of its script is read (helm lint, cd, echo): nothing there can call
    # AWS, and the note does not say keyless cannot read it.
    lints = """
      charts:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: |
              cd charts
              echo "linting"
              helm lint app && helm template app > /dev/null
"""
    rewrite, root = _fixed(tmp_path, _workflow(PUSH_AND_PR, lints, DEPLOY))
    assert not any("configure-aws-credentials" in u for u in _uses(root["jobs"]["charts"]))
    (note,) = [n for n in rewrite.notes if n.startswith("job 'charts'")]
    assert note.startswith("job 'charts': no step can call AWS")
    assert "cannot read" not in note
