"""A variable typed ``set(T)`` holds its elements as a set: without repeats, in the order
Terraform iterates a set (strings lexically, numbers by value), as ``terraform console``
shows (skipped without terraform); keyless kept them as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.values import Node, get, plain
from tests.iac.conftest import TERRAFORM, terraform_console
from tests.iac.support import role_trust, variable_blocks

# (type, default, the value terraform console gives for it)
SETS = [
    (
        "set(string)",
        '["repo:acme/b:*", "repo:acme/a:*", "repo:acme/b:*"]',
        ["repo:acme/a:*", "repo:acme/b:*"],
    ),
    ("set(number)", "[10, 9, 10]", [9, 10]),
    ("set(any)", '["b", 1]', ["1", "b"]),
    ("set(string)", '[5, "a"]', ["5", "a"]),
    ("object({ s = set(string) })", '{ s = ["z", "y"] }', {"s": ["y", "z"]}),
]


def _trust(tmp_path: Path, cases: list[tuple[str, str]], value: str) -> Node:
    return role_trust(tmp_path, value, variable_blocks(cases))


@pytest.mark.parametrize(("type_", "default", "expected"), SETS)
def test_a_set_variable_holds_its_elements_as_a_set(
    tmp_path: Path, type_: str, default: str, expected: object
) -> None:
    assert plain(_trust(tmp_path, [(type_, default)], "{ v = var.v0 }")) == {"v": expected}


def test_a_set_with_an_unknown_element_keeps_the_written_order(tmp_path: Path) -> None:
    trust = _trust(tmp_path, [("set(string)", '["b", var.nothing, "a"]')], "{ v = var.v0 }")
    found = get(trust, "v")
    assert found is not None
    assert isinstance(found.value, tuple)
    assert [v.value for v in found.value if isinstance(v.value, str)] == ["b", "a"]


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_orders_sets_as_terraform_console_does(tmp_path: Path) -> None:
    cases = [(type_, default) for type_, default, _ in SETS]
    names = ", ".join(f"var.v{i}" for i in range(len(cases)))
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "main.tf").write_text(variable_blocks(cases))
    expected = terraform_console(tmp_path / "terraform", f"[{names}]")
    assert expected == [value for _, _, value in SETS]
    (tmp_path / "keyless").mkdir()
    assert plain(_trust(tmp_path / "keyless", cases, f"{{ v = [{names}] }}")) == {"v": expected}
