"""Which jobs of a GitLab pipeline get the keys written in one place, and whether each
sends them to another store than AWS: the one rule ``workflows scan`` reports by and
``workflows fix`` rewrites by.

A job's keys may be written in its own ``variables:``, in a template it ``extends`` from
an included file, or at the top level of any file of the pipeline; its endpoint and its
scripts may be written in yet another place. Each file read alone (as the scan read
them) saw a part: the scan said ``high`` for keys that ``fix``, reading the job as GitLab
assembles it (:mod:`.gitlab_pipeline`), left saying they "do not look like AWS keys".
Here each place keys are written (a ``variables:`` mapping, a script section that
exports them) is judged by the jobs that really get them: when every
one of them visibly sends the keys to another store (an R2 host in its script, an
endpoint off AWS), the keys are not AWS's and neither command reports them; when every
one that does not goes to an endpoint keyless cannot read, the scan says so (medium) and
``fix`` leaves them, in the same words.

A pipeline with an include keyless could not read may hold jobs that get the same keys
and call AWS: no keys are cleared by the jobs read then (they are reported, never passed
as another store's).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from keyless.workflows import gitlab_stores
from keyless.workflows.evidence import unseen_endpoint_note
from keyless.workflows.gitlab_includes import local_includes
from keyless.workflows.gitlab_keys import EXPORT, exports_temporary, variable_value
from keyless.workflows.gitlab_pipeline import Job, Pipeline, Section, assemble
from keyless.workflows.gitlab_stores import StoreSigns
from keyless.workflows.model import WorkflowFile
from keyless.workflows.yamldoc import Document, is_seq


def store_signs(job: Job) -> StoreSigns:
    """Where ``job``'s keys go, read from everything it gets (its templates' and the top
    level's variables, every script section it runs: :func:`.gitlab_stores.store_signs`).
    An endpoint's ``$NAME`` is what the job's variables give it; one that still names no
    host (a CI/CD setting) may be AWS's. The keys come from its key variables' values and
    from what its ``export`` / ``aws configure set`` lines set them to."""
    variables = [
        (name, value)
        for name, var in job.variables.items()
        if isinstance(value := variable_value(var.value), str)
    ]
    sources = [str(variable_value(v.value)) for v in job.key_variables().values()]
    sources += [exported_value(line) for _, line in key_exports(job)]
    return gitlab_stores.store_signs(variables, script_lines(job), sources, dict(variables))


def key_exports(job: Job) -> Iterable[tuple[Section, str]]:
    """(section, line) of each line of ``job`` that exports the keys (``export
    AWS_ACCESS_KEY_ID=…``, ``aws configure set aws_access_key_id …``), but those of a
    section that obtains temporary credentials itself (the scan reports none of those)."""
    for section in job.sections.values():
        if is_seq(section.script) and not exports_temporary_section(section):
            for line in section.script:
                if isinstance(line, str) and EXPORT.match(line):
                    yield section, line


def exported_value(line: str) -> str:
    """What an export line sets a key to: ``$R2_KEY`` of ``export AWS_ACCESS_KEY_ID=$R2_KEY``."""
    match = EXPORT.match(line)
    return line[match.end() :].strip() if match else ""


def script_lines(job: Job) -> Iterable[str]:
    """The job's script lines, but the key exports of a section that obtains temporary
    credentials itself (the scan reports none of those)."""
    for section in job.sections.values():
        temporary = exports_temporary_section(section)
        for line in section.script if is_seq(section.script) else ():
            if isinstance(line, str) and not (temporary and EXPORT.match(line)):
                yield line


def exports_temporary_section(section: Section) -> bool:
    """Whether ``section``'s key exports are temporary credentials it obtains itself."""
    script = section.script
    if not is_seq(script):
        return False
    indices = tuple(
        i for i, line in enumerate(script) if isinstance(line, str) and EXPORT.match(line)
    )
    return bool(indices) and exports_temporary(script, indices)


class Reach:
    """For each mapping where AWS key variables are written, and each script section
    that exports keys (by ``id``), the signs of the concrete jobs that get them. Worked
    out once, when first asked: every job of the pipeline resolved (the scan of a
    pipeline with no key variable asks nothing), or
    ``jobs``, resolved already. ``complete``: every include of the pipeline was read
    (:func:`is_complete`)."""

    def __init__(
        self, pipeline: Pipeline, complete: bool, jobs: Iterable[Job] | None = None
    ) -> None:
        self._pipeline = pipeline
        self._complete = complete
        self._jobs = jobs
        self._receivers: dict[int, list[StoreSigns]] | None = None

    def _of(self, site: Any) -> list[StoreSigns]:
        if self._receivers is None:
            self._receivers = {}
            jobs = self._pipeline.jobs() if self._jobs is None else self._jobs
            for job in jobs:
                sites = [id(var.site) for var in job.key_variables().values()]
                sites += [id(section.script) for section, _ in key_exports(job)]
                if not sites or job.is_trigger:
                    continue
                signs = store_signs(job)
                for key in dict.fromkeys(sites):
                    self._receivers.setdefault(key, []).append(signs)
        return self._receivers.get(id(site), [])

    def is_read(self, site: Any) -> bool:
        """Whether a job read gets the keys written at ``site``."""
        return bool(self._of(site))

    def for_another_store(self, site: Any) -> bool:
        """Every job that gets the keys written at ``site`` visibly sends them to another
        store (and there is one, and the whole pipeline was read)."""
        receivers = self._of(site)
        return self._complete and bool(receivers) and all(s.evidence for s in receivers)

    def unseen_note(self, site: Any) -> str:
        """What a finding adds for the keys written at ``site`` when every job that gets
        them, and does not visibly send them elsewhere, sends them to an endpoint that
        names no host; "" otherwise."""
        receivers = [s for s in self._of(site) if not s.evidence]
        if not receivers or not all(s.unseen for s in receivers):
            return ""
        found = dict.fromkeys(e for s in receivers for e in s.unseen)
        return unseen_endpoint_note(found)


def is_complete(files: Iterable[tuple[WorkflowFile, Document]]) -> bool:
    """Whether the GitLab files of one repository hold every file their includes name:
    none is remote, of another project, a template or missing, and each local one was
    read (one that did not parse is not among ``files``)."""
    files = list(files)
    read = {file.path.resolve() for file, _ in files}
    for file, document in files:
        found, missing = local_includes(document, file.repository_root)
        if missing or any(Path(path).resolve() not in read for path in found):
            return False
    return True


def pipeline_reach(files: Iterable[tuple[WorkflowFile, Document]]) -> Reach:
    """The :class:`Reach` of one repository's GitLab files."""
    files = list(files)
    return Reach(assemble(files), is_complete(files))
