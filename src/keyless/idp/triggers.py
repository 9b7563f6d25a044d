"""Triggers: the kinds of run an attacker with write access (or a fork) can start, as
the ``sub`` values of such runs and the claims their tokens carry. Each provider's are in
its grammar (:mod:`keyless.idp.grammars`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from keyless.idp.frozen import frozen
from keyless.idp.sub_shapes import compact_union, field_as_value, field_outside, shape
from keyless.patterns.language import Glob, Language

#: Branches counted as protected by default (the usual default branches).
DEFAULT_BRANCHES = ("main", "master")

#: Claims a subject shows as ``KEY:VALUE`` fields, each with the values a trigger's runs
#: hold in it (:attr:`Trigger.field_values`).
FieldValues = tuple[tuple[str, tuple[str, ...]], ...]


@functools.lru_cache(maxsize=256)
def _compact(
    templates: tuple[str, ...], excluded: tuple[str, ...] = (), values: FieldValues = ()
) -> Language:
    """A grammar-wide language (no slots) as one minimal automaton, built once per process
    (or ahead of time, :mod:`keyless.idp.frozen`): the lazy product search then follows one
    leaf instead of a dozen. Each side is minimised pair by pair (:func:`compact_union`):
    one product of a dozen ``*:FIELD:*`` globs tracks each one's partial match apart (a
    branch trigger of eighteen such globs took 9 s this way, 0.05 s pair by pair).
    ``values``: subjects holding a field of one of these claims with another value are
    excluded too (:func:`field_outside`)."""
    return frozen(
        ("compact", templates, excluded, *((values,) if values else ())),
        lambda: (
            compact_union(shape(t) for t in templates)
            - compact_union(
                [*(shape(t) for t in excluded), *(field_outside(k, v) for k, v in values)]
            )
        ).compact(),
    )


@functools.lru_cache(maxsize=64)
def _other_runs(values: FieldValues, templates: tuple[str, ...], alone: str = "") -> Language:
    """Subjects holding a field of one of the claims of ``values`` with another value
    (:func:`field_outside`), or of ``templates``, or ``alone`` only as a value
    (:func:`field_as_value`), as one automaton (built ahead of time: building GitHub's four
    cost a scan's process 3%)."""
    return frozen(
        ("other-runs", values, templates, *((alone,) if alone else ())),
        lambda: compact_union(
            [
                *(field_outside(key, held) for key, held in values),
                *(shape(t) for t in templates),
                *((field_as_value(alone),) if alone else ()),
            ]
        ),
    )


@functools.lru_cache(maxsize=64)
def _carried(
    carries: tuple[tuple[str, str], ...], excluded: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, Language], ...]:
    claims = dict.fromkeys(claim for claim, _ in carries)
    return tuple(
        (
            claim,
            Language.union_all(Language.wildcard(v) for c, v in carries if c == claim)
            - Language.union_all(Language.wildcard(v) for c, v in excluded if c == claim),
        )
        for claim in claims
    )


