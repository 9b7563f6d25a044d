"""Any JSON document as a ``main.tf.json``, built from the names Terraform's JSON syntax
gives meaning to, is read without a traceback: every role is judged, not judged with a
reason, or the file is unread — never an exception out of the reader."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyless.iac.scan import scan

_NAMES = st.sampled_from(
    [
        "resource", "data", "variable", "locals", "module", "output", "provider", "terraform",
        "aws_iam_role", "aws_iam_policy_document", "aws_iam_user", "r", "t", "//",
        "assume_role_policy", "statement", "principals", "condition", "dynamic", "content",
        "for_each", "count", "iterator", "type", "default", "source", "identifiers",
    ]
)  # fmt: skip
_STRINGS = st.sampled_from(
    [
        "*", "${var.r}", "${", "%{ if true }x%{ endif }", "$${x}",
        "${data.aws_iam_policy_document.t.json}", "string", "list(string)", "./m",
        '${jsonencode({Statement = [{Effect = "Allow", Principal = "*"}]})}',
        "${each.value}", "${count.index}", '{"Statement": [{"Principal": "*"}]}',
    ]
)  # fmt: skip
_SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | _STRINGS
_JSON: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=25,
)


_BODY = st.dictionaries(_NAMES, _JSON, max_size=5)
#: Documents shaped like configurations (a role, a policy document, a variable), with
#: bodies of any shape, beside documents of any shape.
_DOCUMENTS = st.fixed_dictionaries(
    {
        "resource": st.fixed_dictionaries({"aws_iam_role": st.fixed_dictionaries({"r": _BODY})}),
        "data": st.fixed_dictionaries(
            {"aws_iam_policy_document": st.fixed_dictionaries({"t": _BODY | st.lists(_BODY)})}
        ),
        "variable": st.fixed_dictionaries({"r": _BODY}),
    }
) | st.dictionaries(_NAMES, _JSON, max_size=4)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS)
def test_any_json_configuration_is_read_without_a_traceback(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "main.tf.json").write_text(json.dumps(document))
        result = scan([Path(directory)])
        assert result.exit_code() in (0, 1, 3)
