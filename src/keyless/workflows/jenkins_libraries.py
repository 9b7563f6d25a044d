"""The Groovy a Jenkinsfile runs that is not in it: shared libraries and loaded scripts,
named as not read.

A pipeline calls the steps of a shared library as its own (``deployToProd()`` from the
library's ``vars/``), and those steps bind credentials like any Jenkinsfile
(``withAWS(credentials: …)``, ``withCredentials([aws(…)])``): the keys a library uses are
not in the repository. A Jenkinsfile asks for one with the ``@Library('name@version') _``
annotation or the ``library 'name'`` / ``library(identifier: …)`` step
(https://www.jenkins.io/doc/book/pipeline/shared-libraries/#using-libraries), and runs
another Groovy file with ``load 'path'``
(https://www.jenkins.io/doc/pipeline/steps/workflow-cps/#load-evaluate-a-groovy-source-file-into-the-pipeline-script).
Each is reported as not read (exit code 3), never passed as clean. A library Jenkins loads
implicitly (configured on the controller) leaves no trace in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from keyless.engine import Unread
from keyless.errors import quoted_hiding_credentials
from keyless.workflows.groovytext import GroovyText

# In the code (comments and string contents blanked, quotes kept): `@Library(` and the
# `library` / `load` steps, called with brackets or a literal (`library 'x'`).
_USES = re.compile(
    r"@\s*(?P<annotation>Library)\s*\(|"
    r"(?<![\w$.@])(?P<step>library|load)\s*(?:\(|(?=['\"]))"
)
_LIBRARY = (
    "a Jenkins shared library, kept outside the repository: the steps it gives the pipeline "
    "may bind AWS keys (withAWS, withCredentials); keyless does not read it"
)
_LOADED = (
    "a Groovy script the pipeline loads as it runs: its steps may bind AWS keys "
    "(withAWS, withCredentials); keyless does not read it"
)


def unread_code(source: GroovyText, path: Path) -> Iterator[Unread]:
    """The shared libraries and loaded scripts a Jenkinsfile names, each as not read,
    with its line and the name written first (a URL's user information hidden)."""
    for match in _USES.finditer(source.code):
        literal = source.literal_after(match.end())
        if literal is None and match.group().endswith("("):
            literal = source.literal_after(_after_bracket(source.code, match.end()))
        named = quoted_hiding_credentials(source.value(literal)) if literal else "(computed)"
        line, _ = source.position(match.start())
        if match.group("annotation"):
            yield Unread(f"{path}:{line}: @Library {named}", _LIBRARY)
        elif match.group("step") == "library":
            yield Unread(f"{path}:{line}: library {named}", _LIBRARY)
        else:
            yield Unread(f"{path}:{line}: load {named}", _LOADED)


def _after_bracket(code: str, offset: int) -> int:
    """Past a ``[`` (``@Library(['a', 'b'])``) or a name and colon
    (``library(identifier: 'a')``) that opens the call's arguments."""
    match = re.compile(r"\s*(?:\[|\w+\s*:)").match(code, offset)
    return match.end() if match else offset
