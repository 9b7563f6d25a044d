"""What people tell the planner: ``[plan]`` in keyless.toml and ``--link`` values, each
checked against its grammar."""

from __future__ import annotations

import pytest

from keyless.config import parse_config
from keyless.errors import ConfigError, InputError
from keyless.plan.links import parse_link_option, parse_target
from keyless.plan.model import LinkKind


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("acme/app", LinkKind.GITHUB, "acme/app"),
        ("github:acme/app.site", LinkKind.GITHUB, "acme/app.site"),
        ("acme/.github", LinkKind.GITHUB, "acme/.github"),
        ("acme/...", LinkKind.GITHUB, "acme/..."),
        ("gitlab:group/sub/project", LinkKind.GITLAB, "group/sub/project"),
        ("gitlab:" + "/".join(["g"] * 22), LinkKind.GITLAB, "/".join(["g"] * 22)),
        ("host:nas01.example.com", LinkKind.HOST, "nas01.example.com"),
        ("aws:ec2", LinkKind.SERVICE, "ec2.amazonaws.com"),
        ("aws:ecs", LinkKind.SERVICE, "ecs-tasks.amazonaws.com"),
        ("aws:states.amazonaws.com", LinkKind.SERVICE, "states.amazonaws.com"),
    ],
)
def test_link_targets_parse(text: str, kind: LinkKind, value: str) -> None:
    target = parse_target(text, "test")
    assert (target.kind, target.value) == (kind, value)


@pytest.mark.parametrize(
    "text",
    [
        "acme",
        "acme/app/extra",
        "host:",
        "host:a b",
        "aws:no such",
        "ftp:x/y",
        "-x/y",
        # GitHub reserves "." and ".." as repository names.
        "github:acme/..",
        "acme/.",
        # GitLab: at most 20 subgroups, segments of at most 255 characters.
        "gitlab:" + "/".join(["g"] * 23),
        "gitlab:group/" + "p" * 256,
    ],
)
def test_bad_link_targets_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="not a link target"):
        parse_target(text, "test")


def test_a_link_option_needs_user_and_target() -> None:
    with pytest.raises(InputError, match="USER=TARGET"):
        parse_link_option("acme/app")


def test_a_link_names_a_user_by_name_or_arn() -> None:
    request = parse_link_option("arn:aws:iam::111122223333:user/ci/deploy=acme/app")
    assert request.user == "arn:aws:iam::111122223333:user/ci/deploy"
    with pytest.raises(ConfigError, match="not an IAM user name"):
        parse_link_option("a b=acme/app")


def test_the_plan_table_is_read() -> None:
    config = parse_config(
        {
            "plan": {
                "link": [{"user": "ci", "target": "acme/app", "account": "111122223333"}],
                "keep": [{"user": "break-glass", "reason": "vault"}],
            }
        },
        source="keyless.toml",
    )
    (link,) = config.plan.links
    (keep,) = config.plan.keep
    assert (link.user, link.target, link.account) == ("ci", "acme/app", "111122223333")
    assert (keep.user, keep.reason, keep.where) == (
        "break-glass",
        "vault",
        "keyless.toml [[plan.keep]] #1",
    )


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"keep": [{"user": "x"}]}, "'reason' is mandatory"),
        ({"keep": [{"user": "x", "reason": "  "}]}, "'reason' is mandatory"),
        ({"link": [{"user": "x", "target": "a/b", "extra": 1}]}, "unknown key"),
        ({"links": []}, "unknown key"),
        ({"link": {"user": "x"}}, "must be a table"),
        ({"keep": [{"user": "x", "reason": "line\nbreak"}]}, "control character"),
        ({"link": [{"user": "x", "target": "a/b", "account": "12"}]}, "12-digit account ID"),
    ],
)
def test_a_bad_plan_table_is_a_config_error(plan: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"plan": plan})


@pytest.mark.parametrize(
    "text",
    ["x" * 100_000 + "=acme/app", "ci-deploy=" + "a/" * 50_000, "=" + "y" * 100_000],
)
def test_a_huge_link_is_quoted_in_part(text: str) -> None:
    with pytest.raises((InputError, ConfigError)) as refused:
        parse_link_option(text)
    assert len(refused.value.message) < 400
    assert "…'" in refused.value.message
