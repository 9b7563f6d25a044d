"""CircleCI's aws-cli orb: ``setup`` given ``role_arn`` exchanges the job's OIDC token
(not reported); ``setup`` without it configures the CLI from the key variables
(reported). ``role_arn_setup`` (``role-arn-setup`` before aws-cli 4) writes a profile that
assumes its role from the keys ``setup`` wrote: role chaining from long-lived keys, which
passed as OIDC because its parameter is named ``role_arn`` too."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import options, repo

CONFIG = """
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@VERSION
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - checkout
SETUP      - run: aws s3 sync ./public s3://my-bucket --profile deploy
workflows:
  main:
    jobs:
      - deploy:
          context: aws-keys
"""

CHAINED_V4 = """\
      - aws-cli/setup:
          profile_name: default
      - aws-cli/role_arn_setup:
          role_arn: arn:aws:iam::123456789012:role/deploy
          profile_name: deploy
          source_profile: default
"""

CHAINED_V3 = """\
      - aws-cli/setup:
          profile-name: default
      - aws-cli/role-arn-setup:
          role-arn: arn:aws:iam::123456789012:role/deploy
          profile-name: deploy
          source-profile: default
"""

OIDC = """\
      - aws-cli/setup:
          role_arn: arn:aws:iam::123456789012:role/deploy
          profile_name: deploy
"""


def _config(tmp_path: Path, setup: str, version: str = "4.1.3") -> Path:
    text = CONFIG.replace("SETUP", setup).replace("VERSION", version)
    return repo(tmp_path, {".circleci/config.yml": text})


@pytest.mark.parametrize(
    ("setup", "version"), [(CHAINED_V4, "4.1.3"), (CHAINED_V3, "3.2.0")], ids=["v4", "v3"]
)
def test_a_role_chained_from_the_keys_is_reported(tmp_path: Path, setup: str, version: str) -> None:
    root = _config(tmp_path, setup, version)
    [found] = scan([root]).findings
    assert found.check == "circleci-static-aws-keys"
    assert found.location is not None
    assert found.location.route == "jobs.deploy.steps[1]"
    assert "runs aws-cli/setup without role_arn" in found.message
    result = fix([root], options())
    assert result.exit_code() == 1  # listed for a person, with the OIDC recipe


def test_setup_given_a_role_is_oidc(tmp_path: Path) -> None:
    root = _config(tmp_path, OIDC)
    assert scan([root]).findings == ()
    assert fix([root], options()).exit_code() == 0


def test_a_command_that_only_chains_a_role_is_no_oidc_for_its_jobs(tmp_path: Path) -> None:
    text = (
        CONFIG.replace("VERSION", "4.1.3")
        .replace("SETUP", "      - aws-cli/setup\n      - chain\n")
        .replace(
            "jobs:\n  deploy:",
            "commands:\n  chain:\n    steps:\n      - aws-cli/role_arn_setup:\n"
            "          role_arn: arn:aws:iam::123456789012:role/deploy\n"
            "          profile_name: deploy\njobs:\n  deploy:",
        )
    )
    root = repo(tmp_path, {".circleci/config.yml": text})
    routes = [f.location.route for f in scan([root]).findings if f.location]
    assert routes == ["jobs.deploy.steps[1]"]
