"""An OIDC role's description names its repositories within IAM's 1,000 characters
(CreateRole's ``Description``): it was cut at 1,000, mid-name, so a role of many
repositories described one that is not its own (``acme/repository-0`` cut to
``acme/repo``). The names that fit are whole, then how many more."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.generate.conftest import edited, run

REPOSITORIES = [f"acme/a-repository-with-a-rather-long-name-{n:03d}" for n in range(60)]


def _many(document: dict[str, Any]) -> None:
    (role,) = [r for r in document["oidc_roles"] if r["platform"] == "github"][:1]
    role["repositories"] = [*role["repositories"], *REPOSITORIES]


def test_a_description_of_many_repositories_names_whole_ones(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _many)
    (role,) = [r for r in json.loads(plan.read_text())["oidc_roles"] if len(r["repositories"]) > 60]
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output

    text = "".join(path.read_text() for path in out.glob("*.yaml"))
    found = re.findall(r"Description: '(keyless: github pipelines of [^']*)'", text)
    (description,) = [d for d in found if "rather-long" in d]
    assert len(description) <= 1000
    cut = re.fullmatch(r"keyless: github pipelines of (.*) and (\d+) more", description)
    assert cut is not None, description
    listed, more = cut.groups()
    names = listed.split(", ")
    assert names == role["repositories"][: len(names)]
    assert int(more) == len(role["repositories"]) - len(names)
