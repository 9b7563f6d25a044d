"""Keys for an S3-compatible store (Cloudflare R2, MinIO…) are not AWS keys: the scan does
not report them as long-lived AWS keys, unless the evidence is only one step of a job
whose keys reach AWS too. An endpoint kept in a secret may be AWS's: reported medium, and
left for a person by fix, both saying so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.workflows import fix, scan

from .builders import only, options, reasons, repo

#: MinIO's keys (upload), the test keys (test) and real AWS keys (deploy) in one GitLab file.
GITLAB_STORES = """
upload:
  variables:
    AWS_ACCESS_KEY_ID: $MINIO_ACCESS_KEY
    AWS_SECRET_ACCESS_KEY: $MINIO_SECRET_KEY
    AWS_ENDPOINT_URL: https://minio.example.internal
  script:
    - aws s3 cp x s3://b/
test:
  variables:
    AWS_ACCESS_KEY_ID: testing
    AWS_SECRET_ACCESS_KEY: testing
  script:
    - pytest
deploy:
  variables:
    AWS_ACCESS_KEY_ID: $DEPLOY_KEY_ID
    AWS_SECRET_ACCESS_KEY: $DEPLOY_SECRET
  script:
    - aws s3 sync dist s3://site
"""


def _checks(tmp_path: Path, text: str) -> list[str]:
    root = repo(tmp_path, {".github/workflows/w.yml": text})
    return [f.check for f in scan([root]).findings]


def test_step_keys_for_r2_are_not_reported(tmp_path: Path) -> None:
    text = """
    on: push
    jobs:
      upload:
        runs-on: ubuntu-latest
        steps:
          - env:
              AWS_ACCESS_KEY_ID: ${{ secrets.R2_ACCESS_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.R2_SECRET_ACCESS_KEY }}
            run: aws s3 sync public/ s3://assets --endpoint-url https://x.r2.cloudflarestorage.com
    """
    assert _checks(tmp_path, text) == []


def test_job_keys_for_a_minio_endpoint_are_not_reported(tmp_path: Path) -> None:
    text = """
    on: push
    jobs:
      upload:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.SECRET }}
          AWS_ENDPOINT_URL: https://minio.internal:9000
        steps:
          - run: aws s3 cp build.tgz s3://artifacts/
    """
    assert _checks(tmp_path, text) == []


def test_job_keys_are_reported_when_only_one_step_uses_an_emulator(tmp_path: Path) -> None:
    text = """
    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
        steps:
          - run: aws --endpoint-url http://localhost:4566 s3 ls
          - run: aws s3 sync dist s3://site
    """
    assert _checks(tmp_path, text) == ["workflow-static-aws-keys-env"]


def test_gitlab_dummy_and_store_keys_are_not_aws_keys(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB_STORES})
    found = [(f.check, f.message) for f in scan([root]).findings]
    assert found == [
        (
            "gitlab-static-aws-keys",
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set for job 'deploy'",
        )
    ]


def test_fix_leaves_to_a_person_only_the_keys_the_scan_reports(tmp_path: Path) -> None:
    # MinIO's and the test keys are not reported: fix neither rewrites nor lists them
    # (they were "left for you", exit 1, though the scan was clean).
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB_STORES})
    result = fix([root], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert rewrite.unfixed == ()
    assert reasons(rewrite, "upload") == ""
    assert "$MINIO_ACCESS_KEY" in rewrite.after
    assert result.exit_code() == 0


def test_fix_says_why_it_left_another_store_s_job_alone(tmp_path: Path) -> None:
    text = """
    on: push
    jobs:
      upload:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.SECRET }}
          AWS_ENDPOINT_URL: https://minio.internal:9000
        steps:
          - run: aws s3 cp build.tgz s3://artifacts/
    """
    root = repo(tmp_path, {".github/workflows/w.yml": text})
    role = "arn:aws:iam::123456789012:role/deploy"
    result = CliRunner().invoke(cli, ["workflows", "fix", "--role-arn", role, str(root)])
    assert result.exit_code == 0, result.output
    assert "note: job 'upload': its keys are for another endpoint" in result.output


#: Keys beside an endpoint kept in a secret (R2's holds the account ID): AWS's endpoint or
#: another store's, keyless cannot tell.
UNSEEN_ENDPOINT = """
on:
  push:
    branches: [main]
{workflow_env}jobs:
  upload:
    runs-on: ubuntu-latest
{job_env}    steps:
      - uses: actions/checkout@v4
      - run: aws s3 sync dist s3://assets --endpoint-url "$S3_API_ENDPOINT"
{step_env}"""
_KEYS = (
    "AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
    "AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
)
_ENDPOINT = "S3_API_ENDPOINT: ${{ secrets.S3_API_ENDPOINT }}\n"


def _indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


@pytest.mark.parametrize(
    ("workflow_env", "job_env", "step_env"),
    [
        ("env:\n" + _indented(_KEYS + _ENDPOINT, 2), "", ""),
        ("", "    env:\n" + _indented(_KEYS + _ENDPOINT, 6), ""),
        ("", "    env:\n" + _indented(_KEYS, 6), "        env:\n" + _indented(_ENDPOINT, 10)),
    ],
    ids=["workflow", "job", "endpoint-in-step"],
)
def test_scan_and_fix_agree_on_an_endpoint_kept_in_a_secret(
    tmp_path: Path, workflow_env: str, job_env: str, step_env: str
) -> None:
    text = UNSEEN_ENDPOINT.format(workflow_env=workflow_env, job_env=job_env, step_env=step_env)
    root = repo(tmp_path, {".github/workflows/upload.yml": text})
    # The scan reports them, medium, saying what it cannot tell…
    [found] = scan([root]).findings
    assert found.severity.value == "medium"
    assert "an endpoint keyless cannot read" in found.message
    assert "S3_API_ENDPOINT is ${{ secrets.S3_API_ENDPOINT }}" in found.message
    # …and fix leaves them for a person, saying the same, never "not AWS keys".
    rewrite = only(fix([root], options()), "upload.yml")
    assert not rewrite.changed
    left = reasons(rewrite, "upload")
    assert "an endpoint keyless cannot read" in left
    assert "do not look like AWS keys" not in left


def test_an_endpoint_that_names_its_host_is_still_another_store(tmp_path: Path) -> None:
    endpoint = "S3_API_ENDPOINT: https://${{ secrets.CF_ACCOUNT }}.r2.cloudflarestorage.com\n"
    text = UNSEEN_ENDPOINT.format(
        workflow_env="", job_env="    env:\n" + _indented(_KEYS + endpoint, 6), step_env=""
    )
    root = repo(tmp_path, {".github/workflows/upload.yml": text})
    assert not scan([root]).findings
    rewrite = only(fix([root], options()), "upload.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())


#: GitLab: keys beside an endpoint that is a CI/CD variable, in the job's variables or
#: in its script.
GITLAB_UNSEEN = """
upload:
  variables:
    AWS_ACCESS_KEY_ID: $KEY_ID
    AWS_SECRET_ACCESS_KEY: $SECRET
{variables}  script:
    - aws s3 sync dist s3://assets{option}
