"""``plan --link`` (and ``[[plan.link]]``, ``--workflows``) given a clone URL with a token in it
(``https://user:ghp_…@github.com/acme/app``) echoed the token in its error, to a terminal
or a CI log; and ``acme/app.git`` (a clone URL's tail) was planned as a repository GitHub
can never have (it strips the suffix), so the role trusted a subject no token carries.
The token is now shown as ``…`` and the suffix refused with why (exit 2), on GitHub and
GitLab (whose paths never end in ``.git`` or ``.atom`` either)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.errors import ConfigError
from keyless.plan.links import parse_target
from tests.plan.conftest import EXPORT

TOKEN = "ghp_0123456789abcdefSECRET"


def plan(*args: str) -> Result:
    return CliRunner().invoke(cli, ["plan", "--input", str(EXPORT), *args], catch_exceptions=False)


@pytest.mark.parametrize(
    "link",
    [
        f"ci-deploy=https://alice:{TOKEN}@github.com/acme/app",
        f"ci-deploy=https://{TOKEN}@github.com/acme/app.git",
        f"ci-deploy=gitlab:https://oauth2:{TOKEN}@gitlab.com/group/project",
        f"ci-deploy=alice:{TOKEN}@github.com/acme/app",
        f"https://alice:{TOKEN}@github.com/acme/app",  # no USER=
    ],
)
def test_a_token_in_a_link_is_never_echoed(link: str) -> None:
    result = plan("--link", link)
    assert result.exit_code == 2, result.output
    assert TOKEN not in result.output
    assert "…@" in result.stderr


def test_a_token_in_the_configuration_is_never_echoed(tmp_path: Path) -> None:
    config = tmp_path / "keyless.toml"
    config.write_text(
        f'[[plan.link]]\nuser = "ci-deploy"\ntarget = "https://x:{TOKEN}@github.com/acme/app"\n'
    )
    result = plan("--config", str(config))
    assert result.exit_code == 2, result.output
    assert TOKEN not in result.output
    assert "'https://…@github.com/acme/app' (a URL: give the repository itself" in result.stderr


@pytest.mark.parametrize(
    "target",
    ["acme/app.git", "acme/.git", "github:acme/app.git", "gitlab:group/project.git",
     "gitlab:group.git/project", "gitlab:group/project.atom"],
)  # fmt: skip
def test_a_git_suffix_is_refused_with_why(target: str) -> None:
    with pytest.raises(ConfigError, match=r"never ends in \.git"):
        parse_target(target, "--link")


@pytest.mark.parametrize(
    "target", ["acme/app.github", "acme/.github", "acme/app.gitx", "gitlab:group/project.gitx"]
)
def test_names_that_only_hold_git_are_accepted(target: str) -> None:
    assert parse_target(target, "--link").value == target.removeprefix("gitlab:")


def test_the_plan_is_not_written_for_a_git_suffix(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = plan("--link", "ci-deploy=acme/app.git", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "not a link target: 'acme/app.git'" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "workflows",
    [f"https://alice:{TOKEN}@github.com/acme/app", f"acme/app=https://{TOKEN}@github.com/acme/app"],
)
def test_a_token_in_a_workflows_url_is_never_echoed(workflows: str) -> None:
    result = plan("--workflows", workflows)
    assert result.exit_code == 2, result.output
    assert TOKEN not in result.output
    assert "not the URL 'https://…@github.com/acme/app'" in result.stderr


def test_a_target_longer_than_any_name_is_refused_by_its_length(tmp_path: Path) -> None:
    """A target of most of a megabyte (keyless.toml allows one) was searched for a URL's credentials
    from every position, each scanning the rest: hours. It is refused by its length,
    shown cut, its token never echoed."""
    target = "a" * 900_000 + f"://x:{TOKEN}@github.com/acme/app"
    config = tmp_path / "keyless.toml"
    config.write_text(f'[[plan.link]]\nuser = "ci-deploy"\ntarget = "{target}"\n')
    result = plan("--config", str(config))
    assert result.exit_code == 2, result.output[:300]
    assert f"({len(target):,} characters, longer than any repository" in result.stderr
    assert TOKEN not in result.output


def test_a_long_link_without_a_user_is_shown_cut(tmp_path: Path) -> None:
    result = plan("--link", "a" * 100_000 + f"://x:{TOKEN}@github.com/acme/app")
    assert result.exit_code == 2
    assert TOKEN not in result.output


def test_a_token_given_as_the_user_is_never_echoed() -> None:
    result = plan("--link", f"https://x:{TOKEN}@github.com/acme/app=acme/app")
    assert result.exit_code == 2, result.output
    assert TOKEN not in result.output
    assert "not an IAM user name or user ARN: 'https://…@github.com/acme/app'" in result.stderr
