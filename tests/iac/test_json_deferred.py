"""A ``.tf.json`` file's resources and data sources that keyless neither judges nor
evaluates (a CDKTF stack's buckets, queues, functions) are checked when the file is read
and built only when a judged value refers to them: a 29 MB ``cdk.tf.json`` took 17.8 s and
611 MB building every value with its position (``benchmarks/bench_iac.py --json``). What
is read later is what reading it at once gave: the same values, at the same positions,
and a file Terraform refuses is refused at once, whichever block is at fault."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from keyless.iac.jsonpos import DeferredJson, JsonSyntaxError, parse_json
from keyless.iac.scan import scan
from keyless.iac.tffiles import is_read_eagerly
from keyless.iac.tfjson import parse_json_configuration
from keyless.iac.values import Node, Position, plain

TOPIC = {"aws_sns_topic": {"t": {"//": {"metadata": {"path": "stack/t"}}, "name": "deploys"}}}
SOURCE_ARN = "arn:aws:sns:us-east-1:123456789012:${aws_sns_topic.t.name}"


def member(node: Node, key: str) -> Node:
    assert isinstance(node.value, Mapping)
    return node.value[key]


def role_pinned_to_topic(**resources: Any) -> dict[str, Any]:
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Condition": {"ArnEquals": {"aws:SourceArn": SOURCE_ARN}},
            }
        ]
    }
    role = {"aws_iam_role": {"r": {"assume_role_policy": json.dumps(policy)}}}
    return {"resource": {**TOPIC, **role, **resources}}


def test_a_value_is_deferred_where_asked_and_loads_at_its_position() -> None:
    text = '{"a": {"b": [1, {"c": "x"}]},\n "d":  {"e": 2.5, "f": null}}'
    asked: list[tuple[str, ...]] = []

    def defer(keys: tuple[str, ...]) -> bool:
        asked.append(keys)
        return keys == ("d",)

    root = parse_json(text, defer=defer)
    assert ("a", "b") in asked
    assert ("d",) in asked
    deferred = member(root, "d").value
    assert isinstance(deferred, DeferredJson)
    assert not isinstance(member(root, "a").value, DeferredJson)
    loaded = deferred.load()
    second = text.index("\n") + 1
    assert loaded.position == Position(2, text.index('{"e"') - second + 1)
    assert plain(loaded) == {"e": 2.5, "f": None}
    assert member(loaded, "f").position == Position(2, text.index("null") - second + 1)
    assert loaded == member(parse_json(text), "d")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ('{"x": 1, "x": 2}', "duplicate key"),
        ('{"x": NaN}', "expected a value"),
        ('{"x": [1,]}', "trailing comma"),
        ("[" * 600 + "]" * 600, "nested deeper than 512 levels"),
        ('{"x": "\\ud800"}', "surrogate"),
    ],
)
def test_what_is_wrong_in_a_deferred_value_is_found_at_once(value: str, error: str) -> None:
    with pytest.raises(JsonSyntaxError, match=error):
        parse_json('{"a": ' + value + "}", defer=lambda keys: True)


def test_a_number_too_long_stays_unknown_when_deferred() -> None:
    text = '{"a": {"n": ' + "7" * 5000 + "}}"
    deferred = member(parse_json(text, defer=lambda keys: keys == ("a",)), "a").value
    assert isinstance(deferred, DeferredJson)
    assert deferred.load() == member(parse_json(text), "a")


def test_a_resource_keyless_does_not_read_is_read_when_referred_to(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(json.dumps(role_pinned_to_topic(), indent=2))
    result = scan([tmp_path])
    # Pinned to the topic it names: SNS's confused deputy is closed, nothing is unknown.
    assert not result.unread
    assert not result.findings


def test_unrelated_bodies_are_not_built_until_read() -> None:
    text = json.dumps(role_pinned_to_topic(), indent=2)
    body = parse_json_configuration(text, is_read_eagerly)
    topic = next(b for b in body.blocks if b.labels == ("aws_sns_topic", "t"))
    eager = parse_json_configuration(text)
    same = next(b for b in eager.blocks if b.labels == ("aws_sns_topic", "t"))
    assert topic.body == same.body
    line = text[: text.index('"deploys"')].count("\n") + 1
    assert topic.body.attributes["name"].position.line == line


@pytest.mark.parametrize(
    "body",
    [
        {"name": "a", "lifecycle": 5},
        {"name": "a", "\\u006cifecycle": 5},
        {"name": "a", "dynamic": "x"},
        {"name": "a", "provisioner": {"local-exec": 5}},
    ],
)
def test_what_terraform_refuses_in_an_unrelated_block_makes_the_file_unread(
    tmp_path: Path, body: dict[str, Any]
) -> None:
    document = role_pinned_to_topic(aws_sqs_queue={"q": body})
    text = json.dumps(document, indent=2).replace("\\\\u006c", "\\u006c")
    (tmp_path / "main.tf.json").write_text(text)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "/resource/aws_sqs_queue/q" in unread.reason
    assert result.exit_code() == 3