"""


@pytest.mark.parametrize(
    ("variables", "option", "shown"),
    [
        ("    AWS_ENDPOINT_URL: $S3_ENDPOINT\n", "", "AWS_ENDPOINT_URL is $S3_ENDPOINT"),
        ("", ' --endpoint-url "$S3_ENDPOINT"', 'a command passes --endpoint-url "$S3_ENDPOINT"'),
    ],
    ids=["variable", "script"],
)
def test_gitlab_scan_and_fix_agree_on_an_endpoint_kept_in_a_variable(
    tmp_path: Path, variables: str, option: str, shown: str
) -> None:
    root = repo(
        tmp_path, {".gitlab-ci.yml": GITLAB_UNSEEN.format(variables=variables, option=option)}
    )
    [found] = scan([root]).findings
    assert found.severity.value == "medium"
    assert f"they go to an endpoint keyless cannot read ({shown})" in found.message
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    left = reasons(rewrite, "upload")
    assert f"its keys go to an endpoint keyless cannot read ({shown})" in left
    assert "do not look like AWS keys" not in left


def test_gitlab_endpoint_named_by_a_variable_of_the_file_is_read(tmp_path: Path) -> None:
    # GitLab puts the file's STORE_URL into AWS_ENDPOINT_URL: MinIO's keys, not reported.
    text = "variables:\n  STORE_URL: https://minio.internal:9000\n" + GITLAB_UNSEEN.format(
        variables="    AWS_ENDPOINT_URL: ${STORE_URL}\n", option=""
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert not scan([root]).findings
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())


# How the time grows with the file is measured by benchmarks/bench_workflows.py (not timed here).
def test_gitlab_notes_are_worked_out_once_per_file(tmp_path: Path) -> None:
    # Templates with keys, each extended by a job that passes an endpoint kept in
    # a variable: each note read every job of the file (minutes at 3,500).
    text = "".join(
        f".t{i}:\n  variables:\n    AWS_ACCESS_KEY_ID: $K{i}\n    AWS_SECRET_ACCESS_KEY: $S\n"
        f"j{i}:\n  extends: .t{i}\n  script:\n    - aws s3 ls --endpoint-url $E\n"
        for i in range(300)
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    found = scan([root]).findings
    assert len(found) == 300
    assert all("an endpoint keyless cannot read" in f.message for f in found)


def test_github_jobs_are_looked_up_once_per_file(tmp_path: Path) -> None:
    # Jobs with keys in their env: each key site listed every job of the file.
    jobs = "".join(
        f"  j{i}:\n    runs-on: ubuntu-latest\n    env:\n"
        f"      AWS_ACCESS_KEY_ID: ${{{{ secrets.K{i} }}}}\n"
        "      AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n"
        '    steps:\n      - run: aws s3 ls --endpoint-url "$E"\n'
        for i in range(300)
    )
    root = repo(tmp_path, {".github/workflows/w.yml": "on: push\njobs:\n" + jobs})
    found = scan([root]).findings
    assert len(found) == 300


def test_a_long_job_s_steps_are_looked_up_not_listed(tmp_path: Path) -> None:
    # Steps of one job, each given keys in its env: each step's site listed every
    # step of the job (a minute at 4,000).
    steps = "".join(
        f"      - run: aws s3 cp f{i} s3://b/\n        env:\n"
        f"          AWS_ACCESS_KEY_ID: ${{{{ secrets.K{i} }}}}\n"
        "          AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n"
        for i in range(600)
    )
    text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n" + steps
    root = repo(tmp_path, {".github/workflows/w.yml": text})
    found = scan([root]).findings
    assert len(found) == 600


#: GitLab: a job's own keys and its script that names another store's host, as a GitHub
#: step's env and run (test_step_keys_for_r2_are_not_reported).
GITLAB_STORE_SCRIPT = """
upload:
  variables:
    AWS_ACCESS_KEY_ID: $BUCKET_KEY
    AWS_SECRET_ACCESS_KEY: $BUCKET_SECRET
  script:
    - aws s3 sync public s3://site --endpoint-url https://{host}
