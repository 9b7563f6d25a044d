"""SARIF of an AWS scan that GitHub code scanning takes: every result located in a
repository-relative file path (GitHub refuses a whole upload in which one result has only a
logical location), and a fingerprint that names the same problem in every run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.render.sarif import FINGERPRINT_KEY, artifact_uri, resource_uri

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
ORG = ROOT / "tests" / "collect" / "fixtures" / "org"


def sarif_results(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["scan", *args, "--format", "sarif"])
    assert result.exit_code in (0, 1, 3), result.output  # 3: the org fixture lacks Identity Center
    (run,) = json.loads(result.stdout)["runs"]
    return list(run["results"])


def github_takes(uri: str) -> bool:
    """GitHub's ingestion rule for a location (SARIF validator rule GH1001): a non-empty,
    relative reference with no scheme, no authority and no segment that moves upwards."""
    parts = urlsplit(uri)
    segments = uri.split("/")
    return (
        bool(uri)
        and not parts.scheme
        and not parts.netloc
        and not uri.startswith("/")
        and not any(s in (".", "..") for s in segments)
    )


@pytest.mark.parametrize("source", [ACCOUNT, ORG], ids=["account", "organization"])
def test_every_result_has_an_artifact_location_github_takes(source: Path) -> None:
    results = sarif_results("--input", str(source))
    assert results
    for result in results:
        (location,) = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert github_takes(uri), uri
        (logical,) = location["logicalLocations"]
        account = logical["fullyQualifiedName"].split(":")[4]
        assert uri.startswith(f"aws/{account}/"), (uri, logical)


def test_fingerprints_stay_when_the_day_changes_and_differ_between_keys() -> None:
    early = sarif_results("--input", str(ACCOUNT), "--now", "2026-06-01T00:00:00Z")
    late = sarif_results("--input", str(ACCOUNT), "--now", "2026-09-01T00:00:00Z")

    def prints(results: list[dict[str, Any]]) -> dict[str, str]:
        return {r["partialFingerprints"][FINGERPRINT_KEY]: r["ruleId"] for r in results}

    # Three months on, messages say other ages, and the same problems keep their prints.
    aged = {r["message"]["text"] for r in early} ^ {r["message"]["text"] for r in late}
    assert aged, "the messages should mention ages"
    shared = prints(early).keys() & prints(late).keys()
    rotated_early = {p for p, rule in prints(early).items() if rule == "key-not-rotated"}
    assert rotated_early
    assert rotated_early <= shared
    # Every key is its own problem (the subject keyless diff compares), even two keys of
    # one user, which share the user's location.
    keys = [r for r in early if r["ruleId"] in ("key-not-rotated", "key-unused")]
    places = [
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in keys
    ]
    assert len(set(places)) < len(places), "the fixture should have a user with two keys"
    assert len({r["partialFingerprints"][FINGERPRINT_KEY] for r in keys}) == len(keys)


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:iam::123456789012:role/team/deploy", "aws/123456789012/iam/role/team/deploy"),
        ("arn:aws:iam::123456789012:root", "aws/123456789012/iam/root"),
        ("arn:aws:iam::123456789012:role/..", "aws/123456789012/iam/role/%2E%2E"),
        ("arn:aws:iam::123456789012:user/a b?#c", "aws/123456789012/iam/user/a%20b%3F%23c"),
        ("arn:aws:iam::123456789012:user/\u202eevil", "aws/123456789012/iam/user/%E2%80%AEevil"),
        ("not an arn", "aws/123456789012"),
    ],
)
def test_a_hostile_name_stays_one_relative_path(arn: str, expected: str) -> None:
    uri = resource_uri(arn, "123456789012")
    assert uri == expected
    assert github_takes(uri)
    assert unquote(uri).endswith(arn.split(":", 5)[-1]) or arn == "not an arn"


def test_a_file_name_with_uri_characters_stays_one_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inside = tmp_path / "infra" / "my #1?:x.tf"
    assert artifact_uri(inside) == "infra/my%20%231%3F%3Ax.tf"
    assert unquote(artifact_uri(inside)) == "infra/my #1?:x.tf"
    assert github_takes(artifact_uri(inside))


def test_a_file_outside_the_working_directory_is_an_absolute_file_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    outside = Path("..") / "repo" / "main.tf"
    uri = artifact_uri(outside)
    assert uri == (tmp_path / "repo" / "main.tf").as_uri()
    assert ".." not in uri.split("/")
