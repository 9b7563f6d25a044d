"""The Serverless Framework's ``serverless.yml``: the CloudFormation of its ``resources``
section is read as a template, its variables resolved where the file holds them
(``${self:custom.repo}``) and unknown otherwise; it was skipped, so a role trusting
every branch of a repository went unjudged.
https://www.serverless.com/framework/docs/providers/aws/guide/resources"""

from __future__ import annotations

from pathlib import Path

from keyless.engine import ScanResult
from keyless.findings import FileLocation
from keyless.iac.scan import scan

SERVICE = """\
service: deployer
custom:
  repo: acme/app
provider:
  name: aws
  runtime: python3.12
resources:
  Resources:
    GitHubRole:
      Type: AWS::IAM::Role
      Properties:
        RoleName: deployer-${{sls:stage}}
        AssumeRolePolicyDocument:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Federated: !Join
                  - ""
                  - - !Sub "arn:aws:iam::${{AWS::AccountId}}:oidc-provider/"
                    - token.actions.githubusercontent.com
              Action: sts:AssumeRoleWithWebIdentity
              Condition:
                StringEquals:
                  token.actions.githubusercontent.com:aud: sts.amazonaws.com
                StringLike:
                  token.actions.githubusercontent.com:sub: {subject}
"""


def _scan(tmp_path: Path, subject: str, name: str = "serverless.yml") -> ScanResult:
    (tmp_path / name).write_text(SERVICE.format(subject=subject))
    return scan([tmp_path])


def test_a_role_in_the_resources_section_is_judged(tmp_path: Path) -> None:
    result = _scan(tmp_path, "repo:${self:custom.repo}:*")
    assert result.unread == ()
    assert [f.path for f in result.files] == [tmp_path / "serverless.yml"]
    found = {
        (f.check, f.location.line) for f in result.findings if isinstance(f.location, FileLocation)
    }
    assert ("trust-oidc-untrusted-trigger", 27) in found


def test_a_pinned_subject_from_the_files_own_value_is_clean(tmp_path: Path) -> None:
    result = _scan(tmp_path, "repo:${self:custom.repo}:ref:refs/heads/main")
    assert result.unread == ()
    assert result.findings == ()


def test_a_variable_the_file_does_not_hold_is_judged_with_a_stand_in(tmp_path: Path) -> None:
    result = _scan(tmp_path, "repo:${opt:repo}:*")
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}
    assert all("${opt:repo}" in str(f.evidence["stand_ins"]) for f in result.findings)


def test_a_variable_s_stand_in_is_never_read_as_a_word_of_the_subject_grammar(
    tmp_path: Path,
) -> None:
    """``${opt:ref}`` judged as ``ref`` made the subject any branch, whatever its value."""
    result = _scan(tmp_path, "repo:acme/app:${opt:ref}:*")
    assert result.findings == ()
    assert len(result.unread) == 1


def test_a_pinned_subject_with_a_variable_is_not_judged(tmp_path: Path) -> None:
    result = _scan(tmp_path, "repo:acme/app:environment:${sls:stage}")
    assert result.findings == ()
    (unread,) = result.unread
    assert "${sls:stage}" in unread.reason
    assert "Serverless Framework variable" in unread.reason


def test_resources_from_a_file_are_reported_unread(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\nresources:\n  - ${file(resources/roles.yml)}\n"
    )
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.reason.startswith("the resources entry '${file(resources/roles.yml)}' is not")
    assert unread.where.endswith("serverless.yml:5:5")


def test_a_service_without_resources_is_quiet(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.main\n"
    )
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.findings == ()


def test_another_yaml_file_with_the_same_text_is_not_read_as_a_service(tmp_path: Path) -> None:
    (tmp_path / "config.yml").write_text(SERVICE.format(subject="repo:acme/app:*"))
    result = scan([tmp_path / "config.yml"])  # named, as pre-commit hands it over
    assert result.findings == ()
    assert result.files == ()


def test_a_resources_entry_that_is_no_mapping_is_reported_unread(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        'service: s\nprovider:\n  name: aws\nresources:\n  - 5\n  - "a\\x1b[31mb"\n'
    )
    reasons = sorted(u.reason for u in scan([tmp_path]).unread)
    assert reasons[0].startswith("the resources entry 'a\\x1b[31mb' is not read")
    assert reasons[1].startswith("the resources entry 5 is not read")
