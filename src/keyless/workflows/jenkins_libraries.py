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

A script ``load``-ed by a plain name (``load 'ci/deploy.groovy'``: one literal, no
``${…}``, nothing added to it) is a file of the repository: ``load`` reads it relative to
the workspace, the checkout of the repository (:func:`used_code` names it, and the scan
reads it as a Jenkinsfile when it lies inside the repository, through no link out of it).
A name built as the pipeline runs, an absolute one or one that climbs out of the
repository (``../x.groovy``) stays not read. One loaded in a ``dir('sub') { … }`` block
is looked for at the top of the repository: when it is not there, it is not read.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from keyless.engine import Unread
from keyless.errors import quoted_hiding_credentials
from keyless.workflows.groovytext import GroovyText, Literal

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


@dataclass(frozen=True, slots=True)
class LoadedScript:
    """A repository file a Jenkinsfile runs with ``load``: its path under the repository
    (not yet checked: it may be missing, or a link out), and where it is named
    (``Jenkinsfile:12: load 'ci/deploy.groovy'``)."""

    path: Path
    where: str

    def unread(self, problem: str) -> Unread:
        """The script as not read, because of ``problem``."""
        return Unread(self.where, f"{_LOADED} ({problem})")


def used_code(
    source: GroovyText, path: Path, repository: Path
) -> tuple[list[Unread], list[LoadedScript]]:
    """The shared libraries and loaded scripts a Jenkinsfile names: those keyless cannot
    read, each as not read with its line and the name written first (a URL's user
    information hidden), and the repository's scripts it loads by a plain name, to read."""
    unread: list[Unread] = []
    loaded: list[LoadedScript] = []
    for match in _USES.finditer(source.code):
        literal = source.literal_after(match.end())
        if literal is None and match.group().endswith("("):
            literal = source.literal_after(_after_bracket(source.code, match.end()))
        named = quoted_hiding_credentials(source.value(literal)) if literal else "(computed)"
        line, _ = source.position(match.start())
        if match.group("annotation"):
            unread.append(Unread(f"{path}:{line}: @Library {named}", _LIBRARY))
        elif match.group("step") == "library":
            unread.append(Unread(f"{path}:{line}: library {named}", _LIBRARY))
        else:
            where = f"{path}:{line}: load {named}"
            relative = _plain_path(source, literal) if literal else None
            if relative is None:
                unread.append(Unread(where, _LOADED))
            else:
                loaded.append(LoadedScript(repository / relative, where))
    return unread, loaded


# A name Groovy builds as it runs (`"${env.DIR}/x"`), or written with escapes.
_BUILT = re.compile(r"[$\\]")
# What may follow the literal in a plain call: its end, or the call's end.
_CALL_END = re.compile(r"\s*(?:\)|;|\r|\n|$)")


def _plain_path(source: GroovyText, literal: Literal) -> str | None:
    """The repository path a ``load`` literal names, or None: a name built as it runs,
    written with escapes, continued by an expression (``'ci/' + name``), absolute, or
    climbing out of the repository."""
    name = source.value(literal)
    # Past the closing quote, as long as the opening one (' or ''').
    end = literal.content_end + (literal.content_start - literal.start)
    if _BUILT.search(name) or not name.strip() or not _CALL_END.match(source.code, end):
        return None
    normal = posixpath.normpath(name.strip())
    if normal.startswith(("/", "../")) or normal == ".." or ":" in normal.split("/")[0]:
        return None
    return normal


def _after_bracket(code: str, offset: int) -> int:
    """Past a ``[`` (``@Library(['a', 'b'])``) or a name and colon
    (``library(identifier: 'a')``) that opens the call's arguments."""
    match = re.compile(r"\s*(?:\[|\w+\s*:)").match(code, offset)
    return match.end() if match else offset