@dataclass(frozen=True)
class Trigger:
    """A kind of run that an attacker with write access (or a fork) can start.

    ``named_pins``: a subject the policy names exactly (one branch, ``…:ref:refs/heads/develop``)
    is reported apart, at low severity: whether that branch is protected is unknown offline,
    while a pattern admits any branch someone pushes. ``carries``: claims every such run's
    token holds, as globs (``ref_protected`` ``"false"`` for an unprotected GitLab branch,
    GitHub's ``ref`` ``refs/pull/*`` for a pull request's run), so a policy pinning another
    value admits none; ``carries_excluded``: values such a run's claim never holds
    (``ref`` ``refs/heads/main``, a default branch, for an unprotected one). ``example``:
    a wildcard a readable witness matches.
    ``named_exempt``: subjects named exactly are not reported at all (a named GitHub
    environment, whose protection rules are the recommended pin), and the trigger is
    reported only for a path no other trigger was (``repo:o/r:*`` says it once).
    ``names_ignore_case``: the names the trigger's subjects carry are unique whatever their
    case (GitHub environments), so where the policy compares without case a case variant
    of a subject it names exactly is that subject. ``unnamed``: subjects that name no one
    branch or tag, even written exactly (GitLab's ``project_path:P:ref_type:branch``, a
    sub without its ref: every branch's), so never a named pin or exempt.
    ``named_search`` and ``named_templates``: a branch or tag a policy value names
    literally inside a pattern (`repo:o/r:ref:refs/heads/develop:*`, a custom template's
    claims after the ref), which counts as named as an exact value does.
    ``named_claim``: a claim whose exact policy values name the run's branch or tag as a
    subject does (GitHub's ``ref`` ``refs/heads/develop``): counted as named too.
    ``field_values``: claims a custom subject may show as fields (GitHub's ``event_name``)
    and the values such a run holds in them: a subject showing another value is no such
    run (a schedule's run is the default branch's, a pull request's none).
    ``shown``: the same runs as a custom template's other fields show them, naming no
    branch or tag even written exactly (GitHub's ``…:event_name:push``,
    ``…:ref_type:branch``), asked when ``templates`` admit none. Kept apart: folded into
    ``templates`` they made the trust checks of a messy account a quarter slower.
    ``checked_fields``: as ``field_values``, but left out of :meth:`language` (GitHub's
    ``…:event_name:pull_request_target:pull_request``, no pull request's run: a
    pull_request_target run's context is a ref). Few policies show such a field, and
    built into the runs' automaton it cost every policy's questions 6 to 12% of a scan, so
    a witness is checked instead (:meth:`refutes`) and only a refuted one asked again
    without :meth:`other_runs`. ``checked_templates``: subjects of other runs checked so
    too (GitHub's ``…:ref:refs/heads/x:pull_request``, a pull request's context beside a
    branch's ref: as ``excluded`` they cost every policy's scan 2 to 3%).
    ``checked_alone``: a field the templates name that stands alone (GitHub's
    ``pull_request`` context), checked so too where it is only another field's value
    (``…:actor:pull_request``, :func:`~keyless.idp.sub_shapes.field_as_value`): the globs
    of the templates cannot tell the two apart.
    ``claim_named_elsewhere``: a claim whose exact policy values name runs another trigger
    judges (GitHub's ``ref`` ``refs/heads/develop`` for a pull request merged into develop:
    the named branch's): this trigger asks only for runs beyond them.
    """

    label: str
    templates: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    severity: str = "high"
    named_pins: bool = False
    named_exempt: bool = False
    names_ignore_case: bool = False
    carries: tuple[tuple[str, str], ...] = ()
    carries_excluded: tuple[tuple[str, str], ...] = ()
    example: str = ""
    unnamed: tuple[str, ...] = ()
    named_search: str | None = None
    named_templates: tuple[str, ...] = ()
    named_claim: str | None = None
    field_values: FieldValues = ()
    shown: Trigger | None = None
    checked_fields: FieldValues = ()
    checked_templates: tuple[str, ...] = ()
    checked_alone: str = ""
    claim_named_elsewhere: str | None = None

    @property
    def key(self) -> tuple[tuple[str, ...] | FieldValues, ...]:
        """What :meth:`language` is built from."""
        return (self.templates, self.excluded, *((self.field_values,) if self.field_values else ()))

    def language(self) -> Language:
        """The ``sub`` values of such runs."""
        return _compact(self.templates, self.excluded, self.field_values)

    def may_admit(self, values: Iterable[str]) -> bool:
        """Whether policy values (a claim's, compared with a positive operator) may admit a
        subject of :meth:`language`: one holds a wildcard or a policy variable, or holds
        the literal text every subject of one template does (in any case: an
        ``…IgnoreCase`` operator). A cheap filter before a question; ``False`` only where
        no value can match."""
        needles = _literal_runs(self.templates)
        return any(
            any(c in value for c in "*?$") or any(n in value.lower() for n in needles)
            for value in values
        )

    @property
    def checks(self) -> bool:
        """Whether a witness of such a run is checked (:meth:`refutes`)."""
        return bool(self.checked_fields or self.checked_templates or self.checked_alone)

    def other_runs(self) -> Language:
        """Subjects showing a field of ``checked_fields`` with a value no such run holds,
        or of ``checked_templates``, or ``checked_alone`` only as another field's value:
        other runs' (empty when there are none)."""
        return _other_runs(self.checked_fields, self.checked_templates, self.checked_alone)

    def refutes(self, subject: str) -> bool:
        """Whether ``subject`` (a witness's) is another run's (:meth:`other_runs`)."""
        return self.checks and self.other_runs().contains(subject)

    def carried(self) -> tuple[tuple[str, Language], ...]:
        """Each claim of ``carries`` and the values such a run's token holds in it."""
        return _carried(self.carries, self.carries_excluded)

    def unnamed_language(self) -> Language:
        """Subjects that name no one branch or tag even written exactly (``unnamed``)."""
        return _compact(self.unnamed) if self.unnamed else Language.empty()

    def named_in(self, values: Iterable[str]) -> Language:
        """Subjects of the branches (tags) that policy values name literally inside a
        pattern (``named_search``: `repo:o/r:ref:refs/heads/develop:*` names develop),
        as ``named_templates`` (globs, ``{name}`` the literal name) write them."""
        if not self.named_search:
            return Language.empty()
        names = {
            match.group("name")
            for value in values
            for match in re.finditer(self.named_search, value)
        }
        return Language.union_all(
            Language.from_glob(_glob_parts(template, name))
            for name in sorted(names)
            for template in self.named_templates
        )


def _glob_parts(template: str, name: str) -> list[str | Glob]:
    """A glob template's parts (``*`` a wildcard), ``{name}`` filled in as literal text."""
    parts: list[str | Glob] = []
    for index, chunk in enumerate(template.split("*")):
        if index:
            parts.append(Glob.STAR)
        parts.append(chunk.replace("{name}", name))
    return parts


@functools.lru_cache(maxsize=64)
def _literal_runs(templates: tuple[str, ...]) -> tuple[str, ...]:
    """The longest literal text of each template (:func:`shape`'s; slots none), lower-cased:
    every subject the template admits holds it."""
    return tuple(
        max(re.split(r"[*?+=&#^%]|\{[a-z]+\}", template), key=len).lower() for template in templates
    )


def forget_trigger_languages() -> None:
    """Forget the triggers' grammar-wide languages built in this process."""
    _compact.cache_clear()
    _other_runs.cache_clear()
