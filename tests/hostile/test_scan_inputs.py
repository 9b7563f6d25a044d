"""Hostile and unlucky input to ``scan``, ``collect`` and ``checks``: option values,
configuration files and output paths. Each case is input → exit code and a phrase of the
message naming the option or file; no case prints a traceback or changes a file.

The classes (issue #10): values that cannot be right are refused against their grammar
before anything is read or contacted; a configuration that would hide findings or hang
is refused; an output is written whole or not at all, never through a symbolic link.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"


@dataclass(frozen=True)
class Case:
    """``keyless ARGS`` in a scratch directory (``{tmp}`` in an argument is that
    directory; ``config`` is written there as keyless.toml) → ``code`` and ``phrase``."""

    args: tuple[str, ...]
    code: int
    phrase: str
    config: bytes | None = None

    def __str__(self) -> str:
        return " ".join(a if len(a) < 30 else a[:27] + "…" for a in self.args)


def files(directory: Path) -> dict[str, bytes | str]:
    """Every entry under ``directory``: a file's bytes, a link's target, a directory."""
    state: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        name = str(path.relative_to(directory))
        if path.is_symlink():
            state[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            state[name] = path.read_bytes()
        else:
            state[name] = "<dir>"
    return state


def assert_case(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if case.config is not None:
        (tmp_path / "keyless.toml").write_bytes(case.config)
    (tmp_path / "previous-report.txt").write_text("the previous report\n")
    before = files(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in case.args]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == case.code, result.output
    assert case.phrase in result.stderr
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert files(tmp_path) == before


EXPORT = ("--input", str(ACCOUNT))

OPTION_CASES = [
    # --external-id: 2 to 1,224 of [\w+=,.@:/-] (sts:AssumeRole)
    Case(("scan", "--org", "--external-id", "a"), 2, "--external-id"),
    Case(("scan", "--org", "--external-id", "ab\ncd"), 2, "--external-id"),
    Case(("scan", "--org", "--external-id", "ab cd"), 2, "--external-id"),
    Case(("scan", "--org", "--external-id", "x" * 1225), 2, "--external-id"),
    Case(("scan", "--org", "--external-id", "\uff11\uff12\uff13"), 2, "--external-id"),
    Case(("scan", "--org", "--external-id", ""), 2, "--external-id"),
    Case(("collect", "--org", "--external-id", "a", "--out", "x.json"), 2, "--external-id"),
    # --region: AWS region syntax
    Case(("scan", "--region", "us-east-1\n"), 2, "--region"),
    Case(("scan", "--region", "US-EAST-1"), 2, "--region"),
    Case(("scan", "--region", "../../etc"), 2, "--region"),
    Case(("scan", "--region", "us-east-1.evil.example"), 2, "--region"),
    # --profile: no whitespace, brackets or control characters
    Case(("scan", "--profile", "a b"), 2, "--profile"),
    Case(("scan", "--profile", "x]\n[default"), 2, "--profile"),
    Case(("scan", "--profile", ""), 2, "--profile"),
    # --member-role: role name, optionally path/name
    Case(("scan", "--org", "--member-role", "Role Name"), 2, "--member-role"),
    Case(("scan", "--org", "--member-role", "r" * 65), 2, "--member-role"),
    Case(("scan", "--org", "--member-role", "role\n"), 2, "--member-role"),
    Case(("scan", "--org", "--member-role", "role/"), 2, "--member-role"),
    Case(("scan", "--org", "--member-role", "arn:aws:iam::1:role/x"), 2, "--member-role"),
    # account IDs: twelve ASCII digits
    Case(("scan", "--org", "--accounts", "12345"), 2, "--accounts"),
    Case(("scan", "--org", "--accounts", "\uff11" * 12), 2, "--accounts"),
    Case(("scan", "--org", "--accounts", "123456789012,abc"), 2, "--accounts"),
    Case(("scan", "--org", "--exclude-accounts", "12345678901a"), 2, "--exclude-accounts"),
    Case(("scan", "--accounts", "123456789012"), 2, "--org"),
    Case(("scan", "--org", "--max-workers", "0"), 2, "--max-workers"),
    Case(("scan", "--org", "--max-workers", "65"), 2, "--max-workers"),
    Case(("scan", "--org", "--max-workers", "many"), 2, "--max-workers"),
    # scan's own options
    Case(("scan", *EXPORT, "--now", "yesterday"), 2, "--now"),
    Case(("scan", *EXPORT, "--now", "0001-01-01"), 2, "--now"),
    Case(("scan", *EXPORT, "--fail-on", "severe"), 2, "--fail-on"),
    Case(("scan", *EXPORT, "--format", "xml"), 2, "--format"),
    Case(("scan", *EXPORT, "--checks", "no-such-check"), 2, "no-such-check"),
    Case(("scan", *EXPORT, "--checks", "workflow-static-aws-keys"), 2, "workflows check"),
    Case(("scan", "--input", "{tmp}/absent"), 2, "--input"),
    Case(("scan", "--snapshot", "{tmp}"), 2, "--snapshot"),
    Case(("scan", *EXPORT, "--config", "{tmp}/absent.toml"), 2, "--config"),
    Case(("scan", *EXPORT, "--demo"), 2, "choose one source"),
    # collect and checks
    Case(("collect", "--snapshot", "x.json", "--out", "y.json"), 2, "--snapshot"),
    Case(("collect", *EXPORT), 2, "--out"),
    Case(("checks", "--format", "xml"), 2, "--format"),
]


@pytest.mark.parametrize("case", OPTION_CASES, ids=str)
def test_option_values(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_case(case, tmp_path, monkeypatch)


SCAN = ("scan", *EXPORT)
IGNORE = b'[[ignore]]\ncheck = "key-unused"\nreason = "accepted"\n'

CONFIG_CASES = [
    Case(SCAN, 2, "'key-unsed'", b'[[ignore]]\ncheck = "key-unsed"\nreason = "typo"\n'),
    Case(
        SCAN,
        2,
        "keyless.toml [[ignore]] #2",
        IGNORE + b'[[ignore]]\ncheck = "nope"\nreason = "x"\n',
    ),
    Case(
        SCAN,
        2,
        "'check' must be a non-empty string, not a number",
        b'[[ignore]]\ncheck = 5\nreason = "x"\n',
    ),
    Case(
        SCAN,
        2,
        "'reason' must be a non-empty string, not an array",
        b'[[ignore]]\ncheck = "key-unused"\nreason = []\n',
    ),
    Case(
        SCAN,
        2,
        "'reason' must be a non-empty string, not blank text",
        b'[[ignore]]\ncheck = "key-unused"\nreason = " "\n',
    ),
    Case(SCAN, 2, "'resource' must be a string", IGNORE + b"resource = 5\n"),
    Case(SCAN, 2, "'ignore' must be an array", b"ignore = 5\n"),
    Case(SCAN, 2, "each [[ignore]] must be a table", b'ignore = ["key-unused"]\n'),
    Case(SCAN, 2, "unknown key", IGNORE + b'expires = "2030-01-01"\n'),
    Case(SCAN, 2, "[thresholds] must be a table", b'thresholds = "x"\n'),
    Case(SCAN, 2, "key_max_age_days", b"[thresholds]\nkey_max_age_days = -1\n"),
    Case(SCAN, 2, "key_max_age_days", b'[thresholds]\nkey_max_age_days = "90"\n'),
    Case(SCAN, 2, "key_max_age_days", b"[thresholds]\nkey_max_age_days = true\n"),
    Case(SCAN, 2, "key_max_age_days", b"[thresholds]\nkey_max_age_days = 1000000000000\n"),
    Case(SCAN, 2, "key_max_age_days", b"[thresholds]\nkey_max_age_days = 90.5\n"),
    Case(SCAN, 2, "unknown threshold", b"[thresholds]\nkey_max_age = 90\n"),
    Case(SCAN, 2, "unknown section", b"[ignores]\ncheck = 1\n"),
    Case(SCAN, 2, "not valid TOML", b"[[ignore]\n"),
    Case(SCAN, 2, "not valid TOML", b"[thresholds]\nkey_max_age_days = 1\nkey_max_age_days = 2\n"),
    Case(SCAN, 2, "nested too deeply", b"a = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
    Case(SCAN, 2, "not UTF-8", b'\xff\xfe[[ignore]]\ncheck = "key-unused"\n'),
    Case(SCAN, 2, "control character", IGNORE[:-1] + b'\nresource = "a\\u001b[2Jb"\n'),
    Case(SCAN, 2, "control character", b'[[ignore]]\ncheck = "*"\nreason = "ok\\nNo findings."\n'),
    Case(
        SCAN, 2, "control character", b'[[ignore]]\ncheck = "*"\nreason = "rtl \\u202e gnp.exe"\n'
    ),
    Case(SCAN, 2, "bytes", b"# padding\n" * 150_000),
]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=lambda c: repr(c.config[:40]))
def test_configuration_files(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_case(case, tmp_path, monkeypatch)


def test_a_fifo_named_as_configuration_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(tmp_path / "fifo.toml")
    assert_case(
        Case((*SCAN, "--config", "{tmp}/fifo.toml"), 2, "regular file"), tmp_path, monkeypatch
    )


def test_a_keyless_toml_linked_to_a_device_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "keyless.toml").symlink_to("/dev/zero")
    assert_case(Case(SCAN, 2, "regular file"), tmp_path, monkeypatch)


def test_a_keyless_toml_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "keyless.toml").mkdir()
    assert_case(Case(SCAN, 2, "keyless.toml: cannot read the configuration"), tmp_path, monkeypatch)


# --- outputs: never through a link, never half-written ---


def test_output_through_a_symlink_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "report.txt").symlink_to(tmp_path / "previous-report.txt")
    assert_case(
        Case((*SCAN, "--output", "{tmp}/report.txt"), 2, "symbolic link"), tmp_path, monkeypatch
    )


def test_snapshot_through_a_symlink_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "estate.json").symlink_to(tmp_path / "previous-report.txt")
    case = Case(("collect", *EXPORT, "--out", "{tmp}/estate.json"), 2, "symbolic link")
    assert_case(case, tmp_path, monkeypatch)


def test_output_that_is_a_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "reports").mkdir()
    assert_case(Case((*SCAN, "--output", "{tmp}/reports"), 2, "--output"), tmp_path, monkeypatch)


def test_output_in_a_missing_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = Case((*SCAN, "--output", "{tmp}/missing/report.txt"), 2, "the report (--output)")
    assert_case(case, tmp_path, monkeypatch)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any directory")
def test_output_in_an_unwritable_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        case = Case((*SCAN, "--output", "{tmp}/locked/report.txt"), 2, "the report (--output)")
        assert_case(case, tmp_path, monkeypatch)
    finally:
        locked.chmod(stat.S_IRWXU)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_output_where_no_file_can_be_created_is_refused_even_for_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = Case((*SCAN, "--output", "/proc/self/report.txt"), 2, "the report (--output)")
    assert_case(case, tmp_path, monkeypatch)


def keyless(*args: str, preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    """``keyless ARGS`` in a child process, with the test environment (fake credentials,
    no profile) and no bytecode written."""
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "keyless", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        preexec_fn=preexec_fn,
    )


def limit_file_size() -> None:
    """In the child: files may not grow past 4 KiB, as on a full disk; the write fails
    with EFBIG instead of the process being killed by SIGXFSZ."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_a_failed_write_leaves_the_previous_report_intact(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"previous": true}\n')
    child = keyless(
        "scan", *EXPORT, "--format", "json", "--output", str(report), preexec_fn=limit_file_size
    )
    _, err = child.communicate(timeout=120)
    assert child.returncode == 2
    assert "the report (--output)" in err
    assert "Traceback" not in err
    assert report.read_text() == '{"previous": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


