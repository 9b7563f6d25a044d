"""keyless.files: only regular files are read, within a size limit; files are written
whole or not at all, never through a symbolic link."""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.files import MAX_FILE_BYTES, read_bytes, read_json, read_text, write_atomic


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file") as caught:
        read_json(fifo, "the policy")
    assert caught.value.where == str(fifo)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="it is a directory"):
        read_bytes(tmp_path)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written or read
    with pytest.raises(InputError, match="larger than the 1,024 MiB keyless reads"):
        read_json(huge)


def test_a_small_file_reads_under_an_address_space_limit(tmp_path: Path) -> None:
    # Under `ulimit -v` (or strict overcommit) a buffer the size of the 1 GiB limit cannot
    # be reserved; reading a small file must not ask for one.
    small = tmp_path / "small.json"
    small.write_text('{"a": 1}')
    code = (
        "import resource, sys\n"
        "from keyless.files import read_bytes\n"
        "pages = int(open('/proc/self/statm').read().split()[0]) * resource.getpagesize()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (pages + (256 << 20),) * 2)\n"
        "sys.stdout.write(read_bytes(sys.argv[1]).decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(small)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == '{"a": 1}'


def test_a_smaller_limit_can_be_asked_for(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 11)
    with pytest.raises(InputError, match="11 bytes, larger than the 10 bytes"):
        read_bytes(tmp_path / "f", limit=10)


def test_json_nested_100_000_deep_is_malformed_not_a_recursion_error(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="not valid JSON"):
        read_json(tmp_path / "deep.json")


def test_text_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "t").write_bytes(b"one\ntwo\n\xff\n")
    with pytest.raises(InputError, match=r"not UTF-8 text \(line 3, byte 8\)"):
        read_text(tmp_path / "t")


def test_write_atomic_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    write_atomic(target, [b"new ", b"content"])
    assert target.read_text() == "new content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_atomic_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new", b"x")
    finally:
        os.umask(umask)
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o644


def test_a_producer_that_fails_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("old")

    def chunks() -> Iterator[bytes]:
        yield b"half"
        raise ValueError("broke off")

    with pytest.raises(ValueError, match="broke off"):
        write_atomic(target, chunks())
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_full_disk_leaves_the_old_file(tmp_path: Path) -> None:
    # A file-size limit makes the write fail with EFBIG, as a full disk fails with ENOSPC.
    target = tmp_path / "out"
    target.write_text("old")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    code = (
        "import sys\n"
        "from keyless.files import write_atomic\n"
        "from keyless.errors import InputError\n"
        "try:\n"
        f"    write_atomic({str(target)!r}, [b'x' * 1024] * 64)\n"
        "except InputError as error:\n"
        "    print(error.describe()); sys.exit(2)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], preexec_fn=limit, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "cannot write the output: File too large" in done.stdout
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_never_through_a_symbolic_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("precious")
    (tmp_path / "link").symlink_to(outside)
    with pytest.raises(InputError, match="through a symbolic link"):
        write_atomic(tmp_path / "link", b"x")
    assert outside.read_text() == "precious"
    assert (tmp_path / "link").is_symlink()


def test_a_directory_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(InputError, match="must be a regular file"):
        write_atomic(tmp_path / "d", b"x")
    assert (tmp_path / "d").is_dir()


def test_a_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write") as caught:
        write_atomic(tmp_path / "absent" / "out", b"x")
    assert caught.value.where == str(tmp_path / "absent" / "out")


class _Stdin:
    """Standard input as a test hands it: its bytes in memory, their position readable."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@pytest.mark.parametrize("limit", [10, (1 << 20) + 5])
def test_standard_input_is_read_at_most_one_byte_past_the_limit(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    stdin = _Stdin(b"x" * (3 << 20))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(InputError, match="larger than the"):
        read_bytes("-", "the policy", limit=limit)
    assert stdin.buffer.tell() == limit + 1


def test_standard_input_at_the_limit_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"x" * ((1 << 20) + 5)))
    assert len(read_bytes("-", "the policy", limit=(1 << 20) + 5)) == (1 << 20) + 5
