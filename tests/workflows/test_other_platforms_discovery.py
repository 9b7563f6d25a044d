"""Where the other platforms keep pipelines beyond their one well-known file: Azure's
``.azure-pipelines/`` directory, Buildkite's ``.buildkite/`` subdirectories and
``buildkite/pipeline.yml``, CircleCI's continuation configurations, GitLab includes of
includes when a file is given directly.

Sources: https://buildkite.com/docs/agent/v3/cli-pipeline (the files ``pipeline upload``
reads), https://circleci.com/docs/using-dynamic-configuration/ (a setup configuration,
``setup: true``, continuing with ``continuation/continue`` and ``configuration_path``),
https://circleci.com/developer/orbs/orb/circleci/path-filtering (``config-path``, by
default ``.circleci/continue_config.yml``), https://docs.gitlab.com/ci/yaml/includes/
(nested includes).
"""

from __future__ import annotations

import os
from pathlib import Path

from keyless.findings import FileLocation, Finding
from keyless.workflows import scan
from keyless.workflows.discovery import discover

from .builders import repo

KEY_ID = "AKIA" + "Q7ZK3M2PLX9RT4VW"  # key-shaped, not a real key

SETUP = """
version: 2.1
setup: true
orbs:
  continuation: circleci/continuation@1.1.0
jobs:
  set-param:
    docker:
      - image: cimg/node:24.0.1
    steps:
      - continuation/continue:
          parameters: '{ "further": true }'
          configuration_path: ci/config_continue.yml
workflows:
  use-my-orb:
    jobs:
      - set-param
"""
CONTINUED = """
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@4.1.3
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - aws-cli/setup
      - run: aws s3 sync ./public s3://my-bucket
workflows:
  main:
    jobs: [deploy]
"""


def _platforms(root: Path) -> dict[str, str]:
    return {str(f.path.relative_to(root)): f.platform.value for f in discover([root]).files}


def _names(findings: tuple[Finding, ...]) -> list[str]:
    names = []
    for finding in findings:
        assert isinstance(finding.location, FileLocation)
        names.append(finding.location.path.name)
    return names


def test_azure_pipelines_directory_and_its_templates_are_read(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".azure-pipelines/deploy.yml": "trigger: [main]\nsteps:\n  - template: t/s.yml\n",
            ".azure-pipelines/t/s.yml": f"steps:\n  - script: aws s3 ls\n    env:\n"
            f"      AWS_ACCESS_KEY_ID: {KEY_ID}\n",
            ".azure-pipelines/README.md": "not a pipeline\n",
        },
    )
    assert _platforms(root) == {
        ".azure-pipelines/deploy.yml": "azure-pipelines",
        ".azure-pipelines/t/s.yml": "azure-pipelines",
    }
    result = scan([root])
    # The literal key, and (Azure read for key use) its mapping into the step's env.
    assert _names(result.findings) == ["s.yml", "s.yml"]
    assert sorted(f.check for f in result.findings) == [
        "azure-static-aws-keys",
        "workflow-hardcoded-aws-key",
    ]
    assert {f.repository_root for f in discover([root]).files} == {root}


def test_buildkite_subdirectories_and_the_plain_buildkite_directory(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".buildkite/pipeline.deploy.yml": "steps:\n  - command: make\n",
            ".buildkite/pipelines/release.yml": "steps:\n  - command: make release\n",
            "buildkite/pipeline.yml": "steps:\n  - command: make\n",
            "buildkite/other.yml": "unrelated: true\n",
        },
    )
    assert _platforms(root) == {
        ".buildkite/pipeline.deploy.yml": "buildkite",
        ".buildkite/pipelines/release.yml": "buildkite",
        "buildkite/pipeline.yml": "buildkite",
    }
    given = root / ".buildkite/pipelines/release.yml"
    (file,) = discover([given]).files
    assert (file.platform.value, file.repository_root) == ("buildkite", root)


def test_a_linked_subdirectory_of_buildkite_is_named_unread(tmp_path: Path) -> None:
    root = repo(tmp_path / "r", {".buildkite/pipeline.yml": "steps: []\n"})
    outside = repo(tmp_path / "o", {"x.yml": "steps: []\n"})
    os.symlink(outside, root / ".buildkite" / "more")
    found = discover([root])
    assert [f.path.name for f in found.files] == ["pipeline.yml"]
    assert [u.where for u in found.unread] == [str(root / ".buildkite" / "more")]


