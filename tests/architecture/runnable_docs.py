"""The examples users copy from README.md and docs/*.md run as the pages say: each fenced
block marked ``<!-- run: … -->`` (an HTML comment, invisible on GitHub) is run with the
venv's ``keyless`` in a scratch directory, and must exit as documented and print what the
page shows.

The pages are README.md, docs/*.md and docs/examples/README.md. The marker sits on the
line just before the fence and takes, space-separated:

- ``exit=N`` (every command) or ``exit=1,1,0`` (one per command run); in a ``console``
  block a ``$ echo $?`` line followed by the number says it for the command before it;
- ``commands=N``: run only the first N commands (the rest need AWS or a network);
- ``cwd=DIR``: run in that directory of the scratch copy (``docs/examples``);
- ``writes=A,B``: files the commands must leave behind (relative to ``cwd``).

A ``console`` block that cannot run offline says why: ``<!-- not run: REASON -->``.

In a ``console`` block, ``$ `` starts a command (``\\`` at the end of a line continues it)
and the lines after it are its output: each must appear, in order, in what the command
printed on stdout and stderr. Whitespace is ignored (a terminal's width wraps lines
differently), and ``…`` stands for any text: a line of its own for omitted lines, inside a
line for a value that changes (a date). A ``python`` block is one program, run with the
venv's Python; a line ``EXPRESSION  # True`` (or ``False``) in it is asserted. In any
other block every line is a command.

A block marked ``<!-- same-as: PATH -->`` shows the file PATH (from the repository's root)
as it is: the same JSON value for a ``json`` block, else the same text.

The scratch directory holds copies of the repository's files the examples read
(``docs/examples``, ``tests/iac/corpus``, ``tests/plan/fixtures``); the environment has no
AWS credentials or configuration but fake keys, so nothing can reach a real account.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = (
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "docs/examples/README.md",
)
COPIED = ("docs/examples", "tests/iac/corpus", "tests/plan/fixtures")
SAME_AS = re.compile(r"^<!--\s*same-as:\s*(?P<path>\S+)\s*-->\s*$")
MARKER = re.compile(r"^<!--\s*run(?::(?P<options>.*?))?\s*-->\s*$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*\S.*-->\s*$")
FENCE = re.compile(r"^```(?P<info>\S*)\s*$")
OPTIONS = {"exit", "commands", "cwd", "writes"}
# Fake credentials (AWS's documentation example) and no configuration: a command that
# tried to reach AWS could only fail, and never with someone's real account.
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_EC2_METADATA_DISABLED": "true",
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONUNBUFFERED": "1",
    "TERM": "dumb",
    "TZ": "UTC",
}


@dataclass(frozen=True)
class Command:
    """One command of an example, what it must exit with and the lines it must print."""

    text: str
    exit_code: int | None
    output: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    """A marked block of a page."""

    page: str
    line: int
    cwd: str
    commands: tuple[Command, ...]
    writes: tuple[str, ...]


def parse_page(name: str, text: str) -> list[Example]:
    """The marked examples of the page ``name``; a marker not followed by a fence, or one
    with an option this module does not know, is an error."""
    lines = text.splitlines()
    examples = []
    for number, line in enumerate(lines):
        marker = MARKER.match(line)
        if not marker:
            continue
        where = f"{name}:{number + 1}"
        fence = FENCE.match(lines[number + 1]) if number + 1 < len(lines) else None
        assert fence, f"{where}: a run marker must be followed by a fence"
        end = next(i for i in range(number + 2, len(lines)) if lines[i].strip() == "```")
        options = dict(o.split("=", 1) for o in (marker["options"] or "").split())
        assert set(options) <= OPTIONS, f"{where}: unknown options {set(options) - OPTIONS}"
        body = lines[number + 2 : end]
        if fence["info"] == "python":  # one program, run by the venv's Python
            commands = [Command("python -c " + shlex.quote(asserted(body)), None, ())]
        else:
            commands = _console(body) if fence["info"] == "console" else _script(body)
        commands = commands[: int(options.get("commands", len(commands)))]
        codes = options.get("exit", "").split(",") if "exit" in options else []
        if len(codes) == 1:
            codes *= len(commands)
        assert not codes or len(codes) == len(commands), f"{where}: one exit code per command"
        commands = [
            Command(c.text, int(codes[i]) if codes else c.exit_code, c.output)
            for i, c in enumerate(commands)
        ]
        for command in commands:
            assert command.exit_code is not None, f"{where}: say the exit of {command.text!r}"
        writes = tuple(w for w in options.get("writes", "").split(",") if w)
        examples.append(Example(name, number + 1, options.get("cwd", "."), tuple(commands), writes))
    return examples


def asserted(program: list[str]) -> str:
    """``program`` with each top-level ``EXPRESSION  # True`` (or ``False``) line turned
    into an assertion: the value a page says an expression has is checked."""
    said = re.compile(r"^(?P<expression>\S.*?)\s+#\s+(?P<value>True|False)\s*$")
    return "\n".join(
        said.sub(r'assert (\g<expression>) is \g<value>, "\g<expression>"', line)
        for line in program
    )


def _joined(body: list[str], script: bool = False) -> list[tuple[str, bool]]:
    """The lines of ``body`` with backslash continuations joined, each marked whether it
    is a command (every line of a script; one starting with ``$ `` in a console block)."""
    joined: list[tuple[str, bool]] = []
    continued = False
    for line in body:
        if continued:
            text, is_command = joined[-1]
            joined[-1] = (text[:-1].rstrip() + " " + line.strip(), is_command)
        elif script or line.startswith("$ "):
            joined.append((line if script else line[2:], True))
        else:
            joined.append((line, False))
        continued = joined[-1][1] and joined[-1][0].endswith("\\")
    return joined


def _console(body: list[str]) -> list[Command]:
    commands: list[Command] = []
    echoing = False
    for text, is_command in _joined(body):
        if is_command and text.strip() == "echo $?":
            echoing = True
        elif is_command:
            commands.append(Command(text, None, ()))
        elif echoing:
            last = commands[-1]
            commands[-1] = Command(last.text, int(text), last.output)
            echoing = False
        elif commands:
            last = commands[-1]
            commands[-1] = Command(last.text, last.exit_code, (*last.output, text))
    return commands


def _script(body: list[str]) -> list[Command]:
    texts = [line.strip() for line, _ in _joined(body, script=True)]
    return [Command(t, None, ()) for t in texts if t and not t.startswith("#")]


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def missing_output(expected: tuple[str, ...], printed: str) -> str | None:
    """The first line of ``expected`` that ``printed`` does not show after the lines
    before it (whitespace ignored, ``…`` any text), or None when all are there."""
    haystack = squashed(printed)
    position = 0
    for line in expected:
        parts = [squashed(p) for p in line.split("…")]
        if not "".join(parts):
            continue
        found = re.compile(".*?".join(map(re.escape, parts)), re.DOTALL).search(haystack, position)
        if found is None:
            return line
        position = found.end()
    return None


def examples() -> list[Example]:
    found = []
    for page in PAGES:
        found += parse_page(str(page.relative_to(ROOT)), page.read_text(encoding="utf-8"))
    return found


def pages_with_examples() -> list[str]:
    return sorted({e.page for e in examples()})


def run_example(example: Example, scratch: Path) -> list[str]:
    """Run ``example`` in ``scratch``: the ways it differs from its page (empty when none)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment |= ENVIRONMENT
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment["HOME"] = str(scratch / "home")
    environment["AWS_CONFIG_FILE"] = environment["AWS_SHARED_CREDENTIALS_FILE"] = str(
        scratch / "home" / "no-aws-config"
    )
    where = scratch / example.cwd
    problems = []
    for command in example.commands:
        completed = subprocess.run(
            ["bash", "-c", command.text],
            cwd=where,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        said = f"{example.page}:{example.line}: $ {command.text}"
        if completed.returncode != command.exit_code:
            problems.append(f"{said}\nexit {completed.returncode}, documented {command.exit_code}")
        line = missing_output(command.output, completed.stdout)
        if line is not None:
            problems.append(f"{said}\ndoes not print {line!r}; it printed:\n{completed.stdout}")
    problems += [
        f"{example.page}:{example.line}: wrote no {w}"
        for w in example.writes
        if not (where / w).exists()
    ]
    return problems


def scratch_copy(tmp_path: Path) -> Path:
    for part in COPIED:
        shutil.copytree(ROOT / part, tmp_path / part, symlinks=True)
    (tmp_path / "home").mkdir()
    return tmp_path


def shown_files(name: str, text: str) -> list[tuple[str, str, str, str]]:
    """Each block of the page marked ``same-as``: where, the file it names, the block's
    fence info and its text."""
    lines = text.splitlines()
    shown = []
    for number, line in enumerate(lines):
        marker = SAME_AS.match(line)
        if not marker:
            continue
        fence = FENCE.match(lines[number + 1]) if number + 1 < len(lines) else None
        assert fence, f"{name}:{number + 1}: a same-as marker must be followed by a fence"
        end = next(i for i in range(number + 2, len(lines)) if lines[i].strip() == "```")
        body = "\n".join(lines[number + 2 : end]) + "\n"
        shown.append((f"{name}:{number + 1}", marker["path"], fence["info"], body))
    return shown


def differs(path: Path, info: str, body: str) -> bool:
    text = path.read_text(encoding="utf-8")
    return json.loads(body) != json.loads(text) if info == "json" else body != text


def unmarked_console_blocks(name: str, text: str) -> list[str]:
    """Where ``text`` has a ``console`` block (a command with its output) that neither a
    run marker nor ``<!-- not run: reason -->`` precedes."""
    lines = text.splitlines()
    return [
        f"{name}:{number + 1}"
        for number, line in enumerate(lines)
        if line.strip() == "```console"
        and not (number and (MARKER.match(lines[number - 1]) or NOT_RUN.match(lines[number - 1])))
    ]
