"""Unquoted YAML scalars in a CloudFormation template, read as CloudFormation reads them.

CloudFormation reads YAML 1.1 ("CloudFormation supports the YAML Version 1.1 specification",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html): an
unquoted ``yes``/``no``/``on``/``off`` is a boolean (aws/aws-cli#5245; a tag written ``YES``
arrives as ``"true"``, ASFHyP3/hyp3#2061), and ``Fn::Equals`` compares a boolean as
``"true"``/``"false"`` and an integer as its digits (cfn-lint W8003, tested by AWS:
"True (boolean) == 'true'", "1 == '1'"). keyless reads YAML 1.2; where the two readings
differ, or CloudFormation's text of a value is not documented, the condition is undecided,
never decided on a guess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.cloudformation import parse_template
from keyless.iac.intrinsics import Template
from keyless.iac.jsonpos import parse_json
from keyless.iac.sources import ReadError
from keyless.iac.values import Unknown, get

TEMPLATE = """\
Conditions:
  Chosen: !Equals [{left}, {right}]
Resources: {{}}
"""


def _decided(left: str, right: str) -> bool | str:
    root = parse_template(Path("t.yaml"), TEMPLATE.format(left=left, right=right))
    node = Template(root).evaluate(parse_json('{"Fn::If": ["Chosen", "yes", "no"]}'))
    if isinstance(node.value, Unknown):
        return "undecided"
    return node.value == "yes"


@pytest.mark.parametrize(
    ("left", "right", "decided"),
    [
        ('"true"', "true", True),  # a boolean is compared as "true"
        ('"True"', "true", False),
        ('"true"', "yes", True),  # YAML 1.1: yes is a boolean
        ('"yes"', "yes", False),  # ...so it is not the string "yes"
        ('"false"', "Off", True),
        ('"on"', "'on'", True),  # quoted: a string
        ('"5"', "5", True),  # an integer: its digits
        ('"0"', "0", True),  # plain 0 is the integer 0 (ruamel reads -0 and +0 alike)
        ('"012345678901"', "012345678901", True),  # no YAML 1.1 integer: the digits as written
        ('"12345678901"', "012345678901", False),
        ("prod", "prod", True),
        ('"prod"', "Prod", False),
    ],
)
def test_what_cloudformation_compares_is_decided(left: str, right: str, decided: bool) -> None:
    assert _decided(left, right) is decided


@pytest.mark.parametrize(
    "right",
    [
        "y",  # a boolean in YAML 1.1's type list, a string to PyYAML and SnakeYAML
        "N",
        "0x1F",  # 31 to both readings, but CloudFormation's text of it is not documented
        "1_000",
        "-0",  # 0 to both readings, but CloudFormation's text of it is not documented
        "+0",
        "00",
        "017",  # octal 15 in YAML 1.1, 17 in YAML 1.2
        "0o17",  # 15 in YAML 1.2, a string in YAML 1.1
        "10:30",  # 630 in YAML 1.1 (base 60), a string in YAML 1.2
        "1.0",  # a float: CloudFormation's text of it is not known
        "1e3",
    ],
)
def test_what_keyless_cannot_read_exactly_is_undecided(right: str) -> None:
    assert _decided('"x"', right) == "undecided"


@pytest.mark.parametrize(
    ("written", "compared"),
    [("yes", "true"), ("Off", "false"), ("true", "true"), ("5", "5"), ("012345678901", None)],
)
def test_the_decided_readings_are_yaml_1_1s_as_cfn_lint_reads_them(
    written: str, compared: str | None
) -> None:
    # cfn-lint, AWS's linter, loads templates with a YAML 1.1 loader (PyYAML's resolvers):
    # its value, compared as W8003 says CloudFormation compares, is keyless's decision.
    from cfnlint.decode.cfn_yaml import loads

    value = loads(f"a: {written}\n")["a"]
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    assert text == (compared or written)
    assert _decided(f'"{text}"', written) is True


def test_a_parameters_boolean_default_is_the_string_cloudformation_passes() -> None:
    # A parameter's value is a string wherever Ref uses it; `Default: yes` is YAML 1.1's
    # boolean, so the value is "true".
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
    source = (
        "Parameters:\n  X:\n    Type: String\n    Default: yes\n"
        "  N:\n    Type: Number\n    Default: 5\nResources: {}\n"
    )
    template = Template(parse_template(Path("t.yaml"), source))
    node = template.evaluate(parse_json('{"Fn::Sub": "${X}-${N}"}'))
    assert node.value == "true-5"
    assert template.evaluate(parse_json('{"Ref": "N"}')).value == "5"


def test_select_with_a_plain_zero_index_is_evaluated() -> None:
    # !Select [0, !Split ["/", !Ref Repo]], the owner of OWNER/REPO in many GitHub OIDC
    # templates, was unknown: ruamel.yaml reads 0 as it reads -0.
    template = "Parameters:\n  Repo:\n    Type: String\n    Default: acme/app\nResources: {}\n"
    root = parse_template(Path("t.yaml"), template)
    owner = parse_template(Path("v.yaml"), 'v: !Select [0, !Split ["/", !Ref Repo]]\n')
    node = get(owner, "v")
    assert node is not None
    assert Template(root).evaluate(node).value == "acme"


@pytest.mark.parametrize("key", ["yes", "No", "on", "OFF", "true", "123456789012"])
def test_a_key_yaml_1_1_reads_as_no_string_is_refused_as_cloudformation_refuses_it(
    key: str,
) -> None:
    # CloudFormation: "map keys must be strings; received numeric [123456789012] instead"
    # (aws-cloudformation/cfn-lint#292); in YAML 1.1 an unquoted `on:` is a boolean too,
    # though YAML 1.2 (and GitHub's workflow parser) read it as the string "on".
    source = f"Mappings:\n  Envs:\n    {key}:\n      Repo: acme/app\nResources: {{}}\n"
    with pytest.raises(ReadError, match="a key that is not a string") as raised:
        parse_template(Path("t.yaml"), source)
    assert "line 3, column 5" in str(raised.value)


@pytest.mark.parametrize("key", ["'on'", '"yes"', "y", "prod"])
def test_a_quoted_or_plain_string_key_is_read(key: str) -> None:
    source = f"Mappings:\n  Envs:\n    {key}:\n      Repo: acme/app\nResources: {{}}\n"
    root = parse_template(Path("t.yaml"), source)
    assert get(root, "Mappings", "Envs", key.strip("'\""), "Repo") is not None


@pytest.mark.parametrize(("key", "string"), [("yes", False), ("on", False), ("'on'", True)])
def test_the_refused_keys_are_no_strings_to_cfn_lints_yaml_1_1_loader(
    key: str, string: bool
) -> None:
    from cfnlint.decode.cfn_yaml import loads

    (found,) = loads(f"{key}: 1\n")
    assert isinstance(found, str) is string


@pytest.mark.parametrize("written", ["1" * 5000, "-" + "1" * 5000, "1" * 1001])
def test_an_integer_of_thousands_of_digits_is_unknown_not_a_traceback(written: str) -> None:
    # Python's int() refuses more than 4,300 digits: ruamel's constructor raised ValueError.
    root = parse_template(Path("t.yaml"), f"Resources:\n  R:\n    Type: X\n    Size: {written}\n")
    size = get(root, "Resources", "R", "Size")
    assert size is not None
    assert isinstance(size.value, Unknown)
    assert "more than 1000 digits" in size.value.reason


def test_a_long_hexadecimal_integer_is_read_as_before() -> None:
    root = parse_template(Path("t.yaml"), f"Resources: {{}}\nN: 0x{'f' * 2000}\n")
    size = get(root, "N")
    assert size is not None
    assert "hexadecimal" in str(size.value)
