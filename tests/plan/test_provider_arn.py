"""A hand-edited ``provider.arn``: ``generate`` writes it as the role's ``Federated``
principal, so an ARN other than the account's provider of the role's issuer (another
issuer, account or partition, not a provider at all, one the account lacks, or none where
the account has one) is an error for ``plan --check`` and ``generate`` alike (exit 2,
nothing written).

ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.plan.conftest import REPOS

ACCOUNT = "210987654321"
GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GITLAB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"
PCA = (
    "arn:aws:acm-pca:eu-west-1:210987654321:certificate-authority/"
    "11111111-2222-3333-4444-555555555555"
)
Document = dict[str, Any]


def keyless(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def providers(export_dir: Path, *entries: tuple[str, str, str]) -> Path:
    (export_dir / "oidc-providers.json").write_text(
        json.dumps([{"Arn": a, "Url": u, "ClientIDList": [c]} for a, u, c in entries])
    )
    return export_dir


@pytest.fixture
def source(export_dir: Path) -> Path:
    """The export, its account holding GitHub's and GitLab's providers."""
    return providers(
        export_dir,
        (GITHUB, "https://token.actions.githubusercontent.com", "sts.amazonaws.com"),
        (GITLAB, "https://gitlab.com", "https://gitlab.com"),
    )


def planned(source: Path, out: Path) -> Document:
    result = keyless(
        "plan", "--input", str(source), "--now", "2025-06-01T12:00:00Z",
        "--link", "ci-deploy=acme/app", "--link", "ci-infra=acme/infra",
        "--workflows", f"acme/app={REPOS / 'app'}", "--workflows", f"acme/infra={REPOS / 'infra'}",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.stderr
    document: Document = json.loads(out.read_text())
    return document


def edited(source: Path, tmp_path: Path, edit: Callable[[Document], None]) -> Path:
    path = tmp_path / "plan.json"
    document = planned(source, path)
    edit(document)
    path.write_text(json.dumps(document))
    return path


def check(path: Path, source: Path) -> Result:
    return keyless("plan", "--check", str(path), "--input", str(source), "--generate-pca-arn", PCA)


def generate(path: Path, out: Path, *source: str) -> Result:
    return keyless(
        "generate", str(path), "--format", "terraform", "--out", str(out), "--pca-arn", PCA,
        *source,
    )  # fmt: skip


def set_arn(arn: str | None) -> Callable[[Document], None]:
    def edit(document: Document) -> None:
        document["oidc_roles"][0]["provider"]["arn"] = arn

    return edit


def test_the_plan_as_written_reuses_the_accounts_provider(source: Path, tmp_path: Path) -> None:
    path = edited(source, tmp_path, lambda d: None)
    assert {r["provider"]["arn"] for r in json.loads(path.read_text())["oidc_roles"]} == {GITHUB}
    checked = check(path, source)
    assert checked.exit_code == 1  # backup-nas's certificate CN is only proposed
    assert "valid against its source (1 open)" in checked.stderr
    assert generate(path, tmp_path / "tf", "--input", str(source)).exit_code == 0


ANOTHER = [
    (GITLAB, "is not the provider of the role's issuer token.actions.githubusercontent.com"),
    (
        GITHUB.replace(ACCOUNT, "111122223333"),
        "is a provider of account '111122223333': a role trusts its own account's provider",
    ),
    (
        GITHUB.replace("arn:aws:", "arn:aws-us-gov:"),
        "is in the partition 'aws-us-gov', the role in 'aws': partitions are isolated",
    ),
]


@pytest.mark.parametrize(
    ("arn", "said"), ANOTHER, ids=["another-issuer", "another-account", "another-partition"]
)
def test_another_provider_is_refused_by_check_and_generate(
    source: Path, tmp_path: Path, arn: str, said: str
) -> None:
    path = edited(source, tmp_path, set_arn(arn))
    checked = check(path, source)
    assert checked.exit_code == 2
    assert f"plan.json#/oidc_roles/0/provider/arn: '{arn}' {said}" in checked.stderr
    for where in ([], ["--input", str(source)]):
        out = tmp_path / f"tf{len(where)}"
        result = generate(path, out, *where)
        assert result.exit_code == 2, result.output
        assert f"#/oidc_roles/0/provider/arn: '{arn}' {said}" in result.output
        assert not out.exists()


def test_a_provider_the_account_does_not_have_is_refused(export_dir: Path, tmp_path: Path) -> None:
    # The account's providers were read, and it has none of GitHub's: the plan creates it.
    source = providers(export_dir, (GITLAB, "https://gitlab.com", "https://gitlab.com"))
    path = edited(source, tmp_path, set_arn(GITHUB))
    checked = check(path, source)
    assert checked.exit_code == 2
    assert f"account {ACCOUNT} has no OIDC provider '{GITHUB}'" in checked.stderr
    assert generate(path, tmp_path / "tf", "--input", str(source)).exit_code == 2


def test_no_provider_where_the_account_has_one_is_refused(source: Path, tmp_path: Path) -> None:
    # generate would create a second provider for the URL, which IAM refuses.
    path = edited(source, tmp_path, set_arn(None))
    checked = check(path, source)
    assert checked.exit_code == 2
    assert f"account {ACCOUNT} already has the provider of token.actions.githubusercontent.com" in (
        checked.stderr
    )


def test_a_provider_written_in_other_case_is_the_issuers_as_the_plan_chose_it(
    export_dir: Path, tmp_path: Path
) -> None:
    # The plan reuses the account's provider whatever the case of its URL
    # (keyless.plan.targets.oidc_provider): its own plan must pass its own check. Here a
    # CircleCI organization's provider created with the UUID in capitals.
    org, project = "a1b2c3d4-0000-4000-8000-00000000000a", "a1b2c3d4-0000-4000-8000-00000000000b"
    url = f"oidc.circleci.com/org/{org.upper()}"
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url}"
    source = providers(export_dir, (arn, f"https://{url}", org))
    out = tmp_path / "plan.json"
    planned = keyless(
        "plan", "--input", str(source), "--now", "2025-06-01T12:00:00Z",
        "--link", f"ci-deploy=circleci:{org}/{project}", "--out", str(out),
    )  # fmt: skip
    assert planned.exit_code in (0, 1), planned.stderr
    (role,) = [r for r in json.loads(out.read_text())["oidc_roles"] if r["platform"] == "circleci"]
    assert role["provider"]["arn"] == arn
    checked = check(out, source)
    assert "provider/arn" not in checked.stderr
    assert "valid against its source" in checked.stderr
