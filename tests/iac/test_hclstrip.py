"""Strip markers of interpolations in quoted strings, blanked before python-hcl2 parses the
text: any text keeps its length and every other character, so positions hold."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from keyless.iac.hclstrip import without_strip_markers
from keyless.iac.read import read_paths

_HCL_PIECES = st.sampled_from(
    [
        '"',
        "${",
        "${~",
        "~}",
        "}",
        "{",
        "%{",
        "~",
        "\\",
        "\n",
        "#",
        "/*",
        "*/",
        "<<EOT\n",
        "EOT",
        "x",
    ]
)


@given(st.lists(_HCL_PIECES | st.text(max_size=3), max_size=40).map("".join))
def test_only_tildes_are_blanked_and_the_length_is_kept(text: str) -> None:
    blanked, offsets = without_strip_markers(text)
    assert len(blanked) == len(text)
    for index, (before, after) in enumerate(zip(text, blanked, strict=True)):
        if index in offsets:
            assert (before, after) == ("~", " ")
        else:
            assert before == after


def test_markers_outside_an_interpolation_of_a_quoted_string_are_kept() -> None:
    text = 'a = "%{~ if x ~}y%{ endif }"\nb = <<EOT\n${~ x ~}\nEOT\n# "${~ x ~}"\nc = "~}"\n'
    assert without_strip_markers(text) == (text, frozenset())


def test_a_marker_in_a_malformed_string_is_an_unread_file_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  assume_role_policy = "${~ x"\n}\n'
    )
    model = read_paths([tmp_path])
    (unread,) = model.unread
    assert "malformed HCL" in unread.reason
