"""What ``fix`` says it left: where a finding is (``line 7 (route): ``), and keys a
GitLab pipeline still holds after a rewrite that listed nothing left."""

from __future__ import annotations

from dataclasses import replace

from keyless.errors import InputError, shown_pointer
from keyless.findings import FileLocation, Finding
from keyless.workflows import gitlab
from keyless.workflows.model import FileRewrite, Platform, Unfixed
from keyless.workflows.scan import LoadedFile, scan_files
from keyless.workflows.yamldoc import load_text


def where(finding: Finding) -> str:
    """``line 7 (jobs.deploy.environment.AWS_ACCESS_KEY_ID): ``, the route cut as messages
    cut a pointer (:func:`keyless.errors.shown_pointer`): its keys are the file's, and a
    job or input name may be 100,000 characters long."""
    location = finding.location
    if not isinstance(location, FileLocation):
        return ""
    route = "" if location.route.startswith("line ") else f" ({shown_pointer(location.route)})"
    return f"line {location.line}{route}: "


def keys_left_unsaid(rewrites: list[FileRewrite]) -> list[FileRewrite]:
    """A pipeline whose rewrite lists nothing left, read again: keys the scan still finds
    in it (a template no job uses, a shape ``fix`` does not know) are listed, so that
    ``fix`` never says all is done, exit code 0, while ``scan`` reports keys."""
    if any(r.unfixed for r in rewrites):
        return rewrites
    out = []
    for rewrite in rewrites:
        try:
            document = load_text(
                rewrite.after,
                rewrite.file.path,
                gitlab_header=rewrite.file.platform is Platform.GITLAB,
            )
        except InputError:
            out.append(rewrite)
            continue
        found = [
            f
            for f in scan_files([LoadedFile(rewrite.file, document)])
            if f.check == gitlab.GITLAB_STATIC_AWS_KEYS.id
        ]
        left = tuple(
            Unfixed(None, f"{where(f)}{f.message}: keyless did not rewrite it; do it by hand")
            for f in found
        )
        out.append(replace(rewrite, unfixed=left) if left else rewrite)
    return out
