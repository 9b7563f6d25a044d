"""User, role and group names (and paths) outside IAM's grammar in an export or a snapshot.

``GetAccountAuthorizationDetails`` only returns names IAM accepted at creation
(``[A-Za-z0-9_+=,.@-]``, 64 characters for users and roles, 128 for groups; paths ``/`` or
``/…/`` of printable ASCII), so ``a/b`` or 70 characters was edited in. Such a name was
read, and the planner sanitised it later; it is now refused by JSON pointer (exit 2).
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
Edit = Callable[[dict[str, Any]], None]


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _edited_export(tmp_path: Path, edit: Edit) -> Path:
    target = tmp_path / "export"
    shutil.copytree(ACCOUNT, target)
    details = target / "authorization-details.json"
    document = json.loads(details.read_text())
    edit(document)
    details.write_text(json.dumps(document))
    return target


def _set(listing: str, key: str, value: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        document[listing][0][key] = value

    return edit


EXPORT_CASES = [
    pytest.param("UserDetailList", "UserName", "a/b", id="user-slash"),
    pytest.param("UserDetailList", "UserName", "u" * 65, id="user-65"),
    pytest.param("UserDetailList", "UserName", "al\u0131ce", id="user-dotless-i"),
    pytest.param("UserDetailList", "Path", "/a b/", id="user-path-space"),
    pytest.param("RoleDetailList", "RoleName", "r" * 70, id="role-70"),
    pytest.param("RoleDetailList", "RoleName", "x\ny", id="role-newline"),
    pytest.param("RoleDetailList", "Path", "no-slashes", id="role-path"),
    pytest.param("GroupDetailList", "GroupName", "../admins", id="group-dots"),
    pytest.param("GroupDetailList", "GroupName", "g" * 129, id="group-129"),
]


@pytest.mark.parametrize(("listing", "key", "value"), EXPORT_CASES)
def test_an_export_name_outside_the_grammar_is_refused_by_pointer(
    tmp_path: Path, listing: str, key: str, value: str
) -> None:
    export = _edited_export(tmp_path, _set(listing, key, value))
    result = run("scan", "--input", export)
    assert result.exit_code == 2, result.output
    assert f"authorization-details.json#/{listing}/0/{key}: " in result.stderr
    assert "is not one IAM allows" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("listing", "key", "value"),
    [
        ("UserDetailList", "UserName", "u" * 64),
        ("UserDetailList", "UserName", "a_b+c=d,e.f@g-h"),
        ("RoleDetailList", "Path", "/aws-service-role/support.amazonaws.com/"),
        ("GroupDetailList", "GroupName", "g" * 128),
    ],
)
def test_names_in_the_grammar_are_read(tmp_path: Path, listing: str, key: str, value: str) -> None:
    def edit(document: dict[str, Any]) -> None:
        # The ARN follows the path and name, as IAM makes it (an ARN naming another entity
        # is refused: tests/hostile/test_misnamed_arns.py).
        entry = document[listing][0]
        entry[key] = value
        kind = {"UserDetailList": "user", "RoleDetailList": "role"}.get(listing, "group")
        name = entry[{"user": "UserName", "role": "RoleName", "group": "GroupName"}[kind]]
        entry["Arn"] = f"arn:aws:iam::123456789012:{kind}{entry['Path']}{name}"

    export = _edited_export(tmp_path, edit)
    result = run("collect", "--input", export, "--out", tmp_path / "snapshot.json")
    assert result.exit_code == 0, result.output


def test_a_credential_report_user_outside_the_grammar_is_refused(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    report = export / "credential-report.csv"
    report.write_text(report.read_text().replace("\nalice,", "\nal/ice,", 1))
    result = run("scan", "--input", export)
    assert result.exit_code == 2, result.output
    assert "credential-report.csv" in result.stderr
    assert "UserName 'al/ice' is not one IAM allows" in result.stderr


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("snapshot")
    path = directory / "snapshot.json"
    result = run("collect", "--input", ACCOUNT, "--out", path)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.mark.parametrize(
    ("listing", "key", "value"),
    [
        ("users", "name", "a/b"),
        ("users", "path", "/a\x00/"),
        ("roles", "name", "r" * 70),
        ("groups", "name", "<script>"),
    ],
)
def test_a_snapshot_name_outside_the_grammar_is_refused_by_pointer(
    snapshot: dict[str, Any], tmp_path: Path, listing: str, key: str, value: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    document["accounts"][0][listing][0][key] = value
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    result = run("scan", "--snapshot", path)
    assert result.exit_code == 2, result.output
    assert f"#/accounts/0/{listing}/0/{key}: malformed snapshot: " in result.stderr
    assert "is not one IAM allows" in result.stderr


ACCOUNT_NAMES = [
    pytest.param("alias", "acme\n[default]\ncredential_process = sh -c id", id="alias-ini"),
    pytest.param("alias", "Acme-Prod", id="alias-capitals"),
    pytest.param("alias", "acme--prod", id="alias-double-dash"),
    pytest.param("name", "Prod ]\n[profile evil]", id="name-newline"),
    pytest.param("name", "n" * 51, id="name-51"),
    pytest.param("email", "ops@exa mple.com", id="email-space"),
    pytest.param("email", "<script>@x", id="email-no-dot"),
]


@pytest.mark.parametrize(("key", "value"), ACCOUNT_NAMES)
def test_an_account_name_outside_its_grammar_is_refused_in_a_snapshot(
    snapshot: dict[str, Any], tmp_path: Path, key: str, value: str
) -> None:
    """An account's alias, name and email become ~/.aws/config profile names, file names and
    report titles: a snapshot edited to hold one AWS never allows (CreateAccountAlias,
    Organizations' Account) is refused by pointer, as names are."""
    document = json.loads(json.dumps(snapshot))
    document["accounts"][0][key] = value
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    result = run("plan", "--snapshot", path, "--out", tmp_path / "plan.json")
    assert result.exit_code == 2, result.output
    assert f"#/accounts/0/{key}: malformed snapshot: " in result.stderr
    assert "is not one AWS allows" in result.stderr
    assert not (tmp_path / "plan.json").exists()


@pytest.mark.parametrize(("key", "value"), ACCOUNT_NAMES)
def test_an_account_name_outside_its_grammar_is_refused_in_an_export(
    tmp_path: Path, key: str, value: str
) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    metadata = json.loads((export / "account.json").read_text())
    metadata[key] = value
    (export / "account.json").write_text(json.dumps(metadata))
    result = run("scan", "--input", export)
    assert result.exit_code == 2, result.output
    assert "account.json" in result.stderr
    assert "is not one AWS allows" in result.stderr


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("alias", "a1-b2-c3"),
        ("name", "Prod (EU) #1 ~ [main]"),
        ("email", "a.b+aws@sub.example.org"),
    ],
)
def test_account_names_aws_allows_are_read(
    snapshot: dict[str, Any], tmp_path: Path, key: str, value: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    document["accounts"][0][key] = value
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    result = run("scan", "--snapshot", path)
    assert result.exit_code in (0, 1), result.output  # 1: the fixture's findings


TAGS = [
    pytest.param("email", "alice@example.com\nx: y", id="value-newline"),
    pytest.param("email", "ali\u202ece@example.com", id="value-rlo"),
    pytest.param("email", "alice@example.com\x00", id="value-nul"),
    pytest.param("team<script>", "ops", id="key-angle"),
    pytest.param("k" * 129, "v", id="key-129"),
    pytest.param("note", "v" * 257, id="value-257"),
]


def _user_tag(key: str, value: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        user = next(u for u in document["UserDetailList"] if u.get("Tags"))
        user["Tags"] = [{"Key": key, "Value": value}]

    return edit


@pytest.mark.parametrize(("key", "value"), TAGS)
def test_a_tag_iam_never_holds_is_refused_in_an_export(
    tmp_path: Path, key: str, value: str
) -> None:
    """IAM's tags hold letters, numbers and separators of any script and _.:/=+-@ (keys 1-128,
    values up to 256): a control or format character was edited in, and tags reach plans
    (an email) and reports. https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html"""
    export = _edited_export(tmp_path, _user_tag(key, value))
    result = run("scan", "--input", export)
    assert result.exit_code == 2, result.output
    assert "authorization-details.json#/UserDetailList/" in result.stderr
    assert "the tag " in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("key", "value"), TAGS)
def test_a_tag_iam_never_holds_is_refused_in_a_snapshot(
    snapshot: dict[str, Any], tmp_path: Path, key: str, value: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    user = next(u for u in document["accounts"][0]["users"] if u["tags"])
    user["tags"] = {key: value}
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    result = run("scan", "--snapshot", path)
    assert result.exit_code == 2, result.output
    assert "malformed snapshot: the tag " in result.stderr


@pytest.mark.parametrize(
    ("key", "value"),
    [("email", "alice@example.com"), ("Nom complet", "Zoë Ünal 名前 ٣"), ("cost:centre", "")],
)
def test_tags_iam_holds_are_read(tmp_path: Path, key: str, value: str) -> None:
    export = _edited_export(tmp_path, _user_tag(key, value))
    result = run("collect", "--input", export, "--out", tmp_path / "snapshot.json")
    assert result.exit_code == 0, result.output
