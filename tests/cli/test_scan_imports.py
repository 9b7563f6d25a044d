"""What `keyless scan` imports: a scan of an export renders its report without loading
the CI readers, the planner or the check catalogue (about 0.1 s of every scan)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"

# Run in a fresh interpreter: the test process has imported everything already.
_SCAN = """
import sys
from click.testing import CliRunner
from keyless.cli import cli

result = CliRunner().invoke(cli, sys.argv[1:], catch_exceptions=False)
assert result.exit_code in (0, 1), result.output
print(" ".join(sorted(m for m in sys.modules if m.startswith("keyless."))))
"""


def _modules_of_scan(*args: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-c", _SCAN, "scan", "--input", str(ACCOUNT), *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ACCOUNT,  # no keyless.toml here
    )
    return set(completed.stdout.split())


def test_a_json_scan_loads_neither_ci_readers_nor_planner() -> None:
    modules = _modules_of_scan("--format", "json")
    assert "keyless.render.jsonout" in modules  # the test sees what a scan loads
    assert not {m for m in modules if m.startswith(("keyless.workflows", "keyless.iac"))}
    assert "keyless.plan.model" not in modules
    assert "keyless.render.catalogue" not in modules
