"""``merge_snapshots`` holds every shard's snapshot open while the merged accounts are
read. The files were closed only when the accounts were exhausted (or the iterator
failed inside): an exception in the consumer mid-merge (``keyless merge`` writing to a
full disk), or a merge never iterated, left them open. Now the merge is a context
manager that closes every file on every path, and ``keyless merge`` uses it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.shard import merge_snapshots

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="counts open files in /proc/self/fd"
)


class WriteFailed(Exception):
    """What the consumer of the merge raises mid-way (a full disk, say)."""


def _open_files(paths: list[Path]) -> list[str]:
    """The descriptors of this process open on ``paths``."""
    wanted = {str(path.resolve()) for path in paths}
    found = []
    for descriptor in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:  # the descriptor listdir itself used, closed since
            continue
        if target in wanted:
            found.append(target)
    return found


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo organization in two snapshots: its first account, and the others."""
    folder = tmp_path_factory.mktemp("shards")
    whole = folder / "demo.json"
    assert CliRunner().invoke(cli, ["collect", "--demo", "--out", str(whole)]).exit_code == 0
    document: dict[str, Any] = json.loads(whole.read_text())
    paths = []
    for name, accounts in (("a", document["accounts"][:1]), ("b", document["accounts"][1:])):
        path = folder / f"{name}.json"
        path.write_text(json.dumps({**document, "accounts": accounts}))
        paths.append(path)
    return paths


def test_a_merge_that_fails_mid_way_closes_every_snapshot(shards: list[Path]) -> None:
    def write_one_then_fail() -> None:
        with merge_snapshots(shards) as merged:
            next(merged.accounts)
            assert len(_open_files(shards)) == 2
            raise WriteFailed

    with pytest.raises(WriteFailed):
        write_one_then_fail()

    assert _open_files(shards) == []


def test_a_merge_never_read_closes_every_snapshot(shards: list[Path]) -> None:
    with merge_snapshots(shards) as merged:
        assert merged.envelope is not None

    assert _open_files(shards) == []


def test_a_merge_read_through_closes_every_snapshot(shards: list[Path]) -> None:
    with merge_snapshots(shards) as merged:
        assert len(list(merged.accounts)) >= 2
        assert _open_files(shards) == []

    assert _open_files(shards) == []


def _limit_file_size() -> None:
    """In the child: files may not grow past 4 KiB, as on a full disk (EFBIG, with no file
    name on the error, instead of SIGXFSZ)."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_a_merge_that_cannot_write_its_output_names_it(shards: list[Path], tmp_path: Path) -> None:
    """A write to a named file that fails (no file name on the OSError) is said of that
    file, never taken for standard output failing."""
    out = tmp_path / "merged.json"

    done = subprocess.run(
        [sys.executable, "-m", "keyless", "merge", *map(str, shards), "--out", str(out)],
        preexec_fn=_limit_file_size,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )

    assert done.returncode == 2, done.stderr
    assert "cannot write the snapshot: File too large" in done.stderr
    assert str(out) in done.stderr
    assert "standard output" not in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
