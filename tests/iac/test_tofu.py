"""OpenTofu's ``.tofu`` files, read as ``.tf`` ones (Terraform ignores them); a ``.tf``
file beside a ``.tofu`` one of the same name is the version OpenTofu does not load, noted
and not read. They were skipped: an OpenTofu-only configuration scanned clean.
https://opentofu.org/docs/language/files/"""

from __future__ import annotations

from pathlib import Path

from keyless.iac.scan import scan

ROLE = """
resource "aws_iam_role" "gh" {{
  name = "gh"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = "arn:aws:iam::111122223333:oidc-provider/${{local.gh}}" }}
      Condition = {{
        StringEquals = {{ "${{local.gh}}:aud" = "sts.amazonaws.com" }}
        StringLike   = {{ "${{local.gh}}:sub" = "repo:acme/app:{ref}" }}
      }}
    }}]
  }})
}}
locals {{
  gh = "token.actions.githubusercontent.com"
}}
"""


def test_a_tofu_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "main.tofu").write_text(ROLE.format(ref="*"))
    result = scan([tmp_path])
    assert [f.path for f in result.files] == [tmp_path / "main.tofu"]
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}


def test_a_tf_file_a_tofu_file_replaces_is_noted_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE.format(ref="ref:refs/heads/main"))
    (tmp_path / "main.tofu").write_text(ROLE.format(ref="*"))
    result = scan([tmp_path])
    assert [f.path for f in result.files] == [tmp_path / "main.tofu"]
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}
    (note,) = result.notes
    assert note.startswith(f"{tmp_path / 'main.tf'}: not read: OpenTofu reads main.tofu")


def test_a_named_tf_file_a_tofu_file_replaces_makes_the_run_incomplete(tmp_path: Path) -> None:
    # The file asked about was not judged: exit 3, never a clean 0 with a note.
    (tmp_path / "main.tf").write_text(ROLE.format(ref="*"))
    (tmp_path / "main.tofu").write_text(ROLE.format(ref="ref:refs/heads/main"))
    result = scan([tmp_path / "main.tf"])
    (unread,) = result.unread
    assert unread.where == str(tmp_path / "main.tf")
    assert unread.reason.startswith("not read: OpenTofu reads main.tofu in its place")
    assert result.notes == ()
    assert result.exit_code() == 3


def test_a_named_tf_json_file_a_tofu_json_file_replaces_is_unread(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{"resource": {"aws_iam_user": {"u": {}}}}')
    (tmp_path / "main.tofu.json").write_text("{}")
    result = scan([tmp_path / "main.tf.json"])
    (unread,) = result.unread
    assert "OpenTofu reads main.tofu.json in its place" in unread.reason
    assert result.exit_code() == 3


def test_a_tofu_json_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "main.tofu.json").write_text('{"resource": {"aws_iam_user": {"u": {}}}}')
    result = scan([tmp_path])
    assert result.notes == ()
    assert [f.check for f in result.findings] == ["iac-iam-user"]


def test_keyless_trust_takes_a_tofu_file(tmp_path: Path) -> None:
    from keyless.iac.trust import is_infrastructure_file

    assert is_infrastructure_file(tmp_path / "main.tofu")
