"""Infrastructure code quoted in a message is quoted in part (``keyless.errors.quoted``):
a 100,000-character key, attribute or block type is not echoed whole."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from keyless.iac.hcl import HclSyntaxError, parse_hcl
from keyless.iac.hclsplit import split_blocks
from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.yamlpos import YamlSyntaxError, parse_yaml

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_json, f'{{"{HUGE}": 1, "{HUGE}": 2}}'),
        (parse_yaml, f"? [{HUGE}]\n: 1\n"),
        (parse_hcl, f"{HUGE} = 1\n{HUGE} = 2\n"),
        (split_blocks, f"{HUGE} x\n"),
    ],
)
def test_a_huge_name_is_quoted_in_part(parse: Callable[[str], object], text: str) -> None:
    with pytest.raises((JsonSyntaxError, YamlSyntaxError, HclSyntaxError)) as refused:
        parse(text)
    message = str(refused.value)
    assert len(message) < 500, message[:600]
    assert "xxxxxxxx…" in message
