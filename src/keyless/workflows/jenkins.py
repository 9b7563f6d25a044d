"""Jenkins pipelines that reach AWS with an IAM user's long-lived access keys.

A Jenkinsfile keeps no keys itself: it names a Jenkins credential that holds them and
binds it for its steps. The file shows where, in the documented ways:

- the Declarative ``environment`` directive: ``AWS_ACCESS_KEY_ID = credentials('id')``
  (https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#handling-credentials), or
  ``NAME = credentials('id')`` of an AWS credential, whose keys the AWS Credentials plugin
  binds as ``NAME_AWS_KEY_ID`` / ``NAME_AWS_SECRET``;
- ``withCredentials`` with the AWS Credentials plugin's binding,
  ``[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: …]`` or its symbol
  ``aws(credentialsId: …, accessKeyVariable: …, secretKeyVariable: …)``, with or without
  ``roleArn`` (the role is assumed *with* the stored key)
  (https://plugins.jenkins.io/aws-credentials/);
- ``withAWS(credentials: …)`` of the Pipeline: AWS Steps plugin, a username/password or
  AWS credential, also when a ``role`` is assumed with it; and ``withAWS(federatedUserId:
  …)``, whose GetFederationToken only an IAM user's long-term keys may call
  (https://plugins.jenkins.io/pipeline-aws/,
  https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html);
- any binding into the key variables, ``usernamePassword(credentialsId: …,
  usernameVariable: 'AWS_ACCESS_KEY_ID', passwordVariable: 'AWS_SECRET_ACCESS_KEY')``,
  ``string(…, variable: 'AWS_SECRET_ACCESS_KEY')``
  (https://www.jenkins.io/doc/pipeline/steps/credentials-binding/), a build parameter
  named after them (whoever starts the build types the key), and
  ``AWS_ACCESS_KEY_ID = "${…}"`` set from another variable;
- the HashiCorp Vault plugin's ``withVault`` putting a secret into a key variable,
  ``[envVar: 'AWS_ACCESS_KEY_ID', vaultKey: 'access_key_id']``: the key is kept in Vault,
  no less long-lived (https://plugins.jenkins.io/hashicorp-vault-plugin/);
- when none of those is in the file: scripts that read the keys (``$AWS_ACCESS_KEY_ID``)
  or write them into a profile (``aws configure set aws_access_key_id``), as for CircleCI
  and Bitbucket (:data:`keyless.workflows.keyuse.KEY_USE`), or export them from another
  variable (``withEnv(["AWS_ACCESS_KEY_ID=${params.KEY}"])``), once per line.

Not reported: ``withAWS`` without ``credentials`` (``role``/``roleAccount`` assumed with
the agent's own credentials, ``useNode: true``, ``profile``, ``samlAssertion``), and,
when the file shows temporary credentials (an OIDC token file, an assumed role, a
session token; :data:`keyless.workflows.keyuse.TEMPORARY`, or such a ``withAWS``), the
scripts' key use and the variables set from other variables. A credential whose keys are
left empty makes the AWS Credentials plugin use the controller's own role: the file cannot
show it, so a binding is reported as keys.

Jenkins documents no OIDC of its own, but its OpenID Connect Provider plugin issues builds
an id token that an IAM role trusting the Jenkins issuer accepts: bound to
``AWS_WEB_IDENTITY_TOKEN_FILE`` beside ``AWS_ROLE_ARN``, the AWS CLI and SDKs assume the
role (https://plugins.jenkins.io/oidc-provider/). Agents on EC2, ECS or EKS have their
instance, task or pod role
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html,
https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html).

Groovy is not parsed: the text is read with comments and unrelated string literals left
out (:mod:`keyless.workflows.groovytext`), so ``// withAWS(credentials: 'x')`` and
``echo "withAWS(credentials: 'x')"`` are not reported. Values computed at run time
(``credentialsId: env.ID``) are reported as expressions; the job's configuration in
Jenkins is not read, and the shared libraries and ``load``-ed scripts the file names are
reported as not read (:mod:`.jenkins_libraries`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from keyless.checks.registry import Check, Scope
from keyless.errors import InputError
from keyless.findings import Finding, Severity
from keyless.workflows.groovytext import (
    Argument,
    Call,
    GroovyText,
    TooDeep,
    calls,
    check_depth,
    read,
)
from keyless.workflows.hardcoded import redact_text
from keyless.workflows.keyuse import KEY_USE, KEY_VARIABLES, TEMPORARY
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import Document

JENKINS_STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="jenkins-static-aws-keys",
    title="A Jenkins pipeline uses long-lived AWS access keys",
    severity=Severity.HIGH,
    rationale=(
        "The pipeline authenticates with an IAM user's permanent access key, kept as a "
        "Jenkins credential and bound for its steps (credentials(), withCredentials, "
        "withAWS(credentials: …)): it never expires, and anyone who can change a "
        "Jenkinsfile on a branch the job builds, or read the controller's credential "
        "store, can take it. A role's temporary credentials can replace it: the agent's "
        "instance, task or pod role, or a role trusting the Jenkins OpenID Connect "
        "Provider plugin's id tokens." + "\n\n" + "https://plugins.jenkins.io/oidc-provider/"
    ),
    remediation=(
        "Run the job on an agent with an IAM role (EC2 instance profile, ECS task role, "
        "EKS pod identity or IRSA) and drop the binding, using `withAWS(role: …)` from "
        "there for a narrower role; or install the OpenID Connect Provider plugin, add the "
        "Jenkins issuer to IAM with a role that trusts this job's `sub`, and bind an "
        "'OpenID Connect id token as file' credential to AWS_WEB_IDENTITY_TOKEN_FILE with "
        "AWS_ROLE_ARN set (https://plugins.jenkins.io/oidc-provider/). Then delete the "
        "Jenkins credential and the IAM user's key. `keyless workflows fix` does not "
        "rewrite Jenkinsfiles."
    ),
)

#: The named arguments read from the steps.
_ARGUMENTS = frozenset(
    {
        "$class",
        "credentials",
        "credentialsId",
        "role",
        "roleArn",
        "federatedUserId",
        "samlAssertion",
        "name",
        "variable",
        "usernameVariable",
        "passwordVariable",
        "envVar",
        "vaultKey",
    }
)
_AWS_BINDING = "AmazonWebServicesCredentialsBinding"
#: Build parameter types whose ``name`` becomes an environment variable.
_PARAMETERS = frozenset({"string", "password", "text", "credentials"})
_VARIABLES = ("variable", "usernameVariable", "passwordVariable")
#: Variables a binding must not fill from a stored credential: the key pair, and the
#: shared credentials file the AWS CLI and SDKs read keys from.
_BOUND_KEYS = (*KEY_VARIABLES, "AWS_SHARED_CREDENTIALS_FILE")
_SHOWN = 80

# `NAME = credentials('id')`, anywhere (the `environment` directive, or `env.NAME =`).
_CREDENTIALS_ASSIGNED = re.compile(
    r"(?<![\w$.])(?:env\s*\.\s*)?([A-Za-z_]\w*)\s*=(?![=~])\s*credentials\s*\("
)
# `AWS_ACCESS_KEY_ID = …` (the value is read after it).
_KEY_ASSIGNED = re.compile(
    r"(?<![\w$.])(?:env\s*\.\s*)?(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)\s*=(?![=~])\s*"
)
# The variables the AWS Credentials plugin binds for `NAME = credentials('id')`.
_AWS_CREDENTIAL_VARIABLES = re.compile(r"\b([A-Za-z_]\w*?)_AWS_(?:KEY_ID|SECRET)\b")
# Scripts: the shared key use, and the keys exported from another variable
# (`withEnv(["AWS_ACCESS_KEY_ID=${KEY}"])`, `export AWS_SECRET_ACCESS_KEY=$SECRET`).
_SCRIPT_KEY_USE = re.compile(
    KEY_USE.pattern + r"|\bAWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY)=[\"']?\$"
)
_NULL = re.compile(r"null\b")
_NAMES_AWS_KEYS = re.compile(r"aws", re.IGNORECASE)
_NAMES_KEYS = re.compile(r"key|cred|secret", re.IGNORECASE)
_NAMES_OTHER = re.compile(r"role|arn|region|account|token|session|profile", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a pipeline takes long-lived keys: an offset into the text and why."""

    offset: int
    message: str


