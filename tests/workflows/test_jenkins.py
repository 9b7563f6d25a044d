"""Jenkinsfiles that bind an IAM user's long-lived keys (``jenkins-static-aws-keys``): each
documented form found at its step, the role, instance-profile and OIDC forms and
commented-out code left alone, never rewritten, and hostile text read in linear time or
refused as unread.

The pipelines follow the plugins' own examples: https://plugins.jenkins.io/aws-credentials/
(AmazonWebServicesCredentialsBinding, ``aws(…)``), https://plugins.jenkins.io/pipeline-aws/
(``withAWS``), https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#handling-credentials
(``credentials()`` in ``environment``), https://www.jenkins.io/doc/pipeline/steps/credentials-binding/
(``usernamePassword``, ``string``) and https://plugins.jenkins.io/oidc-provider/ (the id token
bound to ``AWS_WEB_IDENTITY_TOKEN_FILE``).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.errors import InputError
from keyless.findings import FileLocation, Finding
from keyless.render.sarif import scan_sarif
from keyless.render.workflows import scan_json, scan_text
from keyless.workflows import fix, scan
from keyless.workflows.groovytext import MAX_DEPTH, read
from keyless.workflows.jenkins import JENKINS_STATIC_AWS_KEYS, places, readable

from .builders import options, repo

CHECK = JENKINS_STATIC_AWS_KEYS.id
KEY_ID = "AKIA" + "Q7ZK3M2PLX9RT4VW"  # key-shaped, not a real key
SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
SARIF = Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json"


def _steps(body: str) -> str:
    """A declarative pipeline whose one stage's steps are ``body`` (from line 5, column 7)."""
    indented = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 6)
    return (
        "pipeline {\n  agent any\n  stages {\n    stage('deploy') {\n      steps {\n"
        f"{indented}\n      }}\n    }}\n  }}\n}}\n".replace("}}", "}")
    )


