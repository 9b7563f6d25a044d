"""Trust policies whose subject is built around names the code leaves unset (a variable
without a value, a parameter without a default): judged with each name standing for
itself, reported only when the wildcards around the names are loose whatever they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.role_stand_ins import stand_in_document
from keyless.iac.scan import scan
from keyless.policy.document import parse_trust_policy
from keyless.trust.replay import evaluate_witness

TF_ROLE = """
resource "aws_iam_role" "ci" {{
  name = "ci"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = {principal} }}
      Condition = {{
        StringEquals = {{ "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }}
        StringLike   = {{ "token.actions.githubusercontent.com:sub" = "{sub}" }}
      }}
    }}]
  }})
}}
"""
PROVIDER = '"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"'

CFN_ROLE = """
Parameters:
  Org:
    Type: String
  Repo:
    Type: String
Resources:
  Provider:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: !Ref Provider
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: !Sub repo:${Org}/${Repo}:SUFFIX
"""


def _tf(tmp_path: Path, sub: str, principal: str = PROVIDER) -> Path:
    (tmp_path / "main.tf").write_text(TF_ROLE.format(sub=sub, principal=principal))
    return tmp_path


@pytest.mark.parametrize(
    ("sub", "witness"),
    [
        ("repo:${var.github_repo}:*", "repo:$github_repo/$github_repo:pull_request"),
        ("repo:${var.org}/${var.repo}:*", "repo:$org/$repo:pull_request"),
    ],
)
def test_a_loose_pattern_around_unset_variables_is_reported(
    tmp_path: Path, sub: str, witness: str
) -> None:
    result = scan([_tf(tmp_path, sub)])
    checks = {f.check for f in result.findings}
    assert checks == {"trust-oidc-untrusted-trigger"}
    pull_request = next(f for f in result.findings if "pull request" in f.message)
    assert pull_request.witness is not None
    assert pull_request.witness["claims"]["sub"] == witness
    assert "judged with stand-ins" in " ".join(pull_request.evidence["stand_ins"])
    assert result.unread == ()


@pytest.mark.parametrize(
    "sub",
    [
        # judged as the name alone, each read as a word of GitHub's subject grammar: any
        # branch, any environment, a custom template's claim
        "repo:acme/app:${var.ref}:*",
        "repo:acme/app:${var.environment}:*",
        "repo:acme/app:re${var.f}:*",
        "repo:acme/app:${var.repo_property_team}:*",
    ],
)
def test_a_stand_in_is_never_read_as_a_word_of_the_subject_grammar(
    tmp_path: Path, sub: str
) -> None:
    """What such a pattern admits depends on the value (``zzz`` admits no subject): no
    finding is claimed to hold whatever it is; the policy is not judged."""
    result = scan([_tf(tmp_path, sub)])
    assert result.findings == ()
    (unread,) = result.unread
    assert "var." in unread.reason


def test_a_parameter_s_stand_in_is_never_read_as_a_word_of_the_subject_grammar(
    tmp_path: Path,
) -> None:
    template = CFN_ROLE.replace("  Org:\n", "  ref:\n").replace(
        "repo:${Org}/${Repo}:SUFFIX", "repo:acme/${Repo}:${ref}:*"
    )
    (tmp_path / "template.yaml").write_text(template)
    result = scan([tmp_path])
    assert result.findings == ()
    assert len(result.unread) == 1


def test_the_witness_replays_against_the_policy_with_its_stand_ins(tmp_path: Path) -> None:
    root = _tf(tmp_path, "repo:${var.org}/${var.repo}:*")
    (resource,) = read_paths([root]).resources
    assert resource.trust is not None
    rendered = stand_in_document(resource.trust)
    assert rendered is not None
    policy = parse_trust_policy(rendered[0])
    role_arn = "arn:aws:iam::000000000000:role/ci"
    findings = scan([root]).findings
    assert findings
    for finding in findings:
        assert finding.witness is not None
        assert evaluate_witness(policy, finding.witness, role_arn=role_arn).allowed


def test_a_pinned_pattern_around_unset_variables_is_still_not_judged(tmp_path: Path) -> None:
    result = scan([_tf(tmp_path, "repo:${var.github_repo}:ref:refs/heads/main")])
    assert result.findings == ()
    (unread,) = result.unread
    assert "trust policy not judged: var.github_repo" in unread.reason


@pytest.mark.parametrize(("suffix", "flagged"), [("*", True), ("ref:refs/heads/main", False)])
def test_cloudformation_parameters_without_default_stand_for_their_names(
    tmp_path: Path, suffix: str, flagged: bool
) -> None:
    (tmp_path / "template.yaml").write_text(CFN_ROLE.replace("SUFFIX", suffix))
    result = scan([tmp_path])
    assert bool(result.findings) is flagged
    assert bool(result.unread) is not flagged


GITLAB_ROLE = """
resource "aws_iam_role" "gl" {{
  name = "gl"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }}
      Condition = {{
        StringEquals = {{ "gitlab.com:aud" = "https://gitlab.com" }}
        StringLike   = {{ "gitlab.com:sub" = "{sub}" }}
      }}
    }}]
  }})
}}
"""


@pytest.mark.parametrize(
    ("ref", "checks"),
    [("*", {"trust-oidc-untrusted-trigger"}), ("${var.branch}", set())],
)
def test_a_gitlab_project_path_stands_for_group_and_project(
    tmp_path: Path, ref: str, checks: set[str]
) -> None:
    sub = f"project_path:${{var.project_path}}:ref_type:branch:ref:{ref}"
    (tmp_path / "main.tf").write_text(GITLAB_ROLE.format(sub=sub))
    result = scan([tmp_path])
    # A named branch's finding (low) would be about the stand-in's own name: not reported.
    assert {f.check for f in result.findings} == checks
    assert bool(result.unread) is not bool(checks)


def test_the_github_oidc_role_module_keeps_the_stand_in_of_its_subjects(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "gha" {\n'
        '  source   = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"\n'
        '  subjects = ["${var.org}/${var.repo}:*"]\n'
        "}\n"
    )
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}


@pytest.mark.parametrize(
    ("sub", "flagged"), [("repo:octo/*", True), ("repo:octo/app:ref:refs/heads/main", False)]
)
def test_an_unknown_oidc_principal_stands_for_the_provider_its_keys_name(
    tmp_path: Path, sub: str, flagged: bool
) -> None:
    result = scan([_tf(tmp_path, sub, principal="module.oidc.arn")])
    assert bool(result.findings) is flagged
    assert bool(result.unread) is not flagged


def test_an_unknown_principal_of_another_kind_is_not_stood_in_for(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "x" {\n'
        '  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow",\n'
        '    Action = "sts:AssumeRole", Principal = { AWS = var.trusted } }] })\n'
        "}\n"
    )
    result = scan([tmp_path])
    assert result.findings == ()
    assert len(result.unread) == 1


@pytest.mark.parametrize(
    "sub", ["repo:${var.subject}", "repo:acme/${var.repo}", "repo:${var.org}/${var.repo}"]
)
def test_a_name_ending_the_subject_may_hold_the_rest_of_it_so_nothing_is_claimed(
    tmp_path: Path, sub: str
) -> None:
    """Nothing is written after the last name: its value may hold the context too
    (``acme/app:ref:refs/heads/main``), so no finding holds whatever it is."""
    result = scan([_tf(tmp_path, sub)])
    assert result.findings == ()
    (unread,) = result.unread
    assert "trust policy not judged" in unread.reason


def test_a_name_followed_by_what_the_code_writes_is_still_judged(tmp_path: Path) -> None:
    result = scan([_tf(tmp_path, "repo:${var.org}/app")])
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}


def test_a_cloudformation_parameter_ending_the_subject_is_not_judged(tmp_path: Path) -> None:
    template = CFN_ROLE.replace("repo:${Org}/${Repo}:SUFFIX", "repo:${Org}/${Repo}")
    (tmp_path / "template.yaml").write_text(template)
    result = scan([tmp_path])
    assert result.findings == ()
    assert len(result.unread) == 1


@pytest.mark.parametrize("subject", ["${var.repo}:*", "${var.org}/${var.repo}"])
def test_the_github_oidc_role_module_judges_no_stand_in_it_cannot_prefix(
    tmp_path: Path, subject: str
) -> None:
    """The module writes ``repo:`` before each subject, less a leading ``repo:`` of its own:
    a stand-in's text starting so (a variable named ``repo``) is no such prefix; and a
    subject ending with a name may hold the rest (``acme/app:ref:refs/heads/main``)."""
    (tmp_path / "main.tf").write_text(
        'variable "org" {\n  type = string\n}\n'
        'variable "repo" {\n  type = string\n}\n'
        'module "gha" {\n'
        '  source   = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"\n'
        '  version  = "5.39.0"\n'
        f'  subjects = ["{subject}"]\n'
        "}\n"
    )
    result = scan([tmp_path])
    assert result.findings == ()
    assert len(result.unread) == 1
