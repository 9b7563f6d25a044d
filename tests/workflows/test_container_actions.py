"""Docker container actions (``runs: using: docker``) that give their container AWS keys
from their inputs, in ``runs.env`` or ``runs.args``
(https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#runsenv,
https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#runsargs):
judged as composite actions are. The action file is reported where it hands the keys
on, and a workflow step that gives it secrets is reported whatever its inputs are called;
``fix`` edits neither (every workflow that runs the action shares it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import options, reasons, repo

ENV_ACTION = """\
name: upload
inputs:
  key: {required: true}
  secret: {required: true}
runs:
  using: docker
  image: Dockerfile
  env:
    AWS_ACCESS_KEY_ID: ${{ inputs.key }}
    AWS_SECRET_ACCESS_KEY: ${{ inputs.secret }}
"""

ARGS_ACTION = """\
name: upload
inputs:
  key: {required: true}
  secret: {required: true}
runs:
  using: docker
  image: docker://amazon/aws-cli:2.15.0
  args:
    - --aws-access-key-id
    - ${{ inputs.key }}
    - AWS_SECRET_ACCESS_KEY=${{ inputs.secret }}
"""

#: The same container given inputs that are no keys: a bucket and a path.
HARMLESS_ACTION = """\
name: upload
inputs:
  key: {required: true}
  secret: {required: true}
runs:
  using: docker
  image: Dockerfile
  env:
    BUCKET: ${{ inputs.key }}
  args:
    - --path
    - ${{ inputs.secret }}
"""


def _caller(key: str = "key", secret: str = "secret") -> str:
    return (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: ./.github/actions/upload\n        with:\n"
        f"          {key}: ${{{{ secrets.UPLOAD_KEY }}}}\n"
        f"          {secret}: ${{{{ secrets.UPLOAD_SECRET }}}}\n"
    )


def _messages(root: Path, name: str) -> list[tuple[str, str, str]]:
    found = []
    for finding in scan([root]).findings:
        if finding.resource.endswith(name):
            route = getattr(finding.location, "route", "")
            found.append((finding.check, route, finding.message))
    return found


@pytest.mark.parametrize(
    ("action", "route", "says"),
    [
        (
            ENV_ACTION,
            "runs.env.AWS_ACCESS_KEY_ID",
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set in the env of the action's container",
        ),
        (ARGS_ACTION, "runs.args", "the action passes AWS keys to its container in its args"),
    ],
)
def test_a_container_action_handing_its_inputs_to_aws_keys_is_reported(
    tmp_path: Path, action: str, route: str, says: str
) -> None:
    root = repo(tmp_path, {".github/actions/upload/action.yml": action})
    ((check, where, message),) = _messages(root, "action.yml")
    assert (check, where) == ("workflow-static-aws-keys-env", route)
    assert message.startswith(says)
    assert message.endswith(
        "the action takes AWS keys as its inputs key, secret: its callers hold them"
    )


@pytest.mark.parametrize("action", [ENV_ACTION, ARGS_ACTION])
def test_a_step_giving_such_an_action_secrets_under_other_names_is_reported(
    tmp_path: Path, action: str
) -> None:
    files = {".github/actions/upload/action.yml": action, ".github/workflows/ci.yml": _caller()}
    root = repo(tmp_path, files)
    ((check, where, message),) = _messages(root, "ci.yml")
    assert (check, where) == ("workflow-static-aws-keys-env", "jobs.build.steps[1].with.key")
    assert message.startswith(
        "job 'build' step 2 gives ./.github/actions/upload AWS keys as inputs (key, secret): "
        "the action "
    )
    assert "its container" in message
    assert message.endswith("; rewrite it by hand")


def test_aws_named_inputs_are_reported_in_the_action_and_once_in_the_step(
    tmp_path: Path,
) -> None:
    action = ENV_ACTION.replace("key", "aws_access_key_id").replace("secret", "aws_secret_key")
    files = {
        ".github/actions/upload/action.yml": action,
        ".github/workflows/ci.yml": _caller("aws_access_key_id", "aws_secret_key"),
    }
    root = repo(tmp_path, files)
    ((_, where, _),) = _messages(root, "action.yml")
    assert where == "runs.env.AWS_ACCESS_KEY_ID"
    ((_, _, message),) = _messages(root, "ci.yml")
    assert message.endswith("(aws_access_key_id, aws_secret_key); rewrite it by hand")


def test_a_container_given_inputs_that_are_no_keys_is_not_reported(tmp_path: Path) -> None:
    files = {
        ".github/actions/upload/action.yml": HARMLESS_ACTION,
        ".github/workflows/ci.yml": _caller(),
    }
    assert scan([repo(tmp_path, files)]).findings == ()


def test_fix_leaves_the_job_and_the_action_for_a_person(tmp_path: Path) -> None:
    files = {".github/actions/upload/action.yml": ENV_ACTION, ".github/workflows/ci.yml": _caller()}
    result = fix([repo(tmp_path, files)], options())
    assert result.changed == ()
    (workflow,) = [r for r in result.files if r.file.path.name == "ci.yml"]
    assert "is not a composite action" in reasons(workflow, "build")
    assert result.exit_code() == 1
