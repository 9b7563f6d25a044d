"""What cannot be read is reported and the rest is scanned; writes are whole, all or
nothing, never through a link; diffs never show a hard-coded secret."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.files import describe_size
from keyless.workflows import fix, scan, unified_diff, write
from keyless.workflows.yamldoc import MAX_FILE_BYTES

from .builders import only, options, repo
from .conftest import CORPUS

GOOD = CORPUS / "gh-basic-keys" / "input" / ".github" / "workflows" / "deploy.yml"


def _two_repositories(tmp_path: Path, bad: str) -> Path:
    (tmp_path / "good" / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(GOOD, tmp_path / "good" / ".github" / "workflows" / "deploy.yml")
    repo(tmp_path / "bad", {".gitlab-ci.yml": bad})
    return tmp_path


def test_one_malformed_file_is_reported_and_the_others_scanned(tmp_path: Path) -> None:
    root = _two_repositories(tmp_path, "a: [unclosed\n")
    result = scan([root])
    (unread,) = result.unread
    assert unread.where.startswith(str(tmp_path / "bad" / ".gitlab-ci.yml"))
    assert "malformed YAML" in unread.reason
    assert {f.check for f in result.findings} == {"workflow-static-aws-keys"}
    assert result.exit_code() == 3


def test_a_fifo_named_like_a_workflow_is_skipped_with_a_note(tmp_path: Path) -> None:
    root = _two_repositories(tmp_path, "job:\n  script: [echo]\n")
    os.mkfifo(root / "good" / ".github" / "workflows" / "pipe.yml")
    result = scan([root])
    assert [u.reason for u in result.unread] == [
        "not a regular file (a FIFO, device or socket); skipped"
    ]
    assert len(result.files) == 2


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    root = _two_repositories(tmp_path, "job:\n  script: [echo]\n")
    huge = root / "good" / ".github" / "workflows" / "huge.yml"
    with huge.open("wb") as handle:  # sparse: 280 MB on paper, nothing on disk
        handle.truncate(280 * 1024 * 1024)
    result = scan([root])
    (unread,) = result.unread
    assert f"larger than the {describe_size(MAX_FILE_BYTES)} keyless reads" in unread.reason


def test_a_link_out_of_the_given_paths_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yml"
    outside.write_text("on: push\njobs: {}\n")
    root = _two_repositories(tmp_path / "scan", "job:\n  script: [echo]\n")
    (root / "good" / ".github" / "workflows" / "linked.yml").symlink_to(outside)
    (unread,) = scan([root]).unread
    assert "outside the paths given" in unread.reason
    assert str(outside) not in unread.reason  # where it points stays out of the log


def test_fix_never_writes_through_a_link(tmp_path: Path) -> None:
    real = repo(tmp_path / "real", {"deploy.yml": GOOD.read_text()})
    link = tmp_path / "repo" / ".github" / "workflows" / "deploy.yml"
    link.parent.mkdir(parents=True)
    link.symlink_to(real / "deploy.yml")
    result = fix([tmp_path], options())
    write(result)
    rewrite = only(result, "deploy.yml")
    assert not rewrite.changed
    assert "symbolic link" in rewrite.unfixed[-1].reason
    assert (real / "deploy.yml").read_text() == GOOD.read_text()


def test_nothing_is_read_is_an_input_error(tmp_path: Path) -> None:
    repo(tmp_path, {".gitlab-ci.yml": "a: [unclosed\n"})
    with pytest.raises(InputError, match="malformed YAML"):
        scan([tmp_path])


def test_fix_write_changes_no_file_when_one_cannot_be_written(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".github/workflows/a.yml": GOOD.read_text(), ".github/workflows/b.yml": GOOD.read_text()},
    )
    result = fix([root], options())
    (root / ".github" / "workflows" / "b.yml").write_text(GOOD.read_text() + "# edited\n")
    with pytest.raises(InputError, match="nothing was written") as error:
        write(result)
    assert "b.yml: it changed since keyless read it" in error.value.message
    assert (root / ".github" / "workflows" / "a.yml").read_text() == GOOD.read_text()


def test_a_failed_write_puts_back_the_files_already_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(
        tmp_path,
        {".github/workflows/a.yml": GOOD.read_text(), ".github/workflows/b.yml": GOOD.read_text()},
    )
    result = fix([root], options())
    real_replace = os.replace
    calls = []

    def full_disk_on_second_file(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", full_disk_on_second_file)
    with pytest.raises(InputError, match="put back, nothing changed"):
        write(result)
    for name in ("a.yml", "b.yml"):
        assert (root / ".github" / "workflows" / name).read_text() == GOOD.read_text()
    assert sorted(p.name for p in (root / ".github" / "workflows").iterdir()) == ["a.yml", "b.yml"]


def test_the_diff_redacts_a_hard_coded_secret(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "gh-hardcoded" / "input", tmp_path / "repo")
    diff = unified_diff(fix([tmp_path / "repo"], options()))
    assert "Tq8vR2mXk7" not in diff
    assert "AKIAQ2X7RM4TZK9WDXYZ" not in diff
    assert "-      AWS_ACCESS_KEY_ID: AKIA…DXYZ" in diff
    assert "-      AWS_SECRET_ACCESS_KEY: [REDACTED]" in diff


def test_a_missing_local_include_is_unread(tmp_path: Path) -> None:
    text = "include:\n  - local: ci/missing.yml\njob:\n  script: [echo]\n"
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    (unread,) = scan([root]).unread
    assert unread.reason == "the included file does not exist"


def test_rewritten_files_keep_their_mode(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": GOOD.read_text()})
    path = root / ".github" / "workflows" / "deploy.yml"
    path.chmod(0o640)
    write(fix([root], options()))
    assert path.stat().st_mode & 0o777 == 0o640
    assert only(fix([root], options()), "deploy.yml").changed is False
