"""A CI user with no link: its role trusts one platform's tokens, so the platform must come
from evidence (the name, path or tags; the key-using pipelines under ``--workflows``; the
account's OIDC providers), never a GitHub default. When nothing tells, the user is
undecided with the ``--link`` syntaxes that would decide it, and ``plan``, ``plan
--check`` and ``generate`` agree. Through the CLI, on the export fixture with its CI user
renamed.

Issuers: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services,
https://docs.gitlab.com/ci/cloud_services/aws/, https://circleci.com/docs/openid-connect-tokens/.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.plan.conftest import REPOS

NOW = ("--now", "2025-06-01T12:00:00Z")
ACCOUNT = "210987654321"
# backup-nas's Roles Anywhere role needs a CA for its trust anchor.
PCA = (
    "arn:aws:acm-pca:eu-west-1:210987654321:certificate-authority/"
    "11111111-2222-3333-4444-555555555555"
)
GITLAB_KEYS = """
deploy:
  image: amazon/aws-cli:2.15.0
  script:
    - aws s3 sync site/ s3://acme-site/
  variables:
    AWS_ACCESS_KEY_ID: $DEPLOY_AWS_ACCESS_KEY_ID
    AWS_SECRET_ACCESS_KEY: $DEPLOY_AWS_SECRET_ACCESS_KEY
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
"""


def keyless(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def renamed(export_dir: Path, name: str, path: str = "/") -> Path:
    """The export with its CI user ``ci-deploy`` (a key used a day ago) called ``name``,
    at ``path``; ``ci-infra`` is linked away in :func:`plan` so it stays out of the way."""
    for file in ("authorization-details.json", "credential-report.csv"):
        target = export_dir / file
        text = target.read_text(encoding="utf-8").replace("ci-deploy", name)
        target.write_text(text, encoding="utf-8")
    if path != "/":
        # The ARN follows the path, as IAM makes it (the readers refuse another), in the
        # credential report too.
        details = json.loads((export_dir / "authorization-details.json").read_text())
        (user,) = [u for u in details["UserDetailList"] if u["UserName"] == name]
        old_arn = user["Arn"]
        user["Path"] = path
        user["Arn"] = old_arn.rsplit(":", 1)[0] + f":user{path}{name}"
        (export_dir / "authorization-details.json").write_text(json.dumps(details))
        report = export_dir / "credential-report.csv"
        report.write_text(report.read_text().replace(f"{old_arn},", f"{user['Arn']},"))
    return export_dir


def plan(export_dir: Path, out: Path, *args: str) -> tuple[Result, dict[str, Any]]:
    result = keyless(
        "plan", "--input", str(export_dir), "--link", "ci-infra=acme/infra",
        "--workflows", f"acme/infra={REPOS / 'infra'}", *args,
        "--out", str(out), *NOW,
    )  # fmt: skip
    return result, json.loads(out.read_text())


def user_entry(document: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [u for u in document["users"] if u["name"] == name]
    return found


def roles_of(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [r for r in document["oidc_roles"] if r["user"].endswith(f"/{name}")]


def gitlab_checkout(root: Path) -> Path:
    root.mkdir()
    (root / ".gitlab-ci.yml").write_text(textwrap.dedent(GITLAB_KEYS).lstrip(), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("name", "syntax"),
    [
        ("ci-deploy", "github:ORG/REPO, gitlab:GROUP/PROJECT, circleci:ORG_ID/PROJECT_ID or "
         "bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID[/ENVIRONMENT_UUID]"),
        ("circleci-deploy", "circleci:ORG_ID/PROJECT_ID"),
        ("bitbucket-pipelines", "bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID"),
        ("github-to-gitlab-mirror", "github:ORG/REPO, gitlab:GROUP/PROJECT"),
    ],
)  # fmt: skip
def test_a_ci_user_whose_role_cannot_be_planned_is_undecided_with_the_link_that_decides(
    export_dir: Path, tmp_path: Path, name: str, syntax: str
) -> None:
    result, document = plan(renamed(export_dir, name), tmp_path / "plan.json")
    assert result.exit_code == 1, result.stderr
    user = user_entry(document, name)
    assert user["destination"] == "undecided"
    assert user["target"] is None
    assert any(f"--link {name}={syntax}" in item for item in user["would_decide"])
    assert roles_of(document, name) == []
    assert f"{name}-github" not in result.stdout
    assert f"--link {name}=" in result.stdout  # the text's "to decide" line


def test_jenkins_is_undecided_with_its_documented_way_to_a_role(
    export_dir: Path, tmp_path: Path
) -> None:
    _, document = plan(renamed(export_dir, "jenkins-ci"), tmp_path / "plan.json")
    user = user_entry(document, "jenkins-ci")
    assert user["destination"] == "undecided"
    assert "looks like CI on Jenkins (its name, path or tags say Jenkins)" in user["reason"]
    assert any("https://plugins.jenkins.io/oidc-provider/" in i for i in user["would_decide"])
    assert any("--link jenkins-ci=aws:SERVICE" in i for i in user["would_decide"])
    assert roles_of(document, "jenkins-ci") == []


@pytest.mark.parametrize(("name", "path"), [("gitlab-runner", "/"), ("deployer", "/ci/gitlab/")])
def test_a_ci_user_named_after_gitlab_gets_a_gitlab_role(
    export_dir: Path, tmp_path: Path, name: str, path: str
) -> None:
    _, document = plan(renamed(export_dir, name, path), tmp_path / "plan.json")
    user = user_entry(document, name)
    assert (user["destination"], user["confidence"]) == ("oidc-role", "medium")
    (role,) = roles_of(document, name)
    assert (role["name"], role["platform"]) == (f"{name}-gitlab", "gitlab")
    assert (role["provider"]["issuer"], role["provider"]["audience"]) == (
        "gitlab.com",
        "https://gitlab.com",
    )
    assert any(f"--link {name}=gitlab:GROUP/PROJECT" in i for i in user["would_decide"])


def test_the_pipelines_under_workflows_name_the_platform(export_dir: Path, tmp_path: Path) -> None:
    checkout = gitlab_checkout(tmp_path / "site")
    _, document = plan(export_dir, tmp_path / "plan.json", "--workflows", f"acme/site={checkout}")
    user = user_entry(document, "ci-deploy")
    assert user["destination"] == "oidc-role"
    assert "are all GitLab CI" in user["reason"]
    (role,) = roles_of(document, "ci-deploy")
    assert role["platform"] == "gitlab"
    assert any("not linked: acme/site" in item for item in user["would_decide"])


def test_the_accounts_provider_names_the_platform_with_low_confidence(
    export_dir: Path, tmp_path: Path
) -> None:
    provider = {
        "Arn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
        "Url": "token.actions.githubusercontent.com",
        "ClientIDList": ["sts.amazonaws.com"],
    }
    (export_dir / "oidc-providers.json").write_text(json.dumps([provider]))
    _, document = plan(export_dir, tmp_path / "plan.json")
    user = user_entry(document, "ci-deploy")
    assert (user["destination"], user["confidence"]) == ("oidc-role", "low")
    assert "ci-provider" in {s["name"] for s in user["signals"]}
    (role,) = roles_of(document, "ci-deploy")
    assert role["platform"] == "github"


def test_check_and_generate_agree_with_the_undecided_user(export_dir: Path, tmp_path: Path) -> None:
    source = renamed(export_dir, "circleci-deploy")
    out = tmp_path / "plan.json"
    plan(source, out)

    checked = keyless("plan", "--check", str(out), "--input", str(source))
    assert checked.exit_code == 1, checked.stderr
    assert (
        f"open: circleci-deploy ({ACCOUNT}) is undecided: name the project its key serves: "
        "--link circleci-deploy=circleci:ORG_ID/PROJECT_ID (ORG_ID and PROJECT_ID are UUIDs: "
        "Organization Settings > Overview and Project Settings > Overview in CircleCI"
    ) in checked.stderr

    generated = keyless(
        "generate", str(out), "--format", "terraform", "--out", str(tmp_path / "tf"),
        "--input", str(source), "--pca-arn", PCA,
    )  # fmt: skip
    # Nothing is written for it, and the run says so (exit 1: part of the plan left out).
    assert generated.exit_code == 1, generated.stderr
    code = "".join(p.read_text() for p in (tmp_path / "tf").iterdir() if p.name != "README.md")
    assert "circleci-deploy" not in code
    assert (
        f"not generated: user circleci-deploy ({ACCOUNT}): the plan has not decided what "
        "replaces it: name the project its key serves: --link "
        "circleci-deploy=circleci:ORG_ID/PROJECT_ID"
    ) in generated.stderr
    assert "circleci-deploy" in (tmp_path / "tf" / "README.md").read_text()


def test_generate_leaves_out_a_gitlab_role_without_subjects_naming_gitlabs_link(
    export_dir: Path, tmp_path: Path
) -> None:
    source = renamed(export_dir, "gitlab-runner")
    out = tmp_path / "plan.json"
    plan(source, out)
    generated = keyless(
        "generate", str(out), "--format", "terraform", "--out", str(tmp_path / "tf"),
        "--input", str(source), "--pca-arn", PCA,
    )  # fmt: skip
    assert generated.exit_code == 1
    assert (
        "not generated: role gitlab-runner-gitlab (210987654321): the plan names no subjects "
        "yet: plan again with --link gitlab-runner=gitlab:GROUP/PROJECT and --workflows PATH"
    ) in generated.stderr


def test_a_console_user_that_looks_like_ci_is_told_every_pipeline_link(
    export_dir: Path, tmp_path: Path
) -> None:
    """Signs in and looks like CI: if it is a pipeline, the link depends on its platform."""
    for file in ("authorization-details.json", "credential-report.csv"):
        target = export_dir / file
        target.write_text(target.read_text(encoding="utf-8").replace("tom.baker", "ci-runner"))
    _, document = plan(export_dir, tmp_path / "plan.json")
    user = user_entry(document, "ci-runner")
    assert user["destination"] == "undecided"
    assert "signs in to the console but looks like CI" in user["reason"]
    assert (
        "if it is a pipeline: --link ci-runner=github:ORG/REPO, gitlab:GROUP/PROJECT, "
        "circleci:ORG_ID/PROJECT_ID or bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID"
        "[/ENVIRONMENT_UUID]"
    ) in user["would_decide"]
