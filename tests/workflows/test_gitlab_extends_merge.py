"""GitLab's ``extends`` merges a job over its templates as a reverse deep merge: hashes key
by key, recursively, anything else replaced, each template resolved with its own
templates before it is merged (https://docs.gitlab.com/ci/yaml/#extends; ``variables:
null`` drops a template's variables, ``variables: {}`` keeps them:
https://gitlab.com/gitlab-org/gitlab/-/merge_requests/72511). keyless replaced hashes
a later layer wrote, and applied a template reached twice only where it was first met."""

from __future__ import annotations

from pathlib import Path

from keyless.findings import FileLocation
from keyless.workflows import fix, scan
from keyless.workflows.gitlab_pipeline import Pipeline, assemble
from keyless.workflows.model import Platform, WorkflowFile
from keyless.workflows.yamldoc import load_text

from .builders import options, repo

STATIC = "gitlab-static-aws-keys"


def findings(root: Path) -> list[tuple[str, int]]:
    rows = []
    for finding in scan([root]).findings:
        assert isinstance(finding.location, FileLocation)
        rows.append((finding.check, finding.location.line))
    return rows


def test_a_key_of_a_deeper_template_comes_back_through_a_later_one(tmp_path: Path) -> None:
    # `.quiet` blanks the keys of `.aws`; `.deploy` extends `.aws` again and comes later:
    # GitLab resolves `.deploy` (with `.aws`'s keys) and merges it over `.quiet`, so the
    # job gets the keys. Applied once where first met, `.aws` stayed under `.quiet`.
    pipeline = """\
        .aws:
          variables:
            AWS_ACCESS_KEY_ID: $PROD_KEY_ID
            AWS_SECRET_ACCESS_KEY: $PROD_SECRET
        .quiet:
          extends: .aws
          variables:
            AWS_ACCESS_KEY_ID: ""
            AWS_SECRET_ACCESS_KEY: ""
        .deploy:
          extends: .aws
          image: amazon/aws-cli
        deploy:
          extends: [.quiet, .deploy]
          script:
            - aws s3 ls
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    (job,) = [j for j in _pipeline(root).jobs() if j.name == "deploy"]
    assert {n: v.value for n, v in job.key_variables().items()} == {
        "AWS_ACCESS_KEY_ID": "$PROD_KEY_ID",
        "AWS_SECRET_ACCESS_KEY": "$PROD_SECRET",
    }
    assert findings(root) == [(STATIC, 3)]


def test_a_variable_s_value_comes_from_the_template_its_description_overrides(
    tmp_path: Path,
) -> None:
    # The job redescribes the template's key variable (hash form): the value is still
    # the template's. fix edits the template, where the value is written.
    pipeline = """\
        .base:
          variables:
            AWS_ACCESS_KEY_ID:
              value: $PROD_KEY_ID
              description: the deploy user's key
            AWS_SECRET_ACCESS_KEY: $PROD_SECRET
        deploy:
          extends: .base
          variables:
            AWS_ACCESS_KEY_ID:
              description: the key, described again
          script:
            - aws s3 ls
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    (finding,) = scan([root]).findings
    assert finding.check == STATIC
    assert finding.message.startswith("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set for")
    (rewrite,) = fix([root], options()).files
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert rewrite.unfixed == ()
    assert "$PROD_KEY_ID" not in rewrite.after
    rewrite.file.path.write_text(rewrite.after, encoding="utf-8")
    assert scan([root]).findings == ()


def test_variables_null_drops_the_templates_variables(tmp_path: Path) -> None:
    pipeline = """\
        .base:
          variables:
            AWS_ACCESS_KEY_ID: $PROD_KEY_ID
            AWS_SECRET_ACCESS_KEY: $PROD_SECRET
        deploy:
          extends: .base
          variables: null
          script:
            - make
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    (job,) = [j for j in _pipeline(root).jobs() if j.name == "deploy"]
    assert job.key_variables() == {}


def test_hashes_of_the_job_merge_with_the_template_s(tmp_path: Path) -> None:
    # The template's STS token stays beside the job's own Vault token: the job has what
    # it needs, fix declares nothing twice.
    pipeline = """\
        .aws:
          id_tokens:
            GITLAB_OIDC_TOKEN:
              aud: sts.amazonaws.com
          variables:
            AWS_ACCESS_KEY_ID: $PROD_KEY_ID
            AWS_SECRET_ACCESS_KEY: $PROD_SECRET
        deploy:
          extends: .aws
          id_tokens:
            VAULT_ID_TOKEN:
              aud: https://vault.example.com
          script:
            - aws s3 ls
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    (job,) = [j for j in _pipeline(root).jobs() if j.name == "deploy"]
    assert sorted(job.keys["id_tokens"]) == ["GITLAB_OIDC_TOKEN", "VAULT_ID_TOKEN"]
    (rewrite,) = fix([root], options()).files
    assert rewrite.after.count("GITLAB_OIDC_TOKEN:") == 1


def _pipeline(root: Path) -> Pipeline:
    path = root / ".gitlab-ci.yml"
    document = load_text(path.read_text(encoding="utf-8"), path)
    return assemble([(WorkflowFile(path, Platform.GITLAB, root), document)])


def test_every_job_over_a_shared_template_names_what_it_lacks(tmp_path: Path) -> None:
    # Templates are resolved once for the whole pipeline: the second job still learns
    # that `.shared` extends a template the files read do not define.
    pipeline = """\
        .shared:
          extends: .from-elsewhere
        one:
          extends: .shared
          script: [ls]
        two:
          extends: [.shared]
          script: [ls]
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    jobs = {j.name: j.missing for j in _pipeline(root).jobs()}
    assert jobs == {"one": (".from-elsewhere",), "two": (".from-elsewhere",)}