"""


@pytest.mark.parametrize(
    "host",
    [
        "abc123.r2.cloudflarestorage.com",
        "s3.eu-central-1.wasabisys.com",
        "fra1.digitaloceanspaces.com",
        "minio.internal:9000",
    ],
)
def test_gitlab_scan_and_fix_agree_on_a_store_named_in_the_script(
    tmp_path: Path, host: str
) -> None:
    # The scan said high while fix said the keys "do not look like AWS keys".
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB_STORE_SCRIPT.format(host=host)})
    assert not scan([root]).findings
    result = fix([root], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())
    assert any("its keys are for another endpoint" in n for n in rewrite.notes)
    assert result.exit_code() == 0


GITLAB_SHARED_KEYS = """
.keys:
  variables:
    AWS_ACCESS_KEY_ID: $BUCKET_KEY
    AWS_SECRET_ACCESS_KEY: $BUCKET_SECRET
upload:
  extends: .keys
  script:
    - aws s3 sync public s3://site --endpoint-url https://abc.r2.cloudflarestorage.com
deploy:
  extends: .keys
  script:
    - aws s3 sync public s3://prod-site
"""


def test_gitlab_template_keys_one_job_sends_elsewhere_are_still_reported(
    tmp_path: Path,
) -> None:
    # The template's keys reach `deploy` too, which calls AWS: one job's store proves nothing.
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB_SHARED_KEYS})
    assert [f.location.route for f in scan([root]).findings if f.location] == [
        ".keys.variables.AWS_ACCESS_KEY_ID"
    ]


def test_gitlab_keys_of_a_job_another_extends_are_still_reported(tmp_path: Path) -> None:
    text = GITLAB_STORE_SCRIPT.format(host="abc.r2.cloudflarestorage.com") + (
        "prod:\n  extends: upload\n  script:\n    - aws s3 sync public s3://prod-site\n"
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert [f.location.route for f in scan([root]).findings if f.location] == [
        "upload.variables.AWS_ACCESS_KEY_ID"
    ]
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not any("its keys are for another endpoint" in n for n in rewrite.notes)
