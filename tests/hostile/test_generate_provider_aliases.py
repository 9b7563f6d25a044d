"""Each account of a plan gets an aliased ``aws`` provider in Terraform, named after its
label (sanitised, with six hex digits of a hash when sanitising changed it). Two labels
of a hand-edited plan whose sanitised names and hashes meet gave two providers of one
alias, which Terraform refuses ("Duplicate provider configuration"), and every resource
of either account named that one provider; generate wrote it and exited 0. It is refused
(exit 2) naming the alias, nothing written, as two resources of one address are; so are
two accounts of one CloudFormation template file name."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from keyless.generate.names import profile_name, terraform_name
from tests.generate.conftest import run


def _colliding_labels() -> tuple[str, str]:
    seen: dict[str, str] = {}
    for combo in itertools.product(".,=+@", repeat=10):
        label = "a" + "a".join(combo)
        found = seen.setdefault(terraform_name(label), label)
        if found != label:
            return found, label
    raise AssertionError("no collision")


def test_two_accounts_of_one_provider_alias_are_refused(demo_plan: Path, tmp_path: Path) -> None:
    first, second = _colliding_labels()
    assert terraform_name(first) == terraform_name(second)
    assert terraform_name("account", first) != terraform_name("account", second)
    document = json.loads(demo_plan.read_text())
    accounts = document["source"]["accounts"]
    accounts[0]["alias"], accounts[1]["alias"] = first, second
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(document))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "two names of the plan give one Terraform provider alias" in result.stderr
    assert repr(terraform_name(first)) in result.stderr
    assert not out.exists()


def test_two_accounts_of_one_template_file_are_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    """CloudFormation's per-account templates are named after the label the same way
    (``workload-roles-LABEL.yaml``): the second account's template replaced the first's,
    and its roles were left out of the output without a word."""
    seen: dict[str, str] = {}
    for combo in itertools.product(".,=+@ ", repeat=10):
        label = "a" + "a".join(combo)
        first = seen.setdefault(profile_name(label), label)
        if first != label:
            break
    document = json.loads(export_plan.read_text())
    accounts = document["source"]["accounts"]
    (account,) = accounts
    account["alias"] = first
    accounts.append({"id": "111111111111", "alias": label})
    role = document["workload_roles"][0]
    document["workload_roles"].append({**role, "account": "111111111111", "name": "other-role"})
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(document))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "two names of the plan give one CloudFormation template file name" in result.stderr
    assert not out.exists()
