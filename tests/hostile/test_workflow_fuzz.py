"""Property-based fuzzing of the CI file reader and of everything behind it: any bytes are
a document or an InputError, and any document is scanned and fixed without another
exception."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from keyless.errors import InputError
from keyless.workflows import FixOptions, RoleSource, fix, scan
from keyless.workflows.yamldoc import Document, load_bytes

PATH = Path(".gitlab-ci.yml")
# Characters that drive YAML's grammar: indicators, quotes, anchors, tags, merges.
YAML_ALPHABET = "abc:-?[]{},&*!|>'\"%@`#<\n \t0129.~$\\"
# The words the analysers look for, so generated documents reach them.
KEYS = st.sampled_from(
    [
        "on", "jobs", "steps", "env", "with", "uses", "run", "permissions", "secrets", "needs",
        "environment", "variables", "script", "before_script", "extends", "trigger", "include",
        "default", "id_tokens", "rules", "only", "deploy", ".tmpl", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "aws-access-key-id", "role-to-assume",
        "workflow_call", "push", "branches", "inherit", "local",
    ]
)  # fmt: skip
VALUES = st.sampled_from(
    [
        "${{ secrets.AWS_ACCESS_KEY_ID }}", "$KEY", "aws-actions/configure-aws-credentials@v4",
        "./.github/workflows/x.yml", "aws s3 ls", "export AWS_ACCESS_KEY_ID=$K", "write",
        "read-all", "main", ".tmpl", "AKIAIOSFODNN7EXAMPLE", "us-east-1", "inherit",
        "aws configure set aws_access_key_id $K", "gh release create v1", "",
    ]
) | st.text(max_size=20) | st.integers() | st.none() | st.booleans()  # fmt: skip
DOCUMENTS = st.recursive(
    VALUES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)
OPTIONS = FixOptions(RoleSource(arn="arn:aws:iam::123456789012:role/ci"), "us-east-1", "acme/app")


def _parsed_or_refused(data: bytes) -> None:
    try:
        outcome: Document | InputError = load_bytes(data, PATH)
    except InputError as error:
        outcome = error
    assert isinstance(outcome, Document) or outcome.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_are_a_document_or_an_input_error(data: bytes) -> None:
    _parsed_or_refused(data)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=YAML_ALPHABET, max_size=400))
def test_any_yaml_like_text_is_a_document_or_an_input_error(text: str) -> None:
    _parsed_or_refused(text.encode("utf-8"))


def _dumped(document: Any) -> str:
    yaml = YAML(typ="rt")
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.sampled_from([".github/workflows/ci.yml", ".gitlab-ci.yml"]))
def test_any_document_is_scanned_and_fixed_without_a_crash(document: Any, name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dumped(document), encoding="utf-8")
        refused: InputError | None = None
        try:
            scan([root])
            fix([root], OPTIONS)
        except InputError as error:
            refused = error
        assert refused is None or refused.message
