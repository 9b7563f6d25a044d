"""The CI file reader skips comments (keyless never dumps what it read; gathering them was
a fifth of reading a large rewrite again: benchmarks/bench_yaml_read.py) and reads every
node where ruamel.yaml's round-trip reader does: positions, anchors, merge keys, tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import TaggedScalar

from keyless.workflows.yamldoc import _constructor, load_text

TEXT = """\
# a pipeline
.keys: &keys  # the keys
  AWS_ACCESS_KEY_ID: $A   # id
  AWS_SECRET_ACCESS_KEY: $B
deploy:
  # the job
  variables:
    <<: *keys
    OTHER: !reference [.x, variables, Y]
  script:
    - aws s3 sync dist s3://site  # sync
    # between items
    - >-
      echo done
  tags: [a, b]  # flow
"""


def _round_trip(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.Constructor = _constructor()
    return yaml.load(text)


def _same(read: Any, expected: Any, route: str = "") -> None:
    assert type(read) is type(expected), route
    lc = getattr(expected, "lc", None)
    if lc is not None and lc.line is not None:
        assert (read.lc.line, read.lc.col) == (lc.line, lc.col), route
        assert read.lc.data == lc.data, route
    assert str(getattr(read, "anchor", None)) == str(getattr(expected, "anchor", None)), route
    assert str(getattr(read, "tag", None)) == str(getattr(expected, "tag", None)), route
    if isinstance(expected, TaggedScalar):
        assert (read.value, read.style) == (expected.value, expected.style), route
    elif isinstance(expected, dict):
        assert list(read) == list(expected), route
        for key in expected:
            _same(read[key], expected[key], f"{route}.{key}")
    elif isinstance(expected, list):
        assert len(read) == len(expected), route
        for index, (a, b) in enumerate(zip(read, expected, strict=True)):
            _same(a, b, f"{route}[{index}]")
    else:
        assert read == expected, route


def test_nodes_are_read_where_the_round_trip_reader_reads_them() -> None:
    document = load_text(TEXT, Path(".gitlab-ci.yml"), gitlab_header=True)
    _same(document.root, _round_trip(TEXT))
    assert document.merge_key_lines == (8,)


def test_comments_are_not_gathered() -> None:
    root = load_text(TEXT, Path(".gitlab-ci.yml"), gitlab_header=True).root
    assert not root.ca.items
    assert not root["deploy"].ca.items
    assert not root["deploy"]["script"].ca.items
