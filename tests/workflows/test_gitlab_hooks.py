"""Keys exported in ``hooks:pre_get_sources_script`` (a job's, or ``default:``'s), which
GitLab runs with the job's variables before it fetches the repository
(https://docs.gitlab.com/ci/yaml/#hookspre_get_sources_script), are read like those of
the other script sections: they went unreported."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix, scan

from .builders import only, options, repo

JOB = """\
deploy:
  hooks:
    pre_get_sources_script:
      - export AWS_ACCESS_KEY_ID=$MIRROR_KEY
      - export AWS_SECRET_ACCESS_KEY=$MIRROR_SECRET
      - aws s3 cp s3://mirror/git-credentials ~/.git-credentials
  script:
    - make
"""
DEFAULT = """\
default:
  hooks:
    pre_get_sources_script:
      - aws configure set aws_access_key_id $MIRROR_KEY
      - aws configure set aws_secret_access_key $MIRROR_SECRET
build:
  script:
    - make
"""
#: A job named `hooks` at the top level is a job, not a hook.
TOP_LEVEL = """\
hooks:
  script:
    - echo hello
"""


def test_keys_exported_in_a_job_s_hook_are_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": JOB})
    found = scan([root]).findings
    assert [(f.location.route, f.message) for f in found] == [
        (
            "deploy.hooks.pre_get_sources_script[0]",
            "hooks:pre_get_sources_script of job 'deploy' exports static AWS keys",
        ),
        (
            "deploy.hooks.pre_get_sources_script[1]",
            "hooks:pre_get_sources_script of job 'deploy' exports static AWS keys",
        ),
    ]


def test_keys_set_in_the_default_hook_are_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": DEFAULT})
    found = scan([root]).findings
    assert [f.location.route for f in found] == [
        "default.hooks.pre_get_sources_script[0]",
        "default.hooks.pre_get_sources_script[1]",
    ]
    assert found[0].message == (
        "hooks:pre_get_sources_script of every job (default:) exports static AWS keys"
    )


def test_fix_never_says_a_hook_s_keys_are_done(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": JOB})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert rewrite.unfixed
    assert all("do it by hand" in u.reason for u in rewrite.unfixed)


def test_a_top_level_job_named_hooks_is_a_job(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": TOP_LEVEL})
    assert scan([root]).findings == ()


#: Keys from the job's variables, used by its hook before the clone.
HOOK_USES_KEYS = """\
deploy:
  variables:
    AWS_ACCESS_KEY_ID: $KEY
    AWS_SECRET_ACCESS_KEY: $SECRET
  HOOKS
  script:
    - aws s3 sync ./public s3://site
"""


def test_a_job_whose_hook_uses_aws_is_left_for_a_person(tmp_path: Path) -> None:
    hooks = "hooks:\n    pre_get_sources_script:\n      - aws s3 cp s3://mirror/creds ~/.netrc"
    root = repo(tmp_path, {".gitlab-ci.yml": HOOK_USES_KEYS.replace("HOOKS", hooks)})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert rewrite.after == rewrite.before
    assert [u.reason for u in rewrite.unfixed] == [
        "its hooks:pre_get_sources_script uses AWS, and runs before the clone and the script "
        "that would write the OIDC token file: rewrite it by hand"
    ]


def test_the_default_hook_is_the_job_s_too(tmp_path: Path) -> None:
    text = HOOK_USES_KEYS.replace("  HOOKS\n", "") + (
        "default:\n  hooks:\n    pre_get_sources_script:\n      - aws --version\n"
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert any("hooks:pre_get_sources_script uses AWS" in u.reason for u in rewrite.unfixed)


def test_a_hook_without_aws_does_not_stop_the_rewrite(tmp_path: Path) -> None:
    hooks = "hooks:\n    pre_get_sources_script:\n      - git config --global http.version HTTP/1.1"
    root = repo(tmp_path, {".gitlab-ci.yml": HOOK_USES_KEYS.replace("HOOKS", hooks)})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert rewrite.unfixed == ()
    assert rewrite.after != rewrite.before


def test_fix_lists_the_default_hook_s_keys_when_other_items_are_left(tmp_path: Path) -> None:
    """The re-read ran only when nothing else was left: a trigger job left for a person
    hid ``default:``'s hook keys from the list. The trigger job's own keys are said by its
    own item, not repeated."""
    text = DEFAULT + (
        "downstream:\n"
        "  variables:\n"
        "    AWS_ACCESS_KEY_ID: $KEY\n"
        "    AWS_SECRET_ACCESS_KEY: $SECRET\n"
        "  trigger: group/other\n"
    )
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert [(u.job, u.reason.split(":")[0]) for u in rewrite.unfixed] == [
        ("downstream", "a trigger job"),
        (None, "line 4 (default.hooks.pre_get_sources_script[0])"),
        (None, "line 5 (default.hooks.pre_get_sources_script[1])"),
    ]