def _found(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of every jenkins-static-aws-keys finding in ``text``."""
    result = scan([repo(tmp_path, {"Jenkinsfile": text})])
    out = []
    for finding in result.findings:
        location = finding.location
        assert isinstance(location, FileLocation)
        if finding.check == CHECK:
            out.append((location.line, location.column, finding.message))
    return out


# Found --------------------------------------------------------------------------------


def test_credentials_in_the_environment_directive_are_found_per_variable(tmp_path: Path) -> None:
    jenkinsfile = """\
        pipeline {
          agent any
          environment {
            AWS_ACCESS_KEY_ID     = credentials('jenkins-aws-secret-key-id')
            AWS_SECRET_ACCESS_KEY = credentials('jenkins-aws-secret-access-key')
          }
          stages { stage('s3') { steps { sh 'aws s3 ls' } } }
        }
        """
    found = _found(tmp_path, jenkinsfile)
    assert [(line, column) for line, column, _ in found] == [(4, 5), (5, 5)]
    assert found[0][2] == (
        "the environment takes AWS_ACCESS_KEY_ID from the Jenkins credential "
        "'jenkins-aws-secret-key-id': an IAM user's long-lived key"
    )


@pytest.mark.parametrize(
    ("assignment", "script"),
    [
        ("DEPLOY = credentials('prod')", "echo $DEPLOY_AWS_KEY_ID"),  # the AWS binding's names
        ("AWS_CREDS = credentials('prod')", "aws s3 ls"),  # named for AWS keys
        ("CREDS = credentials('aws-prod-keys')", "aws s3 ls"),  # its ID named for AWS keys
    ],
)
def test_an_aws_credential_bound_to_one_variable_is_found(
    assignment: str, script: str, tmp_path: Path
) -> None:
    jenkinsfile = f"""\
        pipeline {{
          agent any
          environment {{
            {assignment}
          }}
          stages {{ stage('s3') {{ steps {{ sh '{script}' }} }} }}
        }}
        """
    ((line, column, message),) = _found(tmp_path, jenkinsfile)
    assert (line, column) == (4, 5)
    assert message.startswith(f"the environment takes {assignment.split(' ')[0]} from")


@pytest.mark.parametrize(
    ("body", "column", "message"),
    [
        (
            "withCredentials([[$class: 'AmazonWebServicesCredentialsBinding', "
            "credentialsId: 'aws-prod']]) {\n  sh 'aws s3 ls'\n}",
            25,
            "withCredentials binds the AWS credential 'aws-prod': an IAM user's long-lived "
            "access key",
        ),
        (
            "withCredentials([aws(credentialsId: 'aws-prod', accessKeyVariable: "
            "'AWS_ACCESS_KEY_ID', secretKeyVariable: 'AWS_SECRET_ACCESS_KEY')]) {\n"
            "  sh 'aws s3 ls'\n}",
            24,
            "withCredentials binds the AWS credential 'aws-prod': an IAM user's long-lived "
            "access key",
        ),
        (
            "withCredentials([[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: "
            "'ecr', roleArn: 'arn:aws:iam::130312249203:role/PullDockerImages']]) {\n"
            "  sh 'aws ecr get-login-password'\n}",
            25,
            "withCredentials binds the AWS credential 'ecr': an IAM user's long-lived access "
            "key, then assumes the role 'arn:aws:iam::130312249203:role/PullDockerImages' "
            "with it",
        ),
        (
            "withAWS(credentials: 'aws-prod', region: 'eu-west-1') {\n  sh 'aws s3 ls'\n}",
            7,
            "withAWS signs with the Jenkins credential 'aws-prod': an IAM user's long-lived "
            "access key",
        ),
        (
            "withAWS(role: 'admin', roleAccount: '123456789012', credentials: 'base') {\n"
            "  sh 'aws s3 ls'\n}",
            7,
            "withAWS signs with the Jenkins credential 'base': an IAM user's long-lived "
            "access key, then assumes the role 'admin' with them",
        ),
        (
            "withAWS(region: 'eu-central-1', federatedUserId: \"${env.BUILD_USER}\") {\n"
            "  sh 'aws s3 ls'\n}",
            7,
            "withAWS(federatedUserId: …) calls GetFederationToken, which only an IAM user's "
            "long-lived access key may call: the agent or controller holds one",
        ),
        (
            "withCredentials([usernamePassword(credentialsId: 'aws-user', usernameVariable: "
            "'AWS_ACCESS_KEY_ID', passwordVariable: 'AWS_SECRET_ACCESS_KEY')]) {\n"
            "  sh 'aws s3 ls'\n}",
            24,
            "a credential binding puts the Jenkins credential 'aws-user' into "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: an IAM user's long-lived key",
        ),
        (
            "withCredentials([string(credentialsId: 'secret', variable: 'AWS_SECRET_ACCESS_KEY'),"
            "\n  string(credentialsId: 'id', variable: 'AWS_ACCESS_KEY_ID')]) {\n"
            "  sh 'aws s3 ls'\n}",
            24,
            "a credential binding puts the Jenkins credential 'secret' into "
            "AWS_SECRET_ACCESS_KEY: an IAM user's long-lived key",
        ),
        (
            "withCredentials([file(credentialsId: 'aws-file', variable: "
            "'AWS_SHARED_CREDENTIALS_FILE')]) {\n  sh 'aws s3 ls'\n}",
            24,
            "a credential binding puts the Jenkins credential 'aws-file' into "
            "AWS_SHARED_CREDENTIALS_FILE: an IAM user's long-lived key",
        ),
    ],
    ids=[
        "aws-binding",
        "aws-symbol",
        "aws-binding-role",
        "withAWS",
        "withAWS-role-with-keys",
        "withAWS-federated",
        "usernamePassword",
        "string",
        "credentials-file",
    ],
)
def test_each_binding_is_found_at_its_step(
    body: str, column: int, message: str, tmp_path: Path
) -> None:
    found = _found(tmp_path, _steps(body))
    assert found[0] == (6, column, message)


def test_a_key_parameter_is_found(tmp_path: Path) -> None:
    jenkinsfile = """\
        pipeline {
          agent any
          parameters {
            string(name: 'AWS_ACCESS_KEY_ID', defaultValue: '')
            password(name: 'AWS_SECRET_ACCESS_KEY', defaultValue: '')
            string(name: 'REGION', defaultValue: 'eu-west-1')
          }
          stages { stage('s3') { steps { sh 'aws s3 ls' } } }
        }
        """
    found = _found(tmp_path, jenkinsfile)
    assert [(line, column) for line, column, _ in found] == [(4, 5), (5, 5)]
    assert "asks for AWS_SECRET_ACCESS_KEY as a parameter" in found[1][2]


def test_a_key_variable_set_from_another_variable_is_found(tmp_path: Path) -> None:
    jenkinsfile = """\
        pipeline {
          agent any
          environment {
            AWS_ACCESS_KEY_ID = "${params.KEY_ID}"
            AWS_DEFAULT_REGION = 'eu-west-1'
          }
          stages { stage('s3') { steps { sh 'aws s3 ls' } } }
        }
        """
    ((line, column, message),) = _found(tmp_path, jenkinsfile)
    assert (line, column) == (4, 5)
    assert message.startswith("AWS_ACCESS_KEY_ID is set from another value")


def test_a_role_assumed_with_keys_set_from_a_parameter_is_found(tmp_path: Path) -> None:
    # withAWS(role: …) assumes the role with the credentials the environment already has.
    jenkinsfile = """\
        pipeline {
          agent any
          environment {
            AWS_ACCESS_KEY_ID = "${params.KEY_ID}"
            AWS_SECRET_ACCESS_KEY = "${params.SECRET}"
          }
          stages { stage('s3') { steps { withAWS(role: 'deploy') { sh 'aws s3 ls' } } } }
        }
        """
    assert [(line, column) for line, column, _ in _found(tmp_path, jenkinsfile)] == [
        (4, 5),
        (5, 5),
    ]


def test_keys_unset_or_taken_from_an_assumed_role_are_not_reported(tmp_path: Path) -> None:
    # As in https://issues.jenkins.io/browse/JENKINS-38220: unset, assume, export.
    body = """\
        script {
          env.AWS_ACCESS_KEY_ID = null
          env.AWS_SECRET_ACCESS_KEY = ''
          def json = sh(returnStdout: true,
                        script: "aws sts assume-role --role-arn ${ROLE} --role-session-name ci")
          def credentials = readJSON(text: json).Credentials
          env.AWS_ACCESS_KEY_ID = credentials.AccessKeyId
          env.AWS_SECRET_ACCESS_KEY = credentials.SecretAccessKey
          env.AWS_SESSION_TOKEN = credentials.SessionToken
        }
        """
    assert _found(tmp_path, _steps(body)) == []
    unset = _steps("script {\n  env.AWS_ACCESS_KEY_ID = null\n}")
    assert _found(tmp_path, unset) == []


def test_a_script_using_keys_is_found_inside_its_string(tmp_path: Path) -> None:
    body = """\
        sh '''
          aws configure set aws_access_key_id "$KEY"
          aws configure set aws_secret_access_key "$SECRET"
        '''
        """
    found = _found(tmp_path, _steps(body))
    assert [(line, column) for line, column, _ in found] == [(7, 9), (8, 9)]
    assert found[0][2].startswith("a script reads long-lived AWS keys from the environment")


def test_keys_exported_from_another_variable_are_found(tmp_path: Path) -> None:
    body = """\
        withEnv(["AWS_ACCESS_KEY_ID=${params.KEY_ID}", "AWS_SECRET_ACCESS_KEY=${params.SECRET}"]) {
          sh 'aws s3 ls'
        }
        """
    found = _found(tmp_path, _steps(body))
    assert [(line, column) for line, column, _ in found] == [(6, 17)]


def test_scripts_are_not_reported_again_beside_the_binding_they_use(tmp_path: Path) -> None:
    body = """\
        withAWS(credentials: 'aws-prod') {
          sh 'aws configure set aws_access_key_id $AWS_ACCESS_KEY_ID'
        }
        """
    assert [(line, column) for line, column, _ in _found(tmp_path, _steps(body))] == [(6, 7)]


def test_a_scripted_pipeline_is_read_like_a_declarative_one(tmp_path: Path) -> None:
    jenkinsfile = """\
        node('linux') {
            stage('deploy') {
                withCredentials([[
                    $class: 'AmazonWebServicesCredentialsBinding',
                    credentialsId: 'aws-prod'
                ]]) {
                    sh "aws s3 sync build/ s3://${env.BUCKET}/"
                }
            }
        }
        """
    assert [(line, column) for line, column, _ in _found(tmp_path, jenkinsfile)] == [(4, 13)]


# Not found ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "withAWS(role: 'admin', roleAccount: '123456789012') {\n"
        "  sh 'aws s3 ls; echo $AWS_ACCESS_KEY_ID'\n}",
        "withAWS(role: 'arn:aws:iam::123456789012:role/deploy', roleSessionName: 'jenkins', "
        "useNode: true) {\n  sh 'aws s3 ls'\n}",
        "withAWS(profile: 'deploy', region: 'eu-west-1') {\n  sh 'aws s3 ls'\n}",
        "withAWS(role: 'deploy', principalArn: 'arn:aws:iam::123456789012:saml-provider/idp', "
        "samlAssertion: \"${env.SAML}\") {\n  sh 'aws s3 ls'\n}",
        "withCredentials([file(credentialsId: 'jenkins-oidc', variable: "
        "'AWS_WEB_IDENTITY_TOKEN_FILE')]) {\n"
        "  withEnv(['AWS_ROLE_ARN=arn:aws:iam::123456789012:role/deploy']) {\n"
        "    sh 'aws s3 ls; echo $AWS_ACCESS_KEY_ID'\n  }\n}",
        "sh '''\n  creds=$(aws sts assume-role --role-arn \"$ROLE\" --role-session-name ci)\n"
        "  echo $AWS_ACCESS_KEY_ID\n'''",
        "withCredentials([usernamePassword(credentialsId: 'docker', usernameVariable: 'USER', "
        "passwordVariable: 'PASS')]) {\n  sh 'docker login -u $USER -p $PASS'\n}",
        "withCredentials([aws(roleArn: 'arn:aws:iam::123456789012:role/x')]) {\n"
        "  sh 'aws s3 ls'\n}",
        "withAWS(credentials: '', role: 'deploy') {\n  sh 'aws s3 ls'\n}",
    ],
    ids=[
        "withAWS-role",
        "withAWS-useNode",
        "withAWS-profile",
        "withAWS-saml",
        "oidc-provider",
        "assume-role",
        "other-credentials",
        "aws-without-credential",
        "withAWS-empty-credentials",
    ],
)
def test_roles_instance_profiles_and_oidc_are_not_reported(body: str, tmp_path: Path) -> None:
    assert _found(tmp_path, _steps(body)) == []


def test_comments_and_unrelated_strings_are_not_read(tmp_path: Path) -> None:
    body = """\
        // withAWS(credentials: 'line-comment') { }
        /* withCredentials([aws(credentialsId: 'block-comment')]) {
             sh 'echo $AWS_ACCESS_KEY_ID'
           } */
        echo "withAWS(credentials: 'in-a-string')"
        echo 'usernamePassword(credentialsId: "x", usernameVariable: "AWS_ACCESS_KEY_ID")'
        sh 'aws s3 ls' // $AWS_ACCESS_KEY_ID in a comment
        """
    assert _found(tmp_path, _steps(body)) == []


def test_other_aws_values_and_placeholders_are_not_keys(tmp_path: Path) -> None:
    jenkinsfile = """\
        pipeline {
          agent any
          environment {
            AWS_REGION = credentials('aws-region')
            AWS_ROLE_ARN = credentials('aws-deploy-role-arn')
            AWS_ACCESS_KEY_ID = 'test'
            AWS_SECRET_ACCESS_KEY = 'test'
          }
          stages { stage('s3') { steps { sh 'aws --endpoint-url http://localstack:4566 s3 ls' } } }
        }
        """
    assert _found(tmp_path, jenkinsfile) == []


# With the other checks, formats and fix ------------------------------------------------


def test_a_literal_key_is_still_the_hardcoded_key_check(tmp_path: Path) -> None:
    body = f"""\
        withAWS(credentials: 'aws-prod') {{
          sh 'AWS_ACCESS_KEY_ID={KEY_ID} aws s3 ls'
        }}
        """
    result = scan([repo(tmp_path, {"Jenkinsfile": _steps(body)})])
    by_check = {(f.check, f.location.line) for f in result.findings if _file(f)}
    assert by_check == {(CHECK, 6), ("workflow-hardcoded-aws-key", 7)}
    literal = next(f for f in result.findings if f.check == "workflow-hardcoded-aws-key")
    assert "https://plugins.jenkins.io/oidc-provider/" in literal.remediation
    assert KEY_ID not in scan_text(result)


def _file(finding: Finding) -> bool:
    return isinstance(finding.location, FileLocation)


def test_json_and_sarif_are_valid_and_say_key_use(tmp_path: Path) -> None:
    body = "withAWS(credentials: 'aws-prod') {\n  sh 'aws s3 ls'\n}"
    result = scan([repo(tmp_path, {"Jenkinsfile": _steps(body)})])
    document = json.loads(json.dumps(scan_json(result)))
    schema = json.loads((SCHEMAS / "workflows-scan-v1.schema.json").read_text())
    jsonschema.validate(document, schema)
    ((platform, coverage),) = [(f["platform"], f["coverage"]) for f in document["files"]]
    assert (platform, coverage) == ("jenkins", "key-use")
    (run,) = [r for r in document["check_runs"] if r["check"] == CHECK]
    assert (run["status"], run["evaluated"], run["findings"]) == ("evaluated", 1, 1)
    sarif = json.loads(json.dumps(scan_sarif(result)))
    jsonschema.Draft4Validator(json.loads(SARIF.read_text(encoding="utf-8"))).validate(sarif)
    (entry,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == CHECK]
    region = entry["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (6, 7)
    assert "read for literal keys only" not in scan_text(result)


def test_fix_leaves_a_jenkinsfile_alone_and_lists_each_place(tmp_path: Path) -> None:
    body = """\
        withAWS(credentials: 'aws-prod') { sh 'aws s3 ls' }
        withCredentials([aws(credentialsId: 'aws-other')]) { sh 'aws s3 ls' }
        """
    result = fix([repo(tmp_path, {"Jenkinsfile": _steps(body)})], options())
    assert result.changed == ()
    (rewrite,) = result.files
    assert rewrite.notes == ("Jenkins: keyless does not rewrite this platform's pipelines",)
    reasons = [u.reason for u in rewrite.unfixed]
    assert [r.split(":")[0] for r in reasons] == ["line 6", "line 7"]
    assert all("by hand: move the pipeline to OIDC (Jenkins): " in r for r in reasons)
    assert all("https://plugins.jenkins.io/oidc-provider/" in r for r in reasons)
    assert result.exit_code() == 1


def test_the_cli_exits_1_on_a_binding(tmp_path: Path) -> None:
    body = "withAWS(credentials: 'aws-prod') {\n  sh 'aws s3 ls'\n}"
    root = repo(tmp_path, {"Jenkinsfile": _steps(body)})
    outcome = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert outcome.exit_code == 1, outcome.output
    assert f"Jenkinsfile:6:7: high {CHECK}: withAWS signs with" in outcome.output


# Hostile input ------------------------------------------------------------------------


def test_brackets_nested_too_deep_are_unread_naming_the_line(tmp_path: Path) -> None:
    text = "pipeline {\n" + "x" + "(" * (MAX_DEPTH + 1) + ")" * (MAX_DEPTH + 1) + "\n}\n"
    root = repo(tmp_path, {"Jenkinsfile": text, ".travis.yml": "language: c\n"})
    result = scan([root])
    assert [f.kind for f in result.files] == ["travis"]
    (unread,) = result.unread
    assert unread.where.endswith("Jenkinsfile:2")
    assert unread.reason == f"brackets nested deeper than {MAX_DEPTH}: keyless does not read it"


def test_deep_braces_nul_bytes_and_a_stray_quote_do_not_hide_a_binding(tmp_path: Path) -> None:
    text = (
        "pipeline {\n" + "{" * 50_000 + "\n  echo 'it\\'s \x00 here\n"
        '  echo "unterminated ${x\n'
        "  withAWS(credentials: 'aws-prod') { sh 'aws s3 ls' }\n" + "}" * 50_000 + "\n}\n"
    )
    root = tmp_path / "Jenkinsfile"
    root.write_text(text, encoding="utf-8")
    outcome = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert outcome.exit_code == 1, outcome.output
    assert f"Jenkinsfile:5:3: high {CHECK}" in outcome.output
    assert "Traceback" not in outcome.output


def test_a_file_that_is_not_utf8_or_too_large_is_unread_not_clean(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Jenkinsfile").write_bytes(b"withAWS(credentials: '\xff') {}\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Jenkinsfile").write_text("// x\n" * 300_000, encoding="utf-8")
    outcome = CliRunner().invoke(cli, ["workflows", "scan", str(tmp_path)])
    assert outcome.exit_code == 2, outcome.output  # nothing at all could be read
    assert outcome.stderr.startswith("keyless: error: no CI file could be read")
    assert "Traceback" not in outcome.output


FIVE_MB = 5 * 1024 * 1024
TAIL = "\nwithAWS(credentials: 'aws-prod') { sh 'aws s3 ls' }\n"


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("'" * FIVE_MB, True),  # empty literals, one after the other
        ('"${' * (FIVE_MB // 3), True),  # an interpolation never closed: ends with its line
        ("\\" * FIVE_MB, True),
        ("a:" * (FIVE_MB // 2), True),  # named arguments of no call
        ("{" * FIVE_MB, True),
        ("a " * (FIVE_MB // 2), True),  # words that never become a call
        ("x = credentials" * (FIVE_MB // 15), True),
        ("/*" * (FIVE_MB // 2), False),  # a comment never closed hides the rest, as in Groovy
    ],
    ids=[
        "quotes",
        "interpolations",
        "backslashes",
        "colons",
        "braces",
        "words",
        "assign",
        "comment",
    ],
)
@pytest.mark.slow
def test_a_5mb_adversarial_line_is_read_in_one_pass(line: str, found: bool) -> None:
    source = read(line + TAIL)
    offsets = [source.position(place.offset) for place in places(source)]
    assert ((2, 1) in offsets) is found


def test_a_5mb_line_of_open_brackets_is_refused_at_the_limit() -> None:
    with pytest.raises(InputError) as error:
        readable("withAWS(" * (FIVE_MB // 8), Path("Jenkinsfile"))
    assert error.value.where == "Jenkinsfile:1"


# The text reader ----------------------------------------------------------------------


def test_positions_count_lines_as_editors_do() -> None:
    source = read("a\r\nb\rc\nd\u2028withAWS(credentials: 'x') {}\n")
    (place,) = places(source)
    assert source.position(place.offset) == (4, 3)


def test_code_keeps_every_offset_and_blanks_comments_and_literals() -> None:
    text = "sh 'a\\'b' // c\n/* d\n */ \"e${f(\"g\")}h\" '''i\nj''' x"
    source = read(text)
    assert len(source.code) == len(text)
    blank_comments = " " * 4 + "\n" + " " * 4 + "\n" + " " * 3
    expected = "sh '    ' " + blank_comments + ' "' + " " * 11 + "\" ''' \n ''' x"
    assert source.code == expected
    assert [source.value(literal) for literal in source.literals()] == [
        "a\\'b",
        'e${f("g")}h',
        "i\nj",
    ]
