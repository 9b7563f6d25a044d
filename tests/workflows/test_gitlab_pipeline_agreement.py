"""``workflows scan`` and ``fix`` judge a GitLab pipeline as one, as GitLab assembles it: the
scan read each file alone, so keys whose job gets an endpoint, a script or variables from
another file (an ``include:``d template, its top-level ``variables:``) were reported
``high`` while ``fix`` left the job saying they "do not look like AWS keys" (exit 1), and
listed them again as not rewritten. Keys are cleared as another store's only when every
job that gets them shows it, and only when every include was read."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import FileLocation, Severity
from keyless.workflows import fix, scan

from .builders import only, options, repo

#: A template with an IAM user's keys, in an included file.
KEYS_TEMPLATE = (
    ".keys:\n  variables:\n    AWS_ACCESS_KEY_ID: $KEY\n    AWS_SECRET_ACCESS_KEY: $SECRET\n"
)
R2 = "https://abc.r2.cloudflarestorage.com"

#: Pipelines whose every job sends its keys to R2, the evidence in another file than the keys.
ANOTHER_STORE = {
    "template-endpoint-in-include": {
        ".gitlab-ci.yml": (
            "include: ci/r2.yml\nupload:\n  extends: .r2\n  variables:\n"
            "    AWS_ACCESS_KEY_ID: $KEY\n    AWS_SECRET_ACCESS_KEY: $SECRET\n"
            "  script:\n    - aws s3 sync public s3://site\n"
        ),
        "ci/r2.yml": f".r2:\n  variables:\n    AWS_ENDPOINT_URL: {R2}\n",
    },
    "endpoint-named-by-an-included-file-s-variables": {
        ".gitlab-ci.yml": (
            "include: ci/vars.yml\nupload:\n  variables:\n    AWS_ACCESS_KEY_ID: $KEY\n"
            "    AWS_SECRET_ACCESS_KEY: $SECRET\n    AWS_ENDPOINT_URL: $STORE\n"
            "  script:\n    - aws s3 sync public s3://site\n"
        ),
        "ci/vars.yml": f"variables:\n  STORE: {R2}\n",
    },
    "keys-in-included-template-script-in-job": {
        ".gitlab-ci.yml": (
            "include: ci/keys.yml\nupload:\n  extends: .keys\n"
            f"  script:\n    - aws s3 sync public s3://site --endpoint-url {R2}\n"
        ),
        "ci/keys.yml": KEYS_TEMPLATE,
    },
}


@pytest.mark.parametrize("files", ANOTHER_STORE.values(), ids=ANOTHER_STORE.keys())
def test_keys_every_job_sends_to_another_store_are_reported_by_neither(
    tmp_path: Path, files: dict[str, str]
) -> None:
    root = repo(tmp_path, files)
    assert scan([root]).findings == ()
    result = fix([root], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())
    assert any("job 'upload': its keys are for another endpoint" in n for n in rewrite.notes)
    assert all(r.unfixed == () for r in result.files)
    assert result.exit_code() == 0


def test_an_endpoint_keyless_cannot_read_is_said_by_both(tmp_path: Path) -> None:
    # The keys in an included template, the endpoint (a CI/CD variable) in the job.
    files = {
        ".gitlab-ci.yml": (
            "include: ci/keys.yml\nupload:\n  extends: .keys\n  variables:\n"
            "    AWS_ENDPOINT_URL: $ENDPOINT\n  script:\n    - aws s3 sync public s3://site\n"
        ),
        "ci/keys.yml": KEYS_TEMPLATE,
    }
    root = repo(tmp_path, files)
    (finding,) = scan([root]).findings
    assert finding.severity is Severity.MEDIUM
    assert "they go to an endpoint keyless cannot read (AWS_ENDPOINT_URL is $ENDPOINT)" in (
        finding.message
    )
    result = fix([root], options())
    ((job, reason),) = [(u.job, u.reason) for r in result.files for u in r.unfixed]
    assert job == "upload"
    assert reason.startswith(
        "its keys go to an endpoint keyless cannot read (AWS_ENDPOINT_URL is $ENDPOINT)"
    )


def test_keys_one_job_of_another_file_sends_to_aws_are_reported(tmp_path: Path) -> None:
    files = {
        ".gitlab-ci.yml": (
            "include: ci/keys.yml\nupload:\n  extends: .keys\n"
            f"  script:\n    - aws s3 sync public s3://site --endpoint-url {R2}\n"
            "deploy:\n  extends: .keys\n  script:\n    - aws s3 sync public s3://prod-site\n"
        ),
        "ci/keys.yml": KEYS_TEMPLATE,
    }
    root = repo(tmp_path, files)
    (finding,) = scan([root]).findings
    assert finding.severity is Severity.HIGH
    assert isinstance(finding.location, FileLocation)
    assert (finding.location.path.name, finding.location.route) == (
        "keys.yml",
        ".keys.variables.AWS_ACCESS_KEY_ID",
    )
    result = fix([root], options())
    assert [u.job for u in only(result, ".gitlab-ci.yml").unfixed] == ["upload", "deploy"]


def test_keys_are_not_cleared_while_an_include_is_unread(tmp_path: Path) -> None:
    # The remote file may hold jobs that extend `.keys` and call AWS: reported, and the
    # include named as not read.
    files = {
        ".gitlab-ci.yml": (
            "include:\n  - ci/keys.yml\n  - remote: https://example.com/ci.yml\n"
            f"upload:\n  extends: .keys\n  script:\n    - aws s3 sync public s3://site "
            f"--endpoint-url {R2}\n"
        ),
        "ci/keys.yml": KEYS_TEMPLATE,
    }
    root = repo(tmp_path, files)
    result = scan([root])
    assert [f.severity for f in result.findings] == [Severity.HIGH]
    assert [u.where.rsplit(": ", 1)[1] for u in result.unread] == [
        "include remote 'https://example.com/ci.yml'"
    ]
    fixed = fix([root], options())
    assert [u.job for u in only(fixed, ".gitlab-ci.yml").unfixed] == ["upload"]
    assert fixed.exit_code() == 3
