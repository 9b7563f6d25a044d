"""GitHub action metadata files (``action.yml``): found, read, judged by their steps, and
the workflows that run a local composite action judged by what it does with its inputs.
Through the CLI, as a user runs it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .builders import ROLE, repo
from .conftest import run_actionlint

#: A local action that writes its inputs into an AWS profile (a shape real repositories
#: use for sccache and similar tools), whatever the inputs are called.
PROFILE_ACTION = """\
name: creds
inputs:
  access_key_id: {required: true}
  secret_access_key: {required: true}
runs:
  using: composite
  steps:
    - name: Write the profile
      shell: bash
      run: |
        mkdir -p ~/.aws
        cat > ~/.aws/credentials <<EOF
        [default]
        aws_access_key_id=${{ inputs.access_key_id }}
        aws_secret_access_key=${{ inputs.secret_access_key }}
        EOF
"""
#: A local action that only hands its inputs to configure-aws-credentials.
CONFIGURE_ACTION = """\
inputs:
  key: {required: false}
  secret: {required: false}
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        aws-access-key-id: ${{ inputs.key }}
        aws-secret-access-key: ${{ inputs.secret }}
        aws-region: us-east-1
    - run: aws s3 ls
      shell: bash
"""


def caller(action: str = "./.github/actions/creds", **given: str) -> str:
    """A workflow whose job runs ``action`` with the inputs ``given``."""
    inputs = given or {
        "access_key_id": "${{ secrets.SCCACHE_KEY }}",
        "secret_access_key": "${{ secrets.SCCACHE_SECRET }}",
    }
    lines = "".join(f"          {k}: {v}\n" for k, v in inputs.items())
    return (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        f"      - uses: {action}\n        with:\n{lines}"
        "      - run: cargo build\n"
    )


def scan(*paths: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["workflows", "scan", "--format", "json", *map(str, paths)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def fix(root: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["workflows", "fix", "--role-arn", ROLE, "--repository", "acme/app",
         "--region", "us-east-1", *extra, str(root)],
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def messages(document: dict[str, Any], file: str) -> list[str]:
    return [f["message"] for f in document["findings"] if f["file"].endswith(file)]


def test_a_workflow_giving_a_local_action_keys_under_other_names_is_reported(
    tmp_path: Path,
) -> None:
    root = repo(
        tmp_path,
        {".github/actions/creds/action.yml": PROFILE_ACTION, ".github/workflows/ci.yml": caller()},
    )
    code, document = scan(root)
    assert code == 1
    (message,) = messages(document, "ci.yml")
    assert "job 'build' step 2 gives ./.github/actions/creds AWS keys as inputs" in message
    assert "(access_key_id, secret_access_key)" in message
    assert "writes access_key_id, secret_access_key into AWS credentials in its step 1" in message
    (action,) = messages(document, "action.yml")
    assert "it writes the key pair into a profile" in action
    assert "the action takes AWS keys as its inputs access_key_id, secret_access_key" in action
    assert "its callers hold them" in action


def test_a_workflow_named_alone_reads_the_local_actions_it_runs(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".github/actions/creds/action.yml": PROFILE_ACTION, ".github/workflows/ci.yml": caller()},
    )
    code, document = scan(root / ".github" / "workflows" / "ci.yml")
    assert (code, len(document["files"]), document["unread"]) == (1, 2, [])
    assert len(messages(document, "ci.yml")) == 1


def test_each_repository_of_a_directory_reads_its_own_actions(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name / ".git").mkdir(parents=True)
        repo(
            tmp_path / name,
            {
                ".github/actions/creds/action.yml": PROFILE_ACTION,
                ".github/workflows/ci.yml": caller(),
            },
        )
    repo(tmp_path / "three", {".github/workflows/ci.yml": caller(target="x86")})
    code, document = scan(tmp_path)
    assert (code, len(document["files"])) == (1, 5)
    assert len(messages(document, "ci.yml")) == 2


def test_the_action_file_named_alone_is_read_as_github_actions(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/actions/creds/action.yml": PROFILE_ACTION})
    code, document = scan(root / ".github" / "actions" / "creds" / "action.yml")
    assert code == 1
    assert [f["platform"] for f in document["files"]] == ["github"]
    assert [f["check"] for f in document["findings"]] == ["workflow-static-aws-keys-env"]


def test_an_action_file_is_read_for_key_use_and_a_workflow_in_full(tmp_path: Path) -> None:
    """Only the step-level key checks judge an action, and fix never rewrites it: its
    coverage must not promise what a workflow's does."""
    root = repo(
        tmp_path,
        {".github/actions/creds/action.yml": PROFILE_ACTION, ".github/workflows/ci.yml": caller()},
    )
    _, document = scan(root)
    coverage = {f["path"].rsplit("/", 1)[-1]: f["coverage"] for f in document["files"]}
    assert coverage == {"action.yml": "key-use", "ci.yml": "full"}