def readable(text: str, path: Path) -> None:
    """Raise :class:`InputError` when keyless will not read the Jenkinsfile ``text``
    (brackets nested past :data:`keyless.workflows.groovytext.MAX_DEPTH`): such a file is
    reported as not read, never as clean."""
    try:
        check_depth(read(text))
    except TooDeep as error:
        source = read(text[: error.offset])
        line, _ = source.position(error.offset)
        raise InputError(f"{error}: keyless does not read it", where=f"{path}:{line}") from None


def findings(document: Document, file: WorkflowFile) -> list[Finding]:
    """One finding per place of one Jenkinsfile that takes long-lived keys, in order."""
    source = read(document.text)
    out = []
    for place in places(source):
        line, column = source.position(place.offset)
        out.append(
            workflow_finding(
                JENKINS_STATIC_AWS_KEYS, file.path, line, column, place.message, f"line {line}"
            )
        )
    return out


def places(source: GroovyText) -> list[Place]:
    """Every place of ``source`` that takes long-lived keys (module docstring), by offset,
    one per step; scripts only when no step binds keys and nothing is temporary."""
    found: dict[int, Place] = {}
    # A session token, an OIDC token file or an assumed role written in the file: key
    # variables set from other values are that role's. A `withAWS(role: …)` block gives
    # its scripts a role's keys, but assumes the role with whatever the file set before.
    temporary = TEMPORARY.search(source.uncommented) is not None
    role_block = False
    for call in calls(source, _ARGUMENTS):
        place = _call_place(source, call)
        if place is not None:
            found.setdefault(place.offset, place)
        elif call.name == "withAWS" and _assumes_without_keys(call):
            role_block = True
    for place in _assignments(source, temporary):
        found.setdefault(place.offset, place)
    if not found and not temporary and not role_block:
        for place in _scripts(source):
            found.setdefault(place.offset, place)
    return [found[offset] for offset in sorted(found)]


