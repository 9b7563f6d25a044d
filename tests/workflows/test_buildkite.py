"""Buildkite was read for literal keys only: the docker plugin's ``environment: [AWS_…]``,
the docker-compose plugin's pass-through and repository hooks exporting keys passed as
clean. Sources: https://github.com/buildkite-plugins/docker-buildkite-plugin (``environment``:
"Values specified as variable names will be passed through from the outer environment"),
https://buildkite.com/docs/agent/v3/hooks (repository hooks in ``.buildkite/hooks``),
https://buildkite.com/docs/pipelines/security/oidc/aws (the role instead)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.render.workflows import scan_text
from keyless.workflows import fix, scan

from .builders import options, repo

CHECK = "buildkite-static-aws-keys"


def _routes(root: Path) -> list[tuple[str, str]]:
    return [
        (f.location.path.name, f.location.route)
        for f in scan([root]).findings
        if f.check == CHECK and f.location
    ]


DOCKER = """
steps:
  - label: deploy
    command: aws s3 sync dist s3://site
    plugins:
      - __PLUGIN__:
          image: amazon/aws-cli
          __ENV__:
            - AWS_DEFAULT_REGION
            - AWS_ACCESS_KEY_ID
            - AWS_SECRET_ACCESS_KEY
"""


@pytest.mark.parametrize(
    ("plugin", "key"),
    [
        ("docker#v5.12.0", "environment"),
        ("buildkite-plugins/docker-buildkite-plugin#v5.12.0", "environment"),
        ("docker-compose#v5.4.0", "environment"),
        ("docker-compose#v5.4.0", "env"),
    ],
)
def test_a_container_plugin_given_the_agent_s_keys_is_reported(
    tmp_path: Path, plugin: str, key: str
) -> None:
    text = DOCKER.replace("__PLUGIN__", plugin).replace("__ENV__", key)
    root = repo(tmp_path, {".buildkite/pipeline.yml": text})
    where = f"steps[0].plugins[0].{plugin}.{key}"
    assert _routes(root) == [
        ("pipeline.yml", f"{where}[1]"),
        ("pipeline.yml", f"{where}[2]"),
    ]
    result = fix([root], options())
    assert result.exit_code() == 1  # each listed for a person with Buildkite's recipe
    [rewrite] = result.files
    assert all("aws-assume-role-with-web-identity" in u.reason for u in rewrite.unfixed)


def test_a_step_that_assumes_a_role_passes_temporary_keys(tmp_path: Path) -> None:
    text = DOCKER.replace("__PLUGIN__", "docker#v5.12.0").replace("__ENV__", "environment")
    text = text.replace(
        "    plugins:\n",
        "    plugins:\n      - aws-assume-role-with-web-identity#v1.4.0:\n"
        "          role-arn: arn:aws:iam::123456789012:role/deploy\n",
    ).replace(
        "- AWS_SECRET_ACCESS_KEY\n", "- AWS_SECRET_ACCESS_KEY\n            - AWS_SESSION_TOKEN\n"
    )
    root = repo(tmp_path, {".buildkite/pipeline.yml": text})
    assert _routes(root) == []


def test_other_variables_and_placeholders_are_not_keys(tmp_path: Path) -> None:
    text = DOCKER.replace("__PLUGIN__", "docker#v5.12.0").replace("__ENV__", "environment")
    text = text.replace("- AWS_ACCESS_KEY_ID", "- AWS_ACCESS_KEY_ID=test")
    text = text.replace("- AWS_SECRET_ACCESS_KEY", "- AWS_SECRET_ACCESS_KEY=test")
    root = repo(tmp_path, {".buildkite/pipeline.yml": text})
    assert _routes(root) == []


HOOK = """#!/bin/bash
set -euo pipefail
# the deploy keys
export AWS_ACCESS_KEY_ID="$(buildkite-agent secret get DEPLOY_KEY_ID)"
export AWS_SECRET_ACCESS_KEY="$(buildkite-agent secret get DEPLOY_SECRET)"
"""


def test_a_repository_hook_that_exports_keys_is_read_and_reported(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".buildkite/pipeline.yml": "steps:\n  - command: make\n",
            ".buildkite/hooks/pre-command": HOOK,
        },
    )
    result = scan([root])
    assert "pre-command" in {f.path.name for f in result.files}
    assert _routes(root) == [("pre-command", "line 4"), ("pre-command", "line 5")]
    assert [(f.location.line, f.location.column) for f in result.findings if f.location] == [
        (4, 1),
        (5, 1),
    ]


def test_a_hook_that_assumes_a_role_is_not_reported(tmp_path: Path) -> None:
    hook = HOOK + (
        'creds=$(aws sts assume-role --role-arn "$ROLE" --role-session-name ci)\n'
        'export AWS_SESSION_TOKEN="$(echo "$creds" | jq -r .Credentials.SessionToken)"\n'
    )
    root = repo(tmp_path, {".buildkite/hooks/post-checkout": hook})
    assert _routes(root) == []


def test_other_files_of_the_hooks_directory_are_not_hooks(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".buildkite/pipeline.yml": "steps: []\n", ".buildkite/hooks/README.md": HOOK},
    )
    assert [f.path.name for f in scan([root]).files] == ["pipeline.yml"]


def test_a_hook_named_on_the_command_line_is_a_buildkite_file(tmp_path: Path) -> None:
    root = repo(tmp_path, {".buildkite/hooks/pre-command": HOOK})
    result = scan([root / ".buildkite/hooks/pre-command"])
    assert [f.kind for f in result.files] == ["buildkite"]
    assert len(result.findings) == 2


def test_a_pipeline_that_is_no_yaml_is_still_read_for_literal_keys(tmp_path: Path) -> None:
    # A template (`{{ … }}` at the top level) or several documents: literal keys only.
    text = "steps:\n  - command: make\n---\nsteps:\n  - command: make deploy\n"
    root = repo(tmp_path, {".buildkite/pipeline.yml": text})
    result = scan([root])
    assert result.unread == ()
    assert [f.coverage for f in result.files] == ["literal-keys"]
    assert scan_text(result).endswith("1 read for literal keys only\n")


def test_keys_in_a_step_env_are_reported(tmp_path: Path) -> None:
    text = (
        "steps:\n  - label: deploy\n    command: ./deploy.sh\n    env:\n"
        '      AWS_ACCESS_KEY_ID: "$PROD_KEY_ID"\n      AWS_SECRET_ACCESS_KEY: "$PROD_SECRET"\n'
    )
    root = repo(tmp_path, {".buildkite/pipeline.yml": text})
    assert _routes(root) == [
        ("pipeline.yml", "steps[0].env.AWS_ACCESS_KEY_ID"),
        ("pipeline.yml", "steps[0].env.AWS_SECRET_ACCESS_KEY"),
    ]
