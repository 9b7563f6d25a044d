"""CI files whose values repeat an alias ten levels deep (``[*a, *a, …]``: a billion
strings once expanded) where a list of names is expected: GitLab script sections,
``inherit:`` and ``extends:`` lists, GitHub triggers, branch filters and permission levels.
Each list is read once, and a nested list is never turned into text, so the scan and the
fix answer at once instead of never."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import only, options, repo


def _laughs(leaf: str, indent: str) -> str:
    """Anchors a … i, each list ten of the previous: ``i`` expands to 10⁹ leaves."""
    lines = [f"a: &a [{', '.join([leaf] * 10)}]"]
    lines += [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    return "".join(f"{indent}{line}\n" for line in lines)


def test_a_script_of_nested_aliases_is_read_once(tmp_path: Path) -> None:
    text = ".laughs:\n" + _laughs("'echo $CI_JOB_JWT_V2'", "  ") + "job:\n  script: *i\n"
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    found = scan([root]).findings
    # The ten lines of `a` are where the token is read, each once.
    assert {f.check for f in found} == {"gitlab-removed-job-jwt"}
    assert len(found) == 10
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert rewrite.after == rewrite.before  # read in a template: a note
    assert rewrite.notes


def test_an_inherit_list_of_nested_aliases_is_read_once(tmp_path: Path) -> None:
    job = "job:\n  inherit:\n    variables: *i\n  script: [aws s3 ls]\n"
    text = "variables:\n  STAGE: prod\n.laughs:\n" + _laughs("X", "  ") + job
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert [f.check for f in scan([root]).findings] == ["gitlab-implicit-aws-keys"]
    assert only(fix([root], options()), ".gitlab-ci.yml").after is not None


def test_a_job_too_large_to_compare_is_left_with_a_note(tmp_path: Path) -> None:
    text = "job:\n" + _laughs("x", "  ") + "  script:\n    - echo $CI_JOB_JWT_V2\n"
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert rewrite.after == rewrite.before
    (note,) = rewrite.notes
    assert note.startswith("job 'job' reads $CI_JOB_JWT_V2, which GitLab removed in 17.0")


@pytest.mark.parametrize(
    "head",
    [
        "on: *i\n",
        "on:\n  push:\n    branches: *i\n",
        "on: push\npermissions:\n  contents: *i\n  id-token: write\n",
    ],
    ids=["triggers", "branches", "permissions"],
)
def test_a_github_list_of_nested_aliases_is_never_text(tmp_path: Path, head: str) -> None:
    text = (
        "x-laughs:\n" + _laughs("x", "  ") + head + "jobs:\n  deploy:\n"
        "    runs-on: ubuntu-latest\n    env:\n"
        "      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
        "      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
        "    steps:\n      - run: aws s3 ls\n"
    )
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    assert "workflow-static-aws-keys-env" in {f.check for f in scan([root]).findings}
    assert only(fix([root], options()), "cd.yml").jobs


def test_a_gitlab_extends_list_of_nested_aliases_is_never_text(tmp_path: Path) -> None:
    job = "job:\n  extends: *i\n  script: [aws s3 ls]\n"
    root = repo(tmp_path, {".gitlab-ci.yml": ".laughs:\n" + _laughs("X", "  ") + job})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert rewrite.after == rewrite.before


@pytest.mark.parametrize(
    "job",
    [
        "    env:\n      AWS_ACCESS_KEY_ID: *i\n"
        "      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
        "    steps:\n      - run: aws s3 ls\n",
        "    env:\n      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
        "    steps:\n      - uses: foo/bar@v1\n        with:\n          aws-access-key-id: *i\n",
    ],
    ids=["env", "input"],
)
def test_a_github_key_id_of_nested_aliases_is_never_text(tmp_path: Path, job: str) -> None:
    text = "x-laughs:\n" + _laughs("x", "  ") + "on: push\njobs:\n  deploy:\n"
    text += "    runs-on: ubuntu-latest\n" + job
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    assert "workflow-static-aws-keys-env" in {f.check for f in scan([root]).findings}
