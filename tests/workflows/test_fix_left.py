"""What ``fix`` lists as left in a GitLab pipeline: a template's keys reaching only jobs
already left with their own reason are said once, with that reason, not again as "not
rewritten"."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix

from .builders import only, options, reasons, repo

#: A template's keys, and a job extending it that writes them into a named profile (left).
LEFT_JOB = """
.base:
  image: amazon/aws-cli
.keys:
  extends: .base
  variables:
    AWS_ACCESS_KEY_ID: $KEY
    AWS_SECRET_ACCESS_KEY: $SECRET
deploy:
  extends: {extends}
  script:
    - aws configure set aws_access_key_id $AWS_ACCESS_KEY_ID --profile prod
    - aws s3 ls --profile prod
"""

#: A second job that extends the template and is rewritten, or another template between.
OTHER_JOB = "check:\n  extends: .keys\n  script:\n    - aws s3 ls\n"
BETWEEN = ".more:\n  extends: .keys\n"


@pytest.mark.parametrize(
    ("extends", "extra"),
    [(".keys", ""), (".more", BETWEEN), ("[.base, .more]", BETWEEN)],
    ids=["direct", "through-a-template", "one-of-two"],
)
def test_a_template_whose_jobs_are_all_left_is_listed_once(
    tmp_path: Path, extends: str, extra: str
) -> None:
    text = LEFT_JOB.format(extends=extends) + extra
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert [(u.job, u.reason) for u in rewrite.unfixed] == [
        (
            "deploy",
            "a script writes the keys into a named profile (aws configure set … --profile): "
            "rewrite it by hand",
        )
    ]


def test_a_template_shared_by_two_left_jobs_is_said_with_their_reasons(tmp_path: Path) -> None:
    # `check` shares the template's keys with `deploy`: left too, saying so.
    text = LEFT_JOB.format(extends=".keys") + OTHER_JOB
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert [u.job for u in rewrite.unfixed] == ["deploy", "check"]
    assert reasons(rewrite, "check") == (
        "it shares its keys (a template, anchor or top-level variables) with job 'deploy', "
        "which is left as it is"
    )


def test_a_template_no_job_extends_is_listed(tmp_path: Path) -> None:
    text = LEFT_JOB.format(extends=".base")
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert any(
        u.job is None and u.reason.startswith("line 6 (.keys.variables.AWS_ACCESS_KEY_ID): ")
        for u in rewrite.unfixed
    )


def test_templates_that_extend_each_other_in_a_cycle_are_listed(tmp_path: Path) -> None:
    # GitLab refuses the cycle; fix still lists the keys rather than calling them said.
    text = LEFT_JOB.format(extends=".keys").replace("extends: .base", "extends: .keys")
    text = text.replace(".base:\n  image: amazon/aws-cli", ".base:\n  extends: .keys")
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert [u.job for u in rewrite.unfixed] == ["deploy", None]
    assert "set for template '.keys': keyless did not rewrite it" in reasons(rewrite, None)


#: The left job's reason, as fix gives it.
PROFILE_REASON = (
    "a script writes the keys into a named profile (aws configure set … --profile): "
    "rewrite it by hand"
)


def test_a_template_read_through_a_reference_is_listed_once(tmp_path: Path) -> None:
    # `variables: !reference [.keys, variables]` brings the template's keys as `extends`
    # does: the job is left with its reason, the template's keys are not listed again.
    text = LEFT_JOB.format(extends=".base").replace(
        "  extends: .base\n  script:",
        "  extends: .base\n  variables: !reference [.keys, variables]\n  script:",
    )
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert [(u.job, u.reason) for u in rewrite.unfixed] == [("deploy", PROFILE_REASON)]


def test_a_template_of_an_included_file_whose_jobs_are_all_left_is_listed_once(
    tmp_path: Path,
) -> None:
    # The template is in an included file, its only job in .gitlab-ci.yml: one pipeline.
    template, job = LEFT_JOB.format(extends=".keys").split("deploy:")
    files = {".gitlab-ci.yml": "include: ci/keys.yml\ndeploy:" + job, "ci/keys.yml": template}
    result = fix([repo(tmp_path, files)], options())
    assert [(u.job, u.reason) for u in only(result, ".gitlab-ci.yml").unfixed] == [
        ("deploy", PROFILE_REASON)
    ]
    assert only(result, "keys.yml").unfixed == ()