def _call_place(source: GroovyText, call: Call) -> Place | None:
    if call.name == "withAWS":
        return _with_aws(source, call)
    arguments = call.arguments
    kind = _text(source, arguments.get("$class")).rsplit(".", 1)[-1]
    where = call.offset
    if not call.name and "$class" in arguments:
        where = arguments["$class"].offset
    if call.name == "aws" or kind == _AWS_BINDING:
        if not _given(source, arguments.get("credentialsId")):
            return None
        role = ""
        if "roleArn" in arguments:
            role = f", then assumes the role {_shown(source, arguments['roleArn'])} with it"
        return Place(
            where,
            f"withCredentials binds the AWS credential {_credential(source, call)}: an IAM "
            f"user's long-lived access key{role}",
        )
    vault = _text(source, arguments.get("envVar"))
    if vault in _BOUND_KEYS and "vaultKey" in arguments:
        # The HashiCorp Vault plugin's `secretValues` entry (https://plugins.jenkins.io/hashicorp-vault-plugin/).
        return Place(
            where,
            f"withVault puts the Vault secret's key {_shown(source, arguments['vaultKey'])} "
            f"into {vault}: an IAM user's long-lived key, kept in Vault",
        )
    variables = [_text(source, arguments.get(name)) for name in _VARIABLES]
    keys = [v for v in variables if v in _BOUND_KEYS]
    if keys:
        return Place(
            where,
            f"a credential binding puts the Jenkins credential {_credential(source, call)} "
            f"into {' and '.join(keys)}: an IAM user's long-lived key",
        )
    name = _text(source, arguments.get("name"))
    is_parameter = call.name in _PARAMETERS or kind.endswith("ParameterDefinition")
    if name in KEY_VARIABLES and is_parameter and "credentialsId" not in arguments:
        return Place(
            where,
            f"the build asks for {name} as a parameter: whoever starts it types an IAM "
            "user's long-lived key",
        )
    return None