def test_a_yaml_file_named_action_yml_without_runs_is_not_an_action(tmp_path: Path) -> None:
    path = tmp_path / "action.yml"
    path.write_text("name: not an action\ndescription: no runs\n")
    result = CliRunner().invoke(cli, ["workflows", "scan", str(path)])
    assert result.exit_code == 2
    assert "not recognised as a CI file" in result.output


def test_a_repository_that_is_an_action_is_judged_at_its_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    root = repo(tmp_path, {"action.yml": CONFIGURE_ACTION})
    code, document = scan(root)
    assert code == 1
    (finding,) = document["findings"]
    assert finding["check"] == "workflow-static-aws-keys"
    assert finding["location"] == "runs.steps[0].with.aws-access-key-id"
    assert "keyless does not edit actions" in finding["remediation"]
    assert "takes AWS keys as its inputs key, secret" in finding["message"]


def test_an_action_yml_deep_in_a_repository_is_not_taken_for_an_action(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    root = repo(
        tmp_path,
        {"docs/examples/action.yml": CONFIGURE_ACTION, ".github/workflows/ci.yml": caller("x/y")},
    )
    _, document = scan(root)
    assert [Path(f["path"]).name for f in document["files"]] == ["ci.yml"]


def test_job_and_trigger_checks_do_not_count_an_action_as_evaluated(tmp_path: Path) -> None:
    action = """\
    runs:
      using: composite
      steps:
        - uses: actions/checkout@v4
          with:
            ref: ${{ github.event.pull_request.head.sha }}
        - uses: aws-actions/configure-aws-credentials@v4
          with:
            role-to-assume: arn:aws:iam::123456789012:role/ci
            aws-region: us-east-1
        - run: ./deploy.sh
          shell: bash
    """
    root = repo(tmp_path, {".github/actions/deploy/action.yml": action})
    code, document = scan(root)
    assert (code, document["findings"], document["unread"]) == (0, [], [])
    assert len(document["files"]) == 1
    runs = {r["check"]: (r["status"], r["evaluated"]) for r in document["check_runs"]}
    assert runs["workflow-static-aws-keys"] == ("evaluated", 1)
    # An action has no jobs, triggers or permissions: those checks read nothing in it.
    assert runs["workflow-broad-id-token"] == ("not_applicable", 0)
    assert runs["workflow-untrusted-checkout-id-token"] == ("not_applicable", 0)


@pytest.mark.parametrize("using", ["docker", "node20"])
def test_docker_and_javascript_actions_are_read_with_nothing_to_judge(
    tmp_path: Path, using: str
) -> None:
    action = f"""\
    inputs:
      access_key_id: {{required: true}}
    runs:
      using: {using}
      image: Dockerfile
      main: index.js
    """
    root = repo(
        tmp_path,
        {
            ".github/actions/creds/action.yml": action,
            ".github/workflows/ci.yml": caller(access_key_id="${{ secrets.SCCACHE_KEY }}"),
        },
    )
    code, document = scan(root)
    assert (code, document["findings"], document["unread"]) == (0, [], [])
    assert len(document["files"]) == 2


def test_a_step_found_by_its_names_is_reported_once(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/actions/aws/action.yml": CONFIGURE_ACTION.replace(
                "inputs.key", "inputs.aws-access-key-id"
            ).replace("inputs.secret", "inputs.aws-secret-access-key"),
            ".github/workflows/ci.yml": caller(
                "./.github/actions/aws",
                **{
                    "aws-access-key-id": "${{ secrets.AWS_ACCESS_KEY_ID }}",
                    "aws-secret-access-key": "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
                },
            ),
        },
    )
    _, document = scan(root)
    (message,) = messages(document, "ci.yml")
    assert "gives ./.github/actions/aws AWS keys as inputs" in message
    assert "the action hands" not in message  # the names said it already
    # The action only configures them: fix can stop passing them (github_composite).
    assert message.endswith(
        "`keyless workflows fix` can rewrite it (the action only hands them to "
        "aws-actions/configure-aws-credentials)"
    )


