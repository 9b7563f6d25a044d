"""HCL's ``%`` as Terraform computes it (cty's ``Value.Modulo``): the quotient is truncated
toward zero, so the remainder has the dividend's sign (``-7 % 3`` is ``-1``, not Python's
``2``), ``x % 0`` is ``x``, and only ``-0 % y`` is ``-0``. Compared with ``terraform
console`` (skipped without terraform)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from keyless.iac.values import Node, plain, unknowns
from tests.iac.conftest import TERRAFORM, terraform_console
from tests.iac.support import role_trust

# (expression, the value terraform console gives for it)
REMAINDERS = [
    ("-7 % 3", -1),
    ("7 % -3", 1),
    ("-7 % -3", -1),
    ("-1 % 5", -1),
    ("-6 % 3", 0),
    ("6 % -3", 0),
    ("-7.5 % 2", -1.5),
    ("7.5 % -2", 1.5),
    ("-7 % 3.5", 0),
    ("5 % 0", 5),
    ("-5 % 0", -5),
    ("1e20 % 7", 2),
    ("-12345678901234567890123 % 1000", -123),
]


def _value(tmp_path: Path, expression: str) -> Node:
    return role_trust(tmp_path, f"{{ v = {expression} }}")


@pytest.mark.parametrize(("expression", "expected"), REMAINDERS)
def test_a_remainder_has_the_dividends_sign(
    tmp_path: Path, expression: str, expected: float
) -> None:
    assert plain(_value(tmp_path, expression)) == {"v": expected}


def test_only_a_negative_zero_dividend_gives_a_negative_zero(tmp_path: Path) -> None:
    # terraform console: "${-0 % 3}" is "-0", "${-6 % 3}" and "${-7 % 3.5}" are "0".
    negative = plain(_value(tmp_path, "[-0 % 3, (0 * -1) % 3, -0 % 0]"))["v"]
    assert all(v == 0 and math.copysign(1.0, v) < 0 for v in negative), negative
    positive = plain(_value(tmp_path, "[-6 % 3, -7 % 3.5, 0 % -3]"))["v"]
    assert all(v == 0 and math.copysign(1.0, v) > 0 for v in positive), positive


def test_a_remainder_cty_would_round_is_unknown(tmp_path: Path) -> None:
    trust = _value(tmp_path, f"{'9' * 160} % 7")
    assert any("cty rounds" in u.reason for u in unknowns(trust))


def test_a_subject_built_from_a_negative_remainder_is_terraforms(tmp_path: Path) -> None:
    # The shape that matters for trust: a remainder interpolated into a subject.
    trust = _value(tmp_path, '"repo:acme/app-${-7 % 3}:*"')
    assert plain(trust) == {"v": "repo:acme/app--1:*"}


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_computes_remainders_as_terraform_console_does(tmp_path: Path) -> None:
    expressions = ", ".join(expression for expression, _ in REMAINDERS)
    (tmp_path / "terraform").mkdir()
    expected = terraform_console(tmp_path / "terraform", f"[{expressions}]")
    assert expected == [value for _, value in REMAINDERS]
    (tmp_path / "keyless").mkdir()
    assert plain(_value(tmp_path / "keyless", f"[{expressions}]")) == {"v": expected}
