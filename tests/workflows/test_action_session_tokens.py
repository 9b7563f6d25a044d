"""Keys an action is given with a session token, or an ASIA… key ID, are described as a
workflow's are (temporary credentials, medium when certain), in the action and in the
workflow that hands it a token under another name."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import scan

from .builders import repo

#: A composite action that takes the three parts of temporary credentials as inputs.
ACTION = """\
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
    - shell: bash
      env:
        AWS_ACCESS_KEY_ID: ${{ inputs.key }}
        AWS_SECRET_ACCESS_KEY: ${{ inputs.secret }}
        AWS_SESSION_TOKEN: ${{ inputs.token }}
      run: aws s3 ls
"""
CALLER = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/creds
        with:
          key: ${{ secrets.KEY }}
          secret: ${{ secrets.SECRET }}
          token: ${{ secrets.TOKEN }}
"""


def _found(root: Path, name: str) -> list[tuple[str, str]]:
    return [
        (f.severity.value, f.message)
        for f in scan([root]).findings
        if f.location is not None and f.location.path.name == name
    ]


def test_an_action_given_a_session_token_says_what_the_keys_likely_are(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/actions/creds/action.yml": ACTION})
    found = _found(root, "action.yml")
    assert [s for s, _ in found] == ["high", "high"]
    configure, env = (m for _, m in found)
    assert "; with aws-session-token: temporary credentials its callers hand it" in configure
    assert "; with AWS_SESSION_TOKEN: temporary credentials its callers hand it" in env
    assert "unless the token is left empty and the keys are an IAM user's long-lived" in env


def test_an_action_with_a_literal_asia_key_id_is_medium(tmp_path: Path) -> None:
    action = ACTION.replace(
        "AWS_ACCESS_KEY_ID: ${{ inputs.key }}", "AWS_ACCESS_KEY_ID: ASIAIOSFODNN7EXAMPLF"
    )
    root = repo(tmp_path, {".github/actions/creds/action.yml": action})
    [env] = [m for s, m in _found(root, "action.yml") if "set in the env of step 2" in m]
    assert "the key ID starts with ASIA: temporary credentials from AWS STS copied into the " in env
    severities = {m: s for s, m in _found(root, "action.yml")}
    assert severities[env] == "medium"


def test_a_workflow_handing_a_local_action_a_token_under_another_name(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".github/actions/creds/action.yml": ACTION, ".github/workflows/ci.yml": CALLER},
    )
    [(severity, message)] = _found(root, "ci.yml")
    assert severity == "high"
    assert "; with token (a session token): temporary credentials copied into secrets" in message


#: A container action that passes the three parts to its image as ENTRYPOINT arguments.
CONTAINER_ARGS = """\
inputs:
  key: {}
  secret: {}
  token: {}
runs:
  using: docker
  image: docker://amazon/aws-cli:2.15.0
  args:
    - --aws-access-key-id
    - ${{ inputs.key }}
    - AWS_SECRET_ACCESS_KEY=${{ inputs.secret }}
    - --aws-session-token=${{ inputs.token }}
"""


def test_a_container_action_s_args_with_a_session_token_say_so(tmp_path: Path) -> None:
    # runs.env said it; runs.args, which write no key names, did not.
    root = repo(tmp_path, {".github/actions/creds/action.yml": CONTAINER_ARGS})
    [(severity, message)] = _found(root, "action.yml")
    assert severity == "high"
    assert message.startswith("the action passes AWS keys to its container in its args")
    assert "; with token (a session token): temporary credentials its callers hand it" in message
    assert message.endswith(
        "unless the token is left empty and the keys are an IAM user's long-lived ones"
    )


def test_a_container_action_s_args_without_a_session_token_say_nothing_of_one(
    tmp_path: Path,
) -> None:
    action = CONTAINER_ARGS.replace("    - --aws-session-token=${{ inputs.token }}\n", "")
    root = repo(tmp_path, {".github/actions/creds/action.yml": action})
    [(_, message)] = _found(root, "action.yml")
    assert "session token" not in message


def test_titles_say_static_keys_where_a_message_may_say_temporary() -> None:
    from keyless.workflows.github_checks import STATIC_AWS_KEYS, STATIC_AWS_KEYS_ENV
    from keyless.workflows.gitlab import GITLAB_STATIC_AWS_KEYS

    for check in (STATIC_AWS_KEYS, STATIC_AWS_KEYS_ENV, GITLAB_STATIC_AWS_KEYS):
        assert "long-lived" not in check.title.lower()
        assert "static" in check.title.lower()