@pytest.mark.parametrize(
    "value",
    [
        "test",  # a placeholder for an emulator, no credential
        "",
    ],
)
def test_a_plain_word_given_to_the_action_is_no_key(tmp_path: Path, value: str) -> None:
    root = repo(
        tmp_path,
        {
            ".github/actions/creds/action.yml": PROFILE_ACTION,
            ".github/workflows/ci.yml": caller(
                access_key_id=f"'{value}'", secret_access_key=f"'{value}'"
            ),
        },
    )
    _, document = scan(root)
    assert messages(document, "ci.yml") == []


def test_a_dispatched_workflows_inputs_are_not_the_actions_inputs(tmp_path: Path) -> None:
    action = PROFILE_ACTION.replace("inputs.", "github.event.inputs.")
    root = repo(
        tmp_path,
        {".github/actions/creds/action.yml": action, ".github/workflows/ci.yml": caller()},
    )
    _, document = scan(root)
    assert messages(document, "ci.yml") == []
    (message,) = messages(document, "action.yml")
    assert "takes AWS keys as its inputs" not in message


def test_temporary_credentials_handed_on_are_not_long_lived_keys(tmp_path: Path) -> None:
    action = """\
    inputs:
      key: {}
      secret: {}
      token: {}
    runs:
      using: composite
      steps:
        - uses: aws-actions/configure-aws-credentials@v4
          with:
            aws-access-key-id: ${{ inputs.key }}
            aws-secret-access-key: ${{ inputs.secret }}
            aws-session-token: ${{ inputs.token }}
            aws-region: us-east-1
    """
    root = repo(
        tmp_path,
        {
            ".github/actions/creds/action.yml": action,
            ".github/workflows/ci.yml": caller(
                key="${{ steps.auth.outputs.aws-access-key-id }}",
                secret="${{ steps.auth.outputs.aws-secret-access-key }}",
                token="${{ steps.auth.outputs.aws-session-token }}",
            ),
        },
    )
    _, document = scan(root)
    assert messages(document, "ci.yml") == []


def test_keys_exported_or_written_through_a_variable_are_traced_to_the_inputs(
    tmp_path: Path,
) -> None:
    action = """\
    inputs:
      id: {}
      secret: {}
    runs:
      using: composite
      steps:
        - shell: bash
          run: echo "AWS_ACCESS_KEY_ID=${{ inputs.id }}" >> "$GITHUB_ENV"
        - shell: bash
          env:
            SECRET: ${{ inputs.secret }}
          run: aws configure set aws_secret_access_key "$SECRET"
    """
    root = repo(
        tmp_path,
        {
            ".github/actions/creds/action.yml": action,
            ".github/workflows/ci.yml": caller(
                id="${{ secrets.CACHE_ID }}", secret="${{ secrets.CACHE_SECRET }}"
            ),
        },
    )
    _, document = scan(root)
    found = messages(document, "action.yml")
    assert len(found) == 2
    assert "exports AWS_ACCESS_KEY_ID from its inputs" in found[0]
    assert "writes the key pair into a profile" in found[1]
    (message,) = messages(document, "ci.yml")
    assert "(id, secret)" in message