def test_circleci_continuation_configurations_are_read(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".circleci/config.yml": SETUP,
            ".circleci/continue_config.yml": CONTINUED,
            "ci/config_continue.yml": CONTINUED,
        },
    )
    for given in (root, root / ".circleci" / "config.yml"):
        result = scan([given])
        assert sorted(str(f.path.relative_to(root)) for f in result.files) == [
            ".circleci/config.yml",
            ".circleci/continue_config.yml",
            "ci/config_continue.yml",
        ]
        assert set(_names(result.findings)) == {"continue_config.yml", "config_continue.yml"}


def test_circleci_files_beside_a_config_that_is_no_setup_are_not_pipelines(
    tmp_path: Path,
) -> None:
    root = repo(
        tmp_path,
        {".circleci/config.yml": CONTINUED, ".circleci/codecov.yml": "coverage: {}\n"},
    )
    assert [f.path.name for f in scan([root]).files] == ["config.yml"]


def test_a_continuation_that_links_out_of_the_paths_is_unread(tmp_path: Path) -> None:
    root = repo(tmp_path / "r", {".circleci/config.yml": SETUP})
    outside = repo(tmp_path / "o", {"c.yml": CONTINUED})
    os.symlink(outside / "c.yml", root / ".circleci" / "continue_config.yml")
    result = scan([root])
    assert [f.path.name for f in result.files] == ["config.yml"]
    assert [Path(u.where).name for u in result.unread] == ["continue_config.yml"]


NOT_GUESSABLE = f"variables:\n  AWS_ACCESS_KEY_ID: {KEY_ID}\n"


def test_a_file_included_through_nested_gitlab_includes_is_gitlab(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".gitlab-ci.yml": "include:\n  - local: ci/a.yml\n",
            "ci/a.yml": "include:\n  - local: ci/b.yml\n",
            "ci/b.yml": "include: ci/c.yml\n",
            "ci/c.yml": NOT_GUESSABLE,
        },
    )
    (file,) = discover([root / "ci" / "c.yml"]).files
    assert file.platform.value == "gitlab"


def test_gitlab_include_cycles_end_and_decide_nothing(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".gitlab-ci.yml": "include:\n  - local: ci/a.yml\n",
            "ci/a.yml": "include:\n  - local: ci/b.yml\n",
            "ci/b.yml": "include:\n  - local: ci/a.yml\n",
            "ci/c.yml": NOT_GUESSABLE,
        },
    )
    found = discover([root / "ci" / "c.yml"])
    assert found.files == ()
    assert "not recognised" in found.unread[0].reason


def test_a_platform_directory_above_the_path_given_says_nothing(tmp_path: Path) -> None:
    root = repo(
        tmp_path / ".azure-pipelines" / "checkout",
        {"azure-pipelines.yml": "trigger: [main]\n", "deploy/compose.yml": "services: {}\n"},
    )
    assert _platforms(root) == {"azure-pipelines.yml": "azure-pipelines"}


def test_gitlab_include_chains_are_read_no_further_than_gitlab_reads(tmp_path: Path) -> None:
    files = {".gitlab-ci.yml": "include: ci/0.yml\n"}
    files |= {f"ci/{n}.yml": f"include: ci/{n + 1}.yml\n" for n in range(200)}
    files["ci/99.yml"] = "include: [ci/100.yml, ci/near.yml]\n"
    files["ci/199.yml"] = "include: [ci/200.yml, ci/far.yml]\n"
    files |= {"ci/near.yml": NOT_GUESSABLE, "ci/far.yml": NOT_GUESSABLE}
    root = repo(tmp_path, files)
    (near,) = discover([root / "ci" / "near.yml"]).files
    assert near.platform.value == "gitlab"
    assert discover([root / "ci" / "far.yml"]).files == ()


def test_a_bitbucket_pipeline_imported_from_another_repository_is_not_read(
    tmp_path: Path,
) -> None:
    # https://support.atlassian.com/bitbucket-cloud/docs/share-pipelines-configurations/
    text = (
        "pipelines:\n  branches:\n    main:\n      import: shared:master:deploy-to-aws\n"
        "  default:\n    - step:\n        script: [make]\n"
    )
    result = scan([repo(tmp_path, {"bitbucket-pipelines.yml": text})])
    (unread,) = result.unread
    assert unread.where.endswith(
        "bitbucket-pipelines.yml: pipelines.branches.main imports 'shared:master:deploy-to-aws'"
    )
    assert unread.reason.startswith("a pipeline of another repository")
    assert result.exit_code("high") == 3


def test_an_imported_pipeline_under_a_hostile_name_is_shown_escaped(tmp_path: Path) -> None:
    text = 'pipelines:\n  branches:\n    "m\\u001b[31m":\n      import: "a:b:\\u001b[31mc"\n'
    (unread,) = scan([repo(tmp_path, {"bitbucket-pipelines.yml": text})]).unread
    assert "\x1b" not in unread.where
