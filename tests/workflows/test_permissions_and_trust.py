"""Token permissions that keep the job working, the caller/callee ceiling, and one verdict:
what fix recommends trusting passes keyless trust."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyless.findings import Severity
from keyless.workflows import fix
from keyless.workflows.model import Platform
from keyless.workflows.yamldoc import load_text

from .builders import job, only, options, repo, worst_trust_severity
from .conftest import CORPUS, CORPUS_OPTIONS, corpus_cases, run_actionlint

TEMPLATE = """
    name: release
    on:
      push:
        tags: ['v*']
    jobs:
      release:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          AWS_REGION: us-east-1
        steps:
          - uses: actions/checkout@v4
          - run: aws s3 cp dist/ s3://releases/ --recursive
          - STEP
"""


def _permissions(text: str, name: str) -> dict[str, str]:
    node: Any = load_text(text, Path("w.yml")).root["jobs"][name]["permissions"]
    return {str(k): str(v) for k, v in node.items()}


@pytest.mark.parametrize(
    ("step", "scope", "level"),
    [
        ("run: gh release create \"$GITHUB_REF_NAME\" dist/*\n            env:\n"
         "              GH_TOKEN: ${{ github.token }}", "contents", "write"),
        ("uses: softprops/action-gh-release@v2", "contents", "write"),
        ("run: gh pr comment 1 --body done", "pull-requests", "write"),
        ("run: >-\n              curl -X POST -H \"Authorization: Bearer $GITHUB_TOKEN\"\n"
         "              https://api.github.com/repos/acme/app/statuses/$GITHUB_SHA",
         "statuses", "write"),
        ("uses: actions/deploy-pages@v4", "pages", "write"),
        ("run: docker push ghcr.io/acme/app:latest", "packages", "write"),
    ],
)  # fmt: skip
def test_a_new_permissions_block_keeps_what_the_steps_use(
    tmp_path: Path, step: str, scope: str, level: str
) -> None:
    root = repo(tmp_path, {".github/workflows/release.yml": TEMPLATE.replace("STEP", step)})
    rewrite = only(fix([root], options()), "release.yml")
    granted = _permissions(rewrite.after, "release")
    assert granted[scope] == level
    assert granted["id-token"] == "write"


def test_a_step_whose_needs_cannot_be_read_is_named(tmp_path: Path) -> None:
    step = (
        "name: Label the release\n            uses: actions/github-script@v7\n"
        "            with:\n              github-token: ${{ secrets.GITHUB_TOKEN }}\n"
        "              script: console.log(1)"
    )
    root = repo(tmp_path, {".github/workflows/release.yml": TEMPLATE.replace("STEP", step)})
    notes = only(fix([root], options()), "release.yml").notes
    assert any("step 3 ('Label the release')" in n and "cannot tell" in n for n in notes)


@pytest.mark.usefixtures("needs_actionlint")
def test_inferred_permissions_pass_actionlint(tmp_path: Path) -> None:
    step = (
        "run: gh release create v1\n            env:\n              GH_TOKEN: ${{ github.token }}"
    )
    root = repo(tmp_path, {".github/workflows/release.yml": TEMPLATE.replace("STEP", step)})
    rewrite = only(fix([root], options()), "release.yml")
    rewrite.file.path.write_text(rewrite.after, encoding="utf-8")
    assert run_actionlint([rewrite.file.path]) == []


CALLEE = """
    name: publish
    on:
      workflow_call:
        secrets:
          AWS_ACCESS_KEY_ID:
            required: true
          AWS_SECRET_ACCESS_KEY:
            required: true
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
              aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
              aws-region: us-east-1
          - run: gh release upload v1 dist/app.zip
            env:
              GH_TOKEN: ${{ github.token }}
"""
CALLER = """
    name: main
    on:
      push:
        branches: [main]
    jobs:
      publish:
        uses: ./.github/workflows/publish.yml
        secrets:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""


def test_the_caller_grants_what_the_called_workflow_needs(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".github/workflows/publish.yml": CALLEE, ".github/workflows/main.yml": CALLER},
    )
    result = fix([root], options())
    caller = _permissions(only(result, "main.yml").after, "publish")
    callee = _permissions(only(result, "publish.yml").after, "publish")
    assert caller == {"contents": "write", "id-token": "write"}
    assert callee == {"contents": "write", "id-token": "write"}


#: CALLEE with a step giving an action keyless does not know the token.
CALLEE_UNKNOWN_USE = CALLEE.replace(
    "          - run: gh release upload",
    "          - uses: acme/notes@v1\n            with:\n              token: ${{ github.token }}\n"
    "          - run: gh release upload",
)