def test_keys_routed_through_a_nested_local_action_reach_the_caller(tmp_path: Path) -> None:
    outer = """\
    inputs:
      cache-key: {}
    runs:
      using: composite
      steps:
        - uses: ./.github/actions/creds
          with:
            access_key_id: ${{ inputs.cache-key }}
    """
    root = repo(
        tmp_path,
        {
            ".github/actions/creds/action.yml": PROFILE_ACTION,
            ".github/actions/cache/action.yml": outer,
            ".github/workflows/ci.yml": caller(
                "./.github/actions/cache", **{"cache-key": "${{ secrets.SCCACHE_KEY }}"}
            ),
        },
    )
    code, document = scan(root)
    assert code == 1
    (message,) = messages(document, "ci.yml")
    assert "gives ./.github/actions/cache AWS keys as inputs (cache-key)" in message
    assert "gives cache-key to ./.github/actions/creds as AWS keys" in message
    (nested,) = messages(document, "cache/action.yml")
    assert "takes AWS keys as its inputs cache-key" in nested


def test_actions_that_run_each_other_end(tmp_path: Path) -> None:
    looping = """\
    inputs:
      key: {}
    runs:
      using: composite
      steps:
        - uses: ./.github/actions/OTHER
          with:
            key: ${{ inputs.key }}
    """
    root = repo(
        tmp_path,
        {
            ".github/actions/a/action.yml": looping.replace("OTHER", "b"),
            ".github/actions/b/action.yml": looping.replace("OTHER", "a"),
            ".github/workflows/ci.yml": caller("./.github/actions/a", key="${{ secrets.K }}"),
        },
    )
    code, document = scan(root)
    assert (code, document["findings"]) == (0, [])