def _with_aws(source: GroovyText, call: Call) -> Place | None:
    arguments = call.arguments
    if _given(source, arguments.get("credentials")):
        role = ""
        if "role" in arguments:
            role = f", then assumes the role {_shown(source, arguments['role'])} with them"
        return Place(
            call.offset,
            f"withAWS signs with the Jenkins credential "
            f"{_shown(source, arguments['credentials'])}: an IAM user's long-lived access "
            f"key{role}",
        )
    if "federatedUserId" in arguments:
        return Place(
            call.offset,
            "withAWS(federatedUserId: …) calls GetFederationToken, which only an IAM user's "
            "long-lived access key may call: the agent or controller holds one",
        )
    return None


def _assumes_without_keys(call: Call) -> bool:
    """A ``withAWS`` that gives its block a role's temporary credentials."""
    return any(name in call.arguments for name in ("role", "samlAssertion"))


def _assignments(source: GroovyText, temporary: bool) -> Iterator[Place]:
    """``NAME = credentials('id')`` of AWS keys, and (when nothing is temporary) a key
    variable set from another variable."""
    aws_credentials = {m.group(1) for m in _AWS_CREDENTIAL_VARIABLES.finditer(source.uncommented)}
    code = source.code
    for match in _CREDENTIALS_ASSIGNED.finditer(code):
        name = match.group(1)
        literal = source.literal_after(match.end())
        credential = "" if literal is None else source.value(literal)
        if name in KEY_VARIABLES or name in aws_credentials or _names_aws_keys(name, credential):
            shown = _quoted(credential) if literal is not None else "(an expression)"
            yield Place(
                match.start(1),
                f"the environment takes {name} from the Jenkins credential {shown}: an IAM "
                "user's long-lived key",
            )
    if temporary:
        return
    for match in _KEY_ASSIGNED.finditer(code):
        rest = code[match.end() : match.end() + len("credentials")]
        if rest == "credentials":
            continue  # reported above
        literal = source.literal_at(match.end())
        if literal is not None and "$" not in source.value(literal):
            continue  # a literal: a key is the hard-coded check's; a placeholder is none
        if _NULL.match(code, match.end()):
            continue  # unset
        yield Place(
            match.start(1),
            f"{match.group(1)} is set from another value (a Jenkins credential, a "
            "parameter, the agent's environment or a command's output), and no role is "
            "assumed in the file: an IAM user's long-lived key",
        )


def _names_aws_keys(name: str, credential: str) -> bool:
    """A variable or credential named like AWS keys (``AWS_CREDS``, ``aws-prod-keys``),
    not like another AWS value (a role, a region, a session token)."""
    return any(
        _NAMES_AWS_KEYS.search(text) and _NAMES_KEYS.search(text) and not _NAMES_OTHER.search(text)
        for text in (name, credential)
    )


def _scripts(source: GroovyText) -> Iterator[Place]:
    """Each line of a string literal (a script) that reads the keys or writes them."""
    lines: set[int] = set()
    for literal in source.literals():
        start, end = literal.content_start, literal.content_end
        for found in _SCRIPT_KEY_USE.finditer(source.text, start, end):
            line, _ = source.position(found.start())
            if line not in lines:
                lines.add(line)
                yield Place(
                    found.start(),
                    "a script reads long-lived AWS keys from the environment or writes them "
                    "into a profile (from Jenkins' global properties, the agent, or a "
                    "credential bound where keyless does not read)",
                )


def _given(source: GroovyText, argument: Argument | None) -> bool:
    """An argument that names something: an expression, or a literal not blank (the
    plugins treat an empty ID as none)."""
    if argument is None:
        return False
    return argument.literal is None or bool(source.value(argument.literal).strip())


def _text(source: GroovyText, argument: Argument | None) -> str:
    """A literal argument's value, else ''."""
    if argument is None or argument.literal is None:
        return ""
    return source.value(argument.literal)


def _credential(source: GroovyText, call: Call) -> str:
    return _shown(source, call.arguments.get("credentialsId"))


def _shown(source: GroovyText, argument: Argument | None) -> str:
    """An argument as a message shows it: quoted, redacted, clipped."""
    if argument is None:
        return "(not named)"
    if argument.literal is None:
        return "(an expression)"
    return _quoted(source.value(argument.literal))


def _quoted(value: str) -> str:
    value = redact_text(value)
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")