# --- Ctrl-C: exit 130, one line, nothing half-written ---


@pytest.fixture
def silent_endpoint() -> Iterator[tuple[str, threading.Event]]:
    """A loopback HTTP endpoint that accepts connections and never answers; the event is
    set once a client has connected (so the client is waiting on it)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        try:
            while True:
                connection, _ = server.accept()
                held.append(connection)
                connected.set()
        except OSError:
            return  # the server socket was closed

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", connected
    finally:
        server.close()
        for connection in held:
            connection.close()


def answer_ctrl_c() -> None:
    """In the child: SIGINT at its default, as at a terminal. A test run started in the
    background by a non-interactive shell (`make test &` in a script, some CI runners)
    ignores SIGINT, its children inherit that, and Python then keeps ignoring it: keyless
    would wait out the silent endpoint and exit 3 (AWS unreachable), not 130."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_with_one_line_and_writes_nothing(
    tmp_path: Path, silent_endpoint: tuple[str, threading.Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, connected = silent_endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    report = tmp_path / "report.txt"
    report.write_text("the previous report\n")
    child = keyless("scan", "--output", str(report), preexec_fn=answer_ctrl_c)
    try:
        assert connected.wait(timeout=60), "keyless never contacted the endpoint"
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130
    assert err.strip().splitlines() == ["keyless: interrupted"]
    assert out == ""
    assert report.read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]