def test_a_missing_local_action_given_secrets_is_unread(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/ci.yml": caller("./tools/creds")})
    code, document = scan(root)
    assert code == 3
    (unread,) = document["unread"]
    assert unread["path"].endswith("tools/creds")
    assert "given secrets" in unread["reason"]


def test_a_missing_local_action_given_no_secrets_has_nothing_to_tell(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/ci.yml": caller("./tools/build", target="x86")})
    code, document = scan(root)
    assert (code, document["unread"]) == (0, [])


def test_a_local_action_outside_the_repository_is_never_read(tmp_path: Path) -> None:
    repo(tmp_path / "elsewhere", {"action.yml": PROFILE_ACTION})
    root = repo(tmp_path / "app", {".github/workflows/ci.yml": caller("./../elsewhere")})
    code, document = scan(root)
    assert code == 3
    assert len(document["files"]) == 1
    assert "outside the repository" in document["unread"][0]["reason"]


def test_an_action_linked_from_outside_is_unread(tmp_path: Path) -> None:
    outside = repo(tmp_path / "outside", {"action.yml": PROFILE_ACTION})
    root = repo(tmp_path / "app", {".github/workflows/ci.yml": caller()})
    actions = root / ".github" / "actions" / "creds"
    actions.mkdir(parents=True)
    (actions / "action.yml").symlink_to(outside / "action.yml")
    code, document = scan(root)
    assert code == 3
    assert [Path(u["path"]).name for u in document["unread"]] == ["action.yml"]
    assert messages(document, "action.yml") == []


def test_a_linked_actions_directory_leading_outside_is_unread(tmp_path: Path) -> None:
    outside = repo(tmp_path / "outside", {"creds/action.yml": PROFILE_ACTION})
    root = repo(tmp_path / "app", {".github/workflows/ci.yml": "on: push\njobs: {}\n"})
    (root / ".github" / "actions").mkdir()
    (root / ".github" / "actions" / "creds").symlink_to(outside / "creds")
    code, document = scan(root)
    assert code == 3
    assert "outside the paths given" in document["unread"][0]["reason"]


def test_a_linked_action_inside_the_repository_is_read(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {"shared/creds/action.yml": PROFILE_ACTION, ".github/workflows/ci.yml": caller()},
    )
    (root / ".github" / "actions").mkdir()
    (root / ".github" / "actions" / "creds").symlink_to(root / "shared" / "creds")
    code, document = scan(root)
    assert (code, document["unread"]) == (1, [])
    assert len(messages(document, "ci.yml")) == 1


@pytest.mark.skipif(os.name != "posix", reason="non-UTF-8 file names are a POSIX matter")
def test_an_action_whose_name_is_not_utf8_is_unread(tmp_path: Path) -> None:
    directory = os.path.join(os.fsencode(tmp_path), b".github", b"actions", b"cr\xffeds")
    os.makedirs(directory)
    with open(os.path.join(directory, b"action.yml"), "w") as handle:
        handle.write(PROFILE_ACTION)
    repo(tmp_path, {".github/workflows/ci.yml": "on: push\njobs: {}\n"})
    code, document = scan(tmp_path)
    assert code == 3
    assert "not UTF-8" in document["unread"][0]["reason"]


def test_an_unparsable_action_is_unread_not_clean(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/actions/creds/action.yml": "runs: [unclosed\n",
            ".github/workflows/ci.yml": caller(),
        },
    )
    code, document = scan(root)
    assert code == 3
    assert "creds/action.yml" in document["unread"][0]["path"]


def test_a_hostile_uses_path_is_no_traceback(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/ci.yml": caller('"./a\\0b"')})
    code, document = scan(root)
    assert code == 3
    assert "NUL" in document["unread"][0]["reason"]


def test_fix_never_edits_an_action_and_leaves_its_keys_to_a_person(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".github/actions/creds/action.yml": PROFILE_ACTION, ".github/workflows/ci.yml": caller()},
    )
    before = (root / ".github" / "actions" / "creds" / "action.yml").read_text()
    code, output = fix(root, "--write")
    assert code == 1
    assert (root / ".github" / "actions" / "creds" / "action.yml").read_text() == before
    assert "keyless does not edit actions" in output
    assert "by hand, have the action's callers assume a role" in output
    # The job gives the action its keys, which it writes into a profile: left whole.
    assert "uses its input access_key_id other than as a key input" in output
    assert "secrets.SCCACHE_KEY" in (root / ".github" / "workflows" / "ci.yml").read_text()


@pytest.mark.usefixtures("needs_actionlint")
def test_fix_stops_giving_keys_to_an_action_that_only_configures_them(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/actions/aws/action.yml": CONFIGURE_ACTION,
            ".github/workflows/ci.yml": caller(
                "./.github/actions/aws", key="${{ secrets.DEPLOY_ID }}",
                secret="${{ secrets.DEPLOY_SECRET }}",
            ),
        },
    )  # fmt: skip
    code, output = fix(root)
    assert "a/.github/actions" not in output  # the diff never touches the action
    assert "-          key: ${{ secrets.DEPLOY_ID }}" in output
    assert "role-to-assume: arn:aws:iam::123456789012:role/ci" in output
    assert code == 1  # the action itself still takes keys: left for a person
    fix(root, "--write")
    workflow = root / ".github" / "workflows" / "ci.yml"
    assert "DEPLOY_ID" not in workflow.read_text()
    assert run_actionlint([workflow]) == []


def test_a_huge_input_name_is_quoted_in_part(tmp_path: Path) -> None:
    huge = "k" * 1_000  # YAML's longest plain key: a message would repeat it whole
    root = repo(
        tmp_path,
        {
            ".github/actions/creds/action.yml": PROFILE_ACTION.replace(
                "inputs.access_key_id", f"inputs.{huge}"
            ).replace("  access_key_id:", f"  {huge}:"),
            ".github/workflows/ci.yml": caller(**{huge: "${{ secrets.CACHE_KEY }}"}),
        },
    )
    _, document = scan(root)
    assert len(document["findings"]) == 2
    assert all(len(f["message"]) < 1_000 for f in document["findings"])
    assert all("kkkkkkkk…" in f["message"] for f in document["findings"])
    _, output = fix(root)
    assert "uses its input 'kkkkkkkk" in output
    assert "k" * 300 not in output.replace(f".with.{huge}", "")  # the route names it whole
