"""Azure templates named one by one (``keyless workflows scan t/*.yml``, the pre-commit
hook's staged files): each file walked the repository's pipelines again, parsing every
template it met, so 300 templates named took 25 seconds and 1,000 minutes. A template's
includes are now parsed once per version of the file. What a file includes is read again
once the file changes: an edit that drops an include is seen by the next scan."""

from __future__ import annotations

import os
from pathlib import Path

from keyless.workflows.discovery import discover
from keyless.workflows.model import Platform
from tests.workflows.builders import repo

KEYS = "steps:\n  - script: aws s3 ls\n    env:\n      AWS_ACCESS_KEY_ID: $(awsKeyId)\n"


def checkout(tmp_path: Path, files: dict[str, str]) -> Path:
    root = repo(tmp_path, files)
    (root / ".git").mkdir()
    return root


def platforms(paths: list[Path]) -> dict[str, Platform]:
    return {f.path.name: f.platform for f in discover(paths).files}


def test_every_named_template_is_azure(tmp_path: Path) -> None:
    files = {"azure-pipelines.yml": "steps:\n" + "".join(
        f"  - template: t/s{i}.yml\n" for i in range(40)
    )}  # fmt: skip
    files |= {f"t/s{i}.yml": KEYS for i in range(40)}
    root = checkout(tmp_path, files)
    named = sorted((root / "t").glob("*.yml"))
    assert set(platforms(named).values()) == {Platform.AZURE}


def test_an_include_dropped_by_an_edit_is_seen(tmp_path: Path) -> None:
    root = checkout(
        tmp_path,
        {
            "azure-pipelines.yml": "steps:\n  - template: t/a.yml\n",
            "t/a.yml": "steps:\n  - template: b.yml\n",
            "t/b.yml": KEYS,
        },
    )
    assert platforms([root / "t" / "b.yml"]) == {"b.yml": Platform.AZURE}
    a = root / "t" / "a.yml"
    a.write_text("steps:\n  - script: echo\n")
    os.utime(a, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns + 1_000_000_000))
    assert platforms([root / "t" / "b.yml"]).get("b.yml") is not Platform.AZURE
