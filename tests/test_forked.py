"""keyless.forked: a side computation in a forked child, and the duplicate-key pass over a
large JSON file that uses it (run while orjson parses the file)."""

from __future__ import annotations

import os
import sys

import pytest

from keyless import duplicate_keys
from keyless.errors import InputError
from keyless.forked import fork_call

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")


def test_the_child_answers() -> None:
    pending = fork_call(lambda: b"x" * 200_000)  # more than a pipe holds at once
    assert pending is not None
    assert pending.result() == b"x" * 200_000


def test_a_child_that_fails_gives_no_answer() -> None:
    def fails() -> bytes:
        raise ValueError("no")

    pending = fork_call(fails)
    assert pending is not None
    assert pending.result() is None


def test_a_child_that_is_killed_gives_no_answer() -> None:
    def dies() -> bytes:
        os.kill(os.getpid(), 9)
        return b"never"

    pending = fork_call(dies)
    assert pending is not None
    assert pending.result() is None


def test_a_cancelled_child_is_reaped() -> None:
    import time

    pending = fork_call(lambda: time.sleep(60) or b"late")
    assert pending is not None
    pending.cancel()
    assert pending.result() is None


def _large(duplicate: bool) -> bytes:
    rows = ",".join(f'{{"UserName": "u{i}", "Path": "/"}}' for i in range(200_000))
    tail = '"Path": "/", "Path": "/x"' if duplicate else '"Path": "/"'
    return f'{{"UserDetailList": [{rows}, {{"UserName": "last", {tail}}}]}}'.encode()


@pytest.mark.parametrize("forked", [True, False])
def test_a_large_file_with_a_key_twice_is_refused_by_pointer(
    forked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _large(duplicate=True)
    assert len(data) >= duplicate_keys.FORKED_PASS
    calls: list[int] = []
    real = duplicate_keys.fork_call

    def counted(function):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(function) if forked else None

    monkeypatch.setattr(duplicate_keys, "fork_call", counted)
    with pytest.raises(InputError) as raised:
        duplicate_keys.parse_json(data, "the export", "export.json")
    assert calls == [1]
    assert raised.value.where == "export.json#/UserDetailList/200000/Path"
    clean = duplicate_keys.parse_json(_large(duplicate=False), "the export", "e.json")
    assert clean["UserDetailList"]
