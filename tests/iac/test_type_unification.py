"""A ``list(any)`` or ``map(any)`` whose elements are lists or objects holds them converted
to the one type Terraform unifies them to: ``[["a"], [1]]`` holds ``[["a"], ["1"]]``; a
value Terraform refuses (``[1, true]``: no common type) is unknown, never converted.
Compared with ``terraform console`` (skipped without terraform)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from keyless.iac.values import Node, plain, unknowns
from tests.iac.conftest import TERRAFORM, terraform_console
from tests.iac.support import role_trust, variable_blocks

# (type, default, the value terraform console gives for it)
UNIFIED = [
    ("list(any)", '[["a"], [1]]', [["a"], ["1"]]),
    ("map(any)", '{ x = ["y"], z = [1, true] }', {"x": ["y"], "z": ["1", "true"]}),
    ("list(any)", '[{ k = 1 }, { k = "x" }]', [{"k": "1"}, {"k": "x"}]),
    ("list(any)", '[[1, true], ["x", false]]', [["1", True], ["x", False]]),
    (
        "list(any)",
        '[{ k = 1, b = true }, { k = "z", b = false }]',
        [{"k": "1", "b": True}, {"k": "z", "b": False}],
    ),
    ("list(any)", '[{ k = 1, b = true }, { k = "z" }]', [{"k": "1", "b": "true"}, {"k": "z"}]),
    ("list(any)", '[[1, "a"], [2]]', [["1", "a"], ["2"]]),
    ("list(any)", '[[1, "a"], [2, "b"]]', [[1, "a"], [2, "b"]]),
    ("list(any)", '[[[1]], [["x"]]]', [[["1"]], [["x"]]]),
    ("list(any)", '[[null, 1], ["x"]]', [[None, "1"], ["x"]]),
    ("list(any)", "[{ k = null }, { k = 1 }]", [{"k": None}, {"k": 1}]),
    ("list(any)", '[[], ["a"]]', [[], ["a"]]),
    ("map(any)", '{ a = null, b = 1, c = "x" }', {"a": None, "b": "1", "c": "x"}),
    ("set(any)", '[["a"], [2]]', [["2"], ["a"]]),
]

# Values Terraform refuses ("all list elements must have the same type").
REFUSED = [
    ("list(any)", "[1, true]"),
    ("list(any)", "[[1], [true]]"),
    ("list(any)", '[["a"], null]'),
    ("list(any)", "[{ k = 1 }, { k = [1] }]"),
    ("list(any)", "[[1], { a = 1 }]"),
]


def _trust(tmp_path: Path, cases: list[tuple[str, str]], value: str) -> Node:
    return role_trust(tmp_path, value, variable_blocks(cases))


def _sorted_if_set(type_: str, value: object) -> object:
    # A set's order is Terraform's (sorted by value); keyless keeps the written order.
    return sorted(value, key=repr) if type_.startswith("set") and isinstance(value, list) else value


@pytest.mark.parametrize(("type_", "default", "expected"), UNIFIED)
def test_elements_are_converted_to_their_unified_type(
    tmp_path: Path, type_: str, default: str, expected: object
) -> None:
    trust = _trust(tmp_path, [(type_, default)], "{ v = var.v0 }")
    found = plain(trust)["v"]
    assert _sorted_if_set(type_, found) == _sorted_if_set(type_, expected)


@pytest.mark.parametrize(("type_", "default"), REFUSED)
def test_a_value_terraform_refuses_is_unknown(tmp_path: Path, type_: str, default: str) -> None:
    trust = _trust(tmp_path, [(type_, default)], "{ v = var.v0 }")
    assert [u.reason for u in unknowns(trust) if "refuses" in u.reason], list(unknowns(trust))


def test_an_unknown_element_leaves_the_others_unknown_unless_all_are_strings(
    tmp_path: Path,
) -> None:
    trust = _trust(tmp_path, [("list(any)", '[["a"], [var.nothing]]')], "{ v = var.v0 }")
    assert [u.expression for u in unknowns(trust)] == ["var.nothing"]
    (tmp_path / "other").mkdir()
    mixed = _trust(tmp_path / "other", [("list(any)", "[[1], [var.nothing]]")], "{ v = var.v0 }")
    assert any("mixed types" in u.reason for u in unknowns(mixed))


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_unifies_as_terraform_console_does(tmp_path: Path) -> None:
    variables = [(type_, default) for type_, default, _ in UNIFIED]
    names = ", ".join(f"var.v{i}" for i in range(len(variables)))
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "main.tf").write_text(variable_blocks(variables))
    expected = terraform_console(tmp_path / "terraform", f"[{names}]")
    assert expected == [value for _, _, value in UNIFIED]
    (tmp_path / "keyless").mkdir()
    trust = _trust(tmp_path / "keyless", variables, f"{{ v = [{names}] }}")
    found = plain(trust)["v"]
    assert [_sorted_if_set(t, v) for (t, _), v in zip(variables, found, strict=True)] == [
        _sorted_if_set(t, v) for (t, _), v in zip(variables, expected, strict=True)
    ]


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
@pytest.mark.parametrize(("type_", "default"), REFUSED)
def test_terraform_refuses_what_keyless_leaves_unknown(
    tmp_path: Path, type_: str, default: str
) -> None:
    assert TERRAFORM is not None
    (tmp_path / "main.tf").write_text(variable_blocks([(type_, default)]))
    console = subprocess.run(
        [TERRAFORM, "console"],
        input="jsonencode(var.v0)\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"},
        timeout=120,
        check=False,
    )
    assert console.returncode != 0
    assert "must have the same type" in console.stderr
