"""CircleCI and Bitbucket Pipelines links: ``circleci:ORG_ID/PROJECT_ID`` and
``bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID[/ENVIRONMENT_UUID]`` plan an OIDC
role whose issuer, audience and ``sub`` come from the link, as the vendors document them:
https://circleci.com/docs/openid-connect-tokens/ and
https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/.
Every identifier is checked against its grammar; a hostile one is exit 2."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from keyless.cli import cli
from keyless.config import PlanConfig, parse_config
from keyless.errors import ConfigError
from keyless.model import Inventory, OidcProvider
from keyless.plan.links import instructions, parse_link_option, parse_target
from keyless.plan.model import Destination, LinkKind, OidcRolePlan, Plan
from keyless.plan.tenants import parse_project
from tests.plan.support import entry, plan_of

ORG = "a0e1b2c3-0000-4000-8000-000000000001"
PROJECT = "b0e1b2c3-0000-4000-8000-000000000002"
WORKSPACE_UUID = "c0e1b2c3-0000-4000-8000-000000000003"
REPOSITORY = "d0e1b2c3-0000-4000-8000-000000000004"
ENVIRONMENT = "e0e1b2c3-0000-4000-8000-000000000005"
CIRCLECI = f"circleci:{ORG}/{PROJECT}"
BITBUCKET = f"bitbucket:acme/{{{WORKSPACE_UUID}}}/{{{REPOSITORY}}}"
BITBUCKET_ISSUER = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"


def tenant_role(plan: Plan, platform: str) -> OidcRolePlan:
    (role,) = [r for r in plan.oidc_roles if r.platform == platform]
    return role


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (CIRCLECI, LinkKind.CIRCLECI, f"{ORG}/{PROJECT}"),
        (CIRCLECI.upper().replace("CIRCLECI:", "circleci:"), LinkKind.CIRCLECI, f"{ORG}/{PROJECT}"),
        (BITBUCKET, LinkKind.BITBUCKET, f"acme/{{{WORKSPACE_UUID}}}/{{{REPOSITORY}}}"),
        (
            f"bitbucket:Acme_ci-1/{WORKSPACE_UUID}/{REPOSITORY.upper()}",
            LinkKind.BITBUCKET,
            f"acme_ci-1/{{{WORKSPACE_UUID}}}/{{{REPOSITORY}}}",
        ),
        (
            f"{BITBUCKET}/{ENVIRONMENT}",
            LinkKind.BITBUCKET,
            f"acme/{{{WORKSPACE_UUID}}}/{{{REPOSITORY}}}/{{{ENVIRONMENT}}}",
        ),
    ],
)
def test_tenant_links_parse_to_their_canonical_form(text: str, kind: LinkKind, value: str) -> None:
    target = parse_target(text, "test")
    assert (target.kind, target.value) == (kind, value)


@pytest.mark.parametrize(
    "text",
    [
        f"circleci:{ORG}",
        f"circleci:{ORG}/{PROJECT}/extra",
        f"circleci:{ORG}/my-project",
        f"circleci:{ORG}/{PROJECT[:-1]}",
        f"circleci:{ORG}/{{{PROJECT}}}",
        f"circleci:{ORG}\n/{PROJECT}",
        f"circleci:{ORG}/{PROJECT}*",
        f"circleci:../{PROJECT}",
        f"bitbucket:acme/{REPOSITORY}",
        f"bitbucket:acme/{{{WORKSPACE_UUID}/{REPOSITORY}",
        f"bitbucket:acme/{WORKSPACE_UUID}}}/{REPOSITORY}",
        f"bitbucket:acme/{{{{{WORKSPACE_UUID}}}}}/{REPOSITORY}",
        f"bitbucket:ac me/{WORKSPACE_UUID}/{REPOSITORY}",
        f"bitbucket:${{var.x}}/{WORKSPACE_UUID}/{REPOSITORY}",
        f"bitbucket:\u212acme/{WORKSPACE_UUID}/{REPOSITORY}",  # a Kelvin sign, not a "k"
        f"bitbucket:acme/{WORKSPACE_UUID}/{REPOSITORY}/*",
        f"bitbucket:acme/{WORKSPACE_UUID}/{REPOSITORY}/{ENVIRONMENT}/{ENVIRONMENT}",
        f"bitbucket:acme/{WORKSPACE_UUID}/{REPOSITORY}\u202e",
    ],
)
def test_hostile_tenant_links_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="not a link target") as raised:
        parse_target(text, "test")
    assert "circleci:ORG_ID/PROJECT_ID" in str(raised.value.hint)


def test_a_user_linked_to_two_circleci_organizations_is_refused(export: Inventory) -> None:
    other = f"circleci:{PROJECT}/{ORG}"
    links = [parse_link_option(f"ci-deploy={CIRCLECI}"), parse_link_option(f"ci-deploy={other}")]
    with pytest.raises(ConfigError, match="more than one OIDC issuer"):
        instructions(export, PlanConfig(), links)


def test_a_user_linked_to_circleci_and_github_is_refused(export: Inventory) -> None:
    links = [parse_link_option(f"ci-deploy={CIRCLECI}"), parse_link_option("ci-deploy=acme/app")]
    with pytest.raises(ConfigError, match="more than one OIDC issuer"):
        instructions(export, PlanConfig(), links)


def test_a_user_linked_to_github_and_gitlab_is_refused(export: Inventory) -> None:
    # Was planned as one GitHub role trusting a GitHub repository named grp/proj.
    links = [parse_link_option("ci-deploy=acme/app"), parse_link_option("ci-deploy=gitlab:g/p")]
    with pytest.raises(ConfigError, match="more than one OIDC issuer"):
        instructions(export, PlanConfig(), links)


def test_two_projects_of_one_organization_make_one_role(export: Inventory) -> None:
    other = f"circleci:{ORG}/{ENVIRONMENT}"
    plan = plan_of(export, f"ci-deploy={CIRCLECI}", f"ci-deploy={other}")
    role = tenant_role(plan, "circleci")
    assert [s.value for s in role.subjects] == [
        f"org/{ORG}/project/{PROJECT}/user/*",
        f"org/{ORG}/project/{ENVIRONMENT}/user/*",
    ]


def test_a_circleci_link_plans_the_organizations_issuer_audience_and_project(
    export: Inventory,
) -> None:
    plan = plan_of(export, f"ci-deploy={CIRCLECI}")
    assert entry(plan, "ci-deploy").decision.destination is Destination.OIDC_ROLE
    assert entry(plan, "ci-deploy").decision.would_decide == ()
    role = tenant_role(plan, "circleci")
    assert (role.provider.issuer, role.provider.audience) == (f"oidc.circleci.com/org/{ORG}", ORG)
    assert role.repositories == (f"{ORG}/{PROJECT}",)
    assert [(s.value, s.operator) for s in role.subjects] == [
        (f"org/{ORG}/project/{PROJECT}/user/*", "StringLike")
    ]


def test_a_bitbucket_link_plans_the_workspaces_issuer_audience_and_repository(
    export: Inventory,
) -> None:
    plan = plan_of(export, f"ci-infra={BITBUCKET}")
    role = tenant_role(plan, "bitbucket")
    assert role.provider.issuer == BITBUCKET_ISSUER
    assert role.provider.audience == f"ari:cloud:bitbucket::workspace/{WORKSPACE_UUID}"
    assert [(s.value, s.operator) for s in role.subjects] == [(f"{{{REPOSITORY}}}:*", "StringLike")]


def test_a_bitbucket_deployment_environment_narrows_the_subject(export: Inventory) -> None:
    plan = plan_of(export, f"ci-infra={BITBUCKET}/{ENVIRONMENT}")
    role = tenant_role(plan, "bitbucket")
    assert [s.value for s in role.subjects] == [f"{{{REPOSITORY}}}:{{{ENVIRONMENT}}}:*"]


def test_retirement_says_how_the_pipelines_move_to_the_role(export: Inventory) -> None:
    plan = plan_of(export, f"ci-deploy={CIRCLECI}", f"ci-infra={BITBUCKET}")
    texts = {
        r.user: next(p.text for p in r.preconditions if p.kind == "workflows-use-oidc")
        for r in plan.retirements
        if r.user in ("ci-deploy", "ci-infra")
    }
    assert "CircleCI jobs" in texts["ci-deploy"]
    assert "`role_arn`" in texts["ci-deploy"]
    assert "Bitbucket Pipelines steps" in texts["ci-infra"]
    assert "`oidc: true`" in texts["ci-infra"]
    assert not any("workflows fix" in text for text in texts.values())


def test_the_accounts_existing_provider_is_named(export: Inventory) -> None:
    arn = f"arn:aws:iam::210987654321:oidc-provider/oidc.circleci.com/org/{ORG}"
    account = export.accounts[0]
    provider = OidcProvider(arn=arn, url=f"https://oidc.circleci.com/org/{ORG}")
    inventory = replace(export, accounts=(replace(account, oidc_providers=(provider,)),))
    role = tenant_role(plan_of(inventory, f"ci-deploy={CIRCLECI}"), "circleci")
    assert role.provider.arn == arn


# --------------------------------------------------------------------------- CLI, --check


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["plan", *args, "--now", "2025-06-01T12:00:00Z"])


def test_a_hostile_tenant_link_is_exit_2_without_traceback(export_dir: Path) -> None:
    result = run("--input", str(export_dir), "--link", f"ci-deploy=circleci:{ORG}/$(id)")
    assert result.exit_code == 2
    assert "not a link target" in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.fixture
def planned(export_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "plan.json"
    result = run(
        "--input", str(export_dir), "--link", f"ci-deploy={CIRCLECI}",
        "--link", f"ci-infra={BITBUCKET}", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return out


def check(plan: Path, export_dir: Path) -> Result:
    return CliRunner().invoke(cli, ["plan", "--check", str(plan), "--input", str(export_dir)])


def test_a_plan_with_tenant_roles_checks_valid(planned: Path, export_dir: Path) -> None:
    result = check(planned, export_dir)
    assert result.exit_code in (0, 1), result.output
    assert "valid against its source" in result.output


def _edit(plan: Path, change: Any) -> None:
    document = json.loads(plan.read_text())
    change({r["platform"]: r for r in document["oidc_roles"]})
    plan.write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda roles: roles["circleci"]["provider"].update(issuer="oidc.circleci.com/org/x"),
            "circleci tokens of these projects come from oidc.circleci.com/org/" + ORG,
        ),
        (
            lambda roles: roles["bitbucket"]["provider"].update(audience="sts.amazonaws.com"),
            "bitbucket tokens of these projects come from",
        ),
        (
            lambda roles: roles["circleci"]["subjects"][0].update(value=f"org/{ORG}/*"),
            "is not a subject of the role's projects",
        ),
        (
            lambda roles: roles["bitbucket"]["subjects"][0].update(value="*"),
            "is not a subject of the role's projects",
        ),
        (
            lambda roles: roles["circleci"]["repositories"].__setitem__(0, f"{ORG}/x"),
            "is not ORG_ID/PROJECT_ID",
        ),
        (
            lambda roles: roles["circleci"]["repositories"].append(f"{PROJECT}/{ORG}"),
            "the repositories belong to more than one tenant",
        ),
        (
            lambda roles: roles["circleci"]["repositories"].clear(),
            "is not a subject of the role's projects",
        ),
        (
            lambda roles: roles["bitbucket"]["repositories"].__setitem__(
                0, f"acme/{WORKSPACE_UUID}/{REPOSITORY}"
            ),
            "is not WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID",
        ),
    ],
)
def test_a_hand_edited_tenant_role_is_refused(
    planned: Path, export_dir: Path, change: Any, message: str
) -> None:
    _edit(planned, change)
    result = check(planned, export_dir)
    assert result.exit_code == 2, result.output
    assert message in result.output + result.stderr


def test_a_tenant_link_in_keyless_toml_is_read(export: Inventory) -> None:
    config = parse_config(
        {"plan": {"link": [{"user": "ci-deploy", "target": CIRCLECI}]}}, source="keyless.toml"
    )
    told = instructions(export, config.plan)
    (targets,) = told.links.values()
    assert [(t.kind, t.value) for t in targets] == [(LinkKind.CIRCLECI, f"{ORG}/{PROJECT}")]


def test_a_hostile_tenant_link_in_keyless_toml_names_its_entry(export: Inventory) -> None:
    config = parse_config(
        {"plan": {"link": [{"user": "ci-deploy", "target": "bitbucket:acme/x/y"}]}},
        source="keyless.toml",
    )
    with pytest.raises(ConfigError, match="not a link target") as raised:
        instructions(export, config.plan)
    assert "[[plan.link]]" in str(raised.value.where)


_SAFE = re.compile(r"[a-z0-9{}/:*._-]+")
_PIECES = st.sampled_from(
    [
        f"{ORG}/{PROJECT}",
        f"Acme/{{{ORG}}}/",
        f"/{{{PROJECT.upper()}}}",
        ORG,
        PROJECT.upper(),
        *"{}/:*$ \n\u212a",
        "acme",
    ]
)


@given(platform=st.sampled_from(["circleci", "bitbucket"]), pieces=st.lists(_PIECES, max_size=8))
def test_a_parsed_project_is_canonical_and_safe(platform: str, pieces: list[str]) -> None:
    project = parse_project(platform, "".join(pieces))
    if project is None:
        return
    assert parse_project(platform, project.text) == project
    for value in (project.text, project.issuer, project.audience, project.subject):
        assert _SAFE.fullmatch(value.removeprefix("ari:cloud:bitbucket::")), value


@given(text=st.text(max_size=120))
def test_any_text_is_a_canonical_project_or_refused(text: str) -> None:
    for platform in ("circleci", "bitbucket"):
        project = parse_project(platform, text)
        assert project is None or parse_project(platform, project.text) == project
