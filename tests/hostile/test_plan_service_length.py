"""A workload role's ``service`` (the role's trust policy ``Principal.Service``) had no
length bound in the plan schema: a hand-edited plan naming a service of 100,000 letters
reached the trust analysis, which refused the policy with no pointer and no role named,
and ``--link USER=aws:…`` took one too. A service principal is a DNS name
(``SERVICE.amazonaws.com``), 253 characters at most (RFC 1035 section 2.3.4): longer is
refused by pointer by the schema (``plan --check``, ``generate``, exit 2) and by the
link grammar (``plan --link``, exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyless.errors import KeylessError
from keyless.plan.links import parse_link_option
from tests.generate.conftest import edited, generated_and_checked, run

SUFFIX = ".amazonaws.com"


def _service(length: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["workload_roles"][0]["service"] = "a" * (length - len(SUFFIX)) + SUFFIX

    return change


@pytest.mark.parametrize("length", [254, 100_000])
def test_a_longer_service_is_refused_by_pointer(
    export_plan: Path, tmp_path: Path, ca_cert: Path, length: int
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _service(length))
    out = tmp_path / "out"
    generated, checked = generated_and_checked(export_plan, plan, out, ca_cert)
    for result in (generated, checked):
        assert result.exit_code == 2, result.output
        assert "#/workload_roles/0/service" in result.stderr
    assert not out.exists()


def test_a_service_of_253_characters_passes_the_schema(export_plan: Path, tmp_path: Path) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _service(253))
    checked = run("plan", "--check", str(plan), "--input", str(export_plan.parent / "export"))
    assert "#/workload_roles/0/service" not in checked.stderr, checked.output


def test_a_link_to_a_longer_service_is_refused() -> None:
    assert parse_link_option(f"reporter=aws:{'a' * 239}{SUFFIX}").target.value.endswith(SUFFIX)
    with pytest.raises(KeylessError, match="not a link target"):
        parse_link_option(f"reporter=aws:{'a' * 240}{SUFFIX}")
