"""A Jenkinsfile's shared libraries (``@Library``, ``library``) and loaded scripts
(``load``) hold Groovy keyless does not read: their steps may bind AWS keys. They passed
as clean (exit 0); each is now named as not read (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import scan

from .builders import repo

PIPELINE = "pipeline {\n  agent any\n  stages { stage('d') { steps { deploy() } } }\n}\n"


def _unread(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    root = repo(tmp_path, {"Jenkinsfile": text})
    result = scan([root])
    assert result.findings == ()
    return [(u.where.replace(f"{root}/", "", 1), u.reason.split(",", 1)[0]) for u in result.unread]


LIBRARY = "a Jenkins shared library"
LOADED = "a Groovy script the pipeline loads as it runs: its steps may bind AWS keys (withAWS"


@pytest.mark.parametrize(
    ("head", "shown", "reason"),
    [
        ("@Library('deploy-steps@v2') _\n", "@Library 'deploy-steps@v2'", LIBRARY),
        ("@Library(['a', 'b@main']) _\n", "@Library 'a'", LIBRARY),
        ("@Library('lib') import org.acme.Deploy\n", "@Library 'lib'", LIBRARY),
        ("library 'deploy-steps'\n", "library 'deploy-steps'", LIBRARY),
        ("library(identifier: 'lib@1', retriever: x)\n", "library 'lib@1'", LIBRARY),
        ("def steps = load 'ci/deploy.groovy'\n", "load 'ci/deploy.groovy'", LOADED),
    ],
)
def test_groovy_from_outside_the_file_is_unread(
    tmp_path: Path, head: str, shown: str, reason: str
) -> None:
    assert _unread(tmp_path, head + PIPELINE) == [(f"Jenkinsfile:1: {shown}", reason)]


def test_a_library_s_url_credentials_are_not_shown(tmp_path: Path) -> None:
    text = "library('https://user:token@git.example.com/lib.git')\n" + PIPELINE
    (where,) = [w for w, _ in _unread(tmp_path, text)]
    assert "token" not in where


@pytest.mark.parametrize(
    "head",
    [
        "// @Library('lib') _\n",
        "/* library 'lib' */\n",
        "echo \"library 'lib'\"\n",
        "def libraryName = 'x'\n",
        "def download = 'x'\n",
    ],
)
def test_comments_strings_and_other_names_are_no_library(tmp_path: Path, head: str) -> None:
    assert _unread(tmp_path, head + PIPELINE) == []


#: A script of the repository that binds keys, as `load` runs it.
DEPLOY = (
    "def run() {\n"
    "  withCredentials([[$class: 'AmazonWebServicesCredentialsBinding', "
    "credentialsId: 'aws-prod']]) {\n"
    "    sh 'aws s3 sync . s3://bucket'\n  }\n}\nreturn this\n"
)


def _loading(name: str) -> str:
    return f"def steps = load {name}\n" + PIPELINE


@pytest.mark.parametrize("name", ["'ci/deploy.groovy'", "('./ci/deploy.groovy')"])
def test_a_loaded_repository_script_is_read(tmp_path: Path, name: str) -> None:
    # It was named as not read, its keys never reported.
    root = repo(tmp_path, {"Jenkinsfile": _loading(name), "ci/deploy.groovy": DEPLOY})
    result = scan([root])
    assert result.unread == ()
    assert [(f.check, f.location.path.name) for f in result.findings if f.location] == [
        ("jenkins-static-aws-keys", "deploy.groovy")
    ]


def test_a_loaded_script_not_in_the_repository_stays_unread(tmp_path: Path) -> None:
    assert _unread(tmp_path, _loading("'ci/deploy.groovy'")) == [
        ("Jenkinsfile:1: load 'ci/deploy.groovy'", LOADED)
    ]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("'../outside/deploy.groovy'", "'../outside/deploy.groovy'"),
        ("'ci/../../outside/deploy.groovy'", "'ci/../../outside/deploy.groovy'"),
        ("'/abs/outside/deploy.groovy'", "'/abs/outside/deploy.groovy'"),
        (
            '"${env.WORKSPACE}/../outside/deploy.groovy"',
            "'${env.WORKSPACE}/../outside/deploy.groovy'",
        ),
        ("'../outside/' + 'deploy.groovy'", "'../outside/'"),
    ],
)
def test_a_script_outside_the_repository_or_computed_is_not_followed(
    tmp_path: Path, name: str, shown: str
) -> None:
    repo(tmp_path, {"outside/deploy.groovy": DEPLOY})
    root = repo(tmp_path / "app", {"Jenkinsfile": _loading(name), ".git/HEAD": ""})
    result = scan([tmp_path])
    assert result.findings == ()
    assert [u.where.replace(f"{root}/", "", 1) for u in result.unread] == [
        f"Jenkinsfile:1: load {shown}"
    ]


def test_a_loaded_link_out_of_the_repository_is_not_followed(tmp_path: Path) -> None:
    repo(tmp_path, {"outside/deploy.groovy": DEPLOY})
    root = repo(tmp_path / "app", {"Jenkinsfile": _loading("'ci/deploy.groovy'"), ".git/HEAD": ""})
    (root / "ci").mkdir()
    (root / "ci/deploy.groovy").symlink_to(tmp_path / "outside/deploy.groovy")
    result = scan([tmp_path])
    assert result.findings == ()
    [unread] = result.unread
    assert unread.where == f"{root}/Jenkinsfile:1: load 'ci/deploy.groovy'"
    assert "symbolic link" in unread.reason