def test_a_caller_is_told_what_the_called_workflow_needs_that_keyless_cannot_tell(
    tmp_path: Path,
) -> None:
    # The caller declared no permissions: narrowed to what keyless can tell the callee
    # needs, it would cap the callee's step 2 below what it may need.
    root = repo(
        tmp_path,
        {".github/workflows/publish.yml": CALLEE_UNKNOWN_USE, ".github/workflows/main.yml": CALLER},
    )
    notes = only(fix([root], options()), "main.yml").notes
    assert (
        "job 'publish' calls ./.github/workflows/publish.yml, whose job 'publish' step 2 gives "
        "acme/notes the token; keyless cannot tell which permissions that needs: add them to "
        "this job's permissions too (a called workflow gets no more than its caller grants)"
    ) in notes


def test_a_caller_of_a_workflow_whose_needs_are_known_gets_no_such_note(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".github/workflows/publish.yml": CALLEE, ".github/workflows/main.yml": CALLER},
    )
    notes = only(fix([root], options()), "main.yml").notes
    assert not any("cannot tell" in n for n in notes)


def test_an_unknown_action_named_in_a_note_is_cut(tmp_path: Path) -> None:
    action = "acme/" + "n" * 5000
    step = f"uses: {action}@v1\n            with:\n              token: ${{{{ github.token }}}}"
    root = repo(tmp_path, {".github/workflows/release.yml": TEMPLATE.replace("STEP", step)})
    (note,) = [n for n in only(fix([root], options()), "release.yml").notes if "cannot tell" in n]
    assert len(note) < 500


def test_a_caller_whose_callee_is_left_keeps_passing_the_keys(tmp_path: Path) -> None:
    callee = CALLEE.replace("gh release upload v1 dist/app.zip", "s3cmd --host=minio.lan put x")
    callee = callee.replace("GH_TOKEN: ${{ github.token }}", "AWS_ENDPOINT_URL: http://minio.lan")
    root = repo(
        tmp_path,
        {".github/workflows/publish.yml": callee, ".github/workflows/main.yml": CALLER},
    )
    result = fix([root], options())
    assert not only(result, "main.yml").changed
    assert "which is left as it is" in only(result, "main.yml").unfixed[0].reason


DISPATCH = """
    name: ops
    on:
      workflow_dispatch:
    permissions:
      contents: read
    jobs:
      restart:
        runs-on: ubuntu-latest
        steps:
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              aws-access-key-id: ${{ secrets.OPS_KEY_ID }}
              aws-secret-access-key: ${{ secrets.OPS_SECRET }}
              aws-region: us-east-1
          - run: aws ecs update-service --cluster ops --service api --force-new-deployment
"""


def test_a_dispatch_job_is_not_told_to_trust_every_branch_or_tag(tmp_path: Path) -> None:
    # A dispatch runs on the ref its dispatcher picks: only the default branch is trusted.
    root = repo(tmp_path, {".github/workflows/ops.yml": DISPATCH})
    rewritten = job(only(fix([root], options()), "ops.yml"), "restart")
    recommended = [s.value for s in rewritten.recommended]
    assert recommended == ["repo:acme/app:ref:refs/heads/main"]
    assert rewritten.withheld == ()
    assert "refused by AWS" in rewritten.recommended[0].reason


def test_the_dispatch_recommendation_passes_keyless_trust(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/ops.yml": DISPATCH})
    rewritten = job(only(fix([root], options()), "ops.yml"), "restart")
    worst = worst_trust_severity(Platform.GITHUB, rewritten)
    assert worst is None or worst <= Severity.MEDIUM


@pytest.mark.parametrize("case", corpus_cases())
def test_every_recommendation_of_the_corpus_passes_keyless_trust(case: str) -> None:
    for rewrite in fix([CORPUS / case / "input"], CORPUS_OPTIONS).files:
        for rewritten in rewrite.jobs:
            if rewritten.recommended:
                worst = worst_trust_severity(rewrite.file.platform, rewritten)
                assert worst is None or worst <= Severity.MEDIUM, (case, rewritten.job)


@pytest.mark.parametrize("case", corpus_cases())
def test_every_subject_the_corpus_withholds_says_why(case: str) -> None:
    for rewrite in fix([CORPUS / case / "input"], CORPUS_OPTIONS).files:
        for rewritten in rewrite.jobs:
            assert all(w.reason for w in rewritten.withheld)
            assert rewritten.recommended or rewritten.trust_notes


PUSH_AND_DISPATCH = DISPATCH.replace(
    "      workflow_dispatch:\n",
    "      push:\n        branches: [main]\n      workflow_dispatch:\n",
)


def test_a_subject_two_triggers_give_is_recommended_once(tmp_path: Path) -> None:
    # push: branches: [main] and workflow_dispatch both give refs/heads/main (a dispatch
    # is trusted on the default branch only): the same subject, listed once.
    from keyless.render.workflows import fix_summary

    root = repo(tmp_path, {".github/workflows/ops.yml": PUSH_AND_DISPATCH})
    result = fix([root], options())
    rewritten = job(only(result, "ops.yml"), "restart")
    recommended = [s.value for s in rewritten.recommended]
    assert recommended == ["repo:acme/app:ref:refs/heads/main"]
    line = "StringEquals sub = repo:acme/app:ref:refs/heads/main"
    assert fix_summary(result).count(line) == 1
