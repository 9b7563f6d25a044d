"""The machinery of ``sub`` grammars: what a grammar answers (a tenant's, a repository's,
a trigger's subjects; well-formed subjects). Claim templates as languages are in
:mod:`keyless.idp.sub_shapes`, triggers in :mod:`keyless.idp.triggers`.

The grammars themselves, one per provider with the documents that define them, are in
:mod:`keyless.idp.grammars`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from keyless.idp.frozen import frozen
from keyless.idp.sub_shapes import (
    EMPTY_FIELD,
    compact_union,
    field_outside,
    fields_language,
    forget_filled,
    ill_formed,
    invalid_refs,
    names_holding,
    shape,
    union,
)
from keyless.idp.triggers import FieldValues, Trigger, forget_trigger_languages
from keyless.patterns.language import Language

# Names callers import from here (the machinery's modules are this one's parts).
__all__ = [
    "EMPTY_FIELD",
    "FieldValues",
    "SubGrammar",
    "Trigger",
    "WellFormedKey",
    "clear_caches",
    "field_outside",
    "fields_language",
    "forget_filled",
    "invalid_refs",
    "shape",
]


#: What builds a provider's well-formed subjects: templates, custom templates and those
#: excluded from them, then the fields of :func:`fields_language` and those once), ill-formed
#: templates, the ref marker, the refs' prefix and the keys an empty field may follow.
WellFormedKey = tuple[
    tuple[str, ...],
    tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    tuple[str, ...],
    str | None,
    str,
    str,
]


@functools.lru_cache(maxsize=32)
def _well_formed(key: WellFormedKey) -> Language:
    exact = frozen(("well-formed", *key), lambda: _build_well_formed(*key))
    coarse = _coarse_well_formed(key)
    return exact if coarse is None else exact.with_coarse(coarse)


@functools.lru_cache(maxsize=64)
def _runs(trigger: Trigger, well_formed: WellFormedKey) -> Language:
    exact = frozen(
        ("runs", *trigger.key, *well_formed),
        lambda: (trigger.language() & _well_formed(well_formed)).compact(),
    )
    coarse = _coarse_well_formed(well_formed)
    if coarse is None:
        return exact
    return exact.with_coarse(
        frozen(
            ("coarse-runs", *trigger.key, *well_formed),
            lambda: (trigger.language() & coarse).compact(),
        )
    )


@functools.lru_cache(maxsize=32)
def _coarse_well_formed(key: WellFormedKey) -> Language | None:
    """A superset of the well-formed subjects whose automaton is small, for grammars of
    fields (:func:`fields_language`): every subject but the ``ill_formed`` ones, whatever
    its fields. Their exact automaton tracks which field each character is in and which
    fields were used (GitHub's: hundreds of states), and a question with no answer must
    visit all of its product; most such questions are empty for a reason the templates
    alone give (a pull request's run is no environment's), which this one proves at a
    fraction of the cost (:attr:`keyless.patterns.language.Language.coarsened`). None for
    grammars of templates only, whose automata are small already."""
    _, custom, excluded, _, _, empty_after = key
    if not custom[2]:
        return None
    return frozen(
        ("coarse-well-formed", *key),
        lambda: (Language.any_string() - ill_formed(excluded, empty_after)).compact(),
    )


def clear_caches() -> None:
    """Forget the grammar-wide languages built in this process."""
    for cached in (_well_formed, _runs, _coarse_well_formed):
        cached.cache_clear()
    forget_trigger_languages()
    forget_filled()


def _build_well_formed(
    templates: tuple[str, ...],
    custom: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    excluded: tuple[str, ...],
    ref_marker: str | None,
    prefix: str,
    empty_after: str,
) -> Language:
    good = compact_union(shape(template) for template in templates)
    if custom[2]:
        good = (good | fields_language(custom[2], custom[3])).compact()
    if custom[0]:
        extra = compact_union(shape(template) for template in custom[0])
        extra = (extra - compact_union(shape(template) for template in custom[1])).compact()
        good = (good | extra).compact()
    bad = ill_formed(excluded, empty_after)
    if ref_marker is not None:
        bad = (bad | invalid_refs(ref_marker, prefix)).compact()
    return (good - bad).compact()


@dataclass(frozen=True)
class SubGrammar:
    """The ``sub`` grammar of one provider.

    ``well_formed``: templates every real ``sub`` matches. ``tenant_templates`` and
    ``repo_templates``: the ``sub`` values of one tenant / one repository (``{tenant}`` and
    ``{repo}`` slots). ``tenant_pattern`` / ``repo_pattern``: regular expressions that read
    the tenant (group ``tenant``) and repository (group ``repo``) from the literal prefix of
    a policy value. ``example``: a readable ``sub`` with slots. ``tenant_keys``: other
    claims that pin the tenant (suffix → ``"id"`` for identifiers, or a template such as
    ``"{tenant}/*"`` for names), which an attacker's token cannot share with the victim's.
    ``repo_search``: where a provider's repositories are unique IDs (CircleCI project UUIDs,
    Bitbucket repository and environment UUIDs), a regular expression searched anywhere in a
    policy value: each match's ``repo`` group names one of the policy's repositories, wherever
    the value puts wildcards around it (``org/*/project/ID/*``, ``*:{ENV_UUID}:*``).
    ``tenant_word`` and ``repo_word``: the provider's own nouns for the two (GitHub's owner
    and repository, GitLab's group and project, CircleCI's organization and project,
    Bitbucket's workspace and repository), for messages; ``other_repo``: the name (or ID,
    where repositories are UUIDs) a witness gives to another repository. ``unit_pattern`` and
    ``unit_templates``: a unit inside a repository whose name is unique in the tenant
    (HCP Terraform's workspace, unique in its organization), read from the whole value
    (group ``tenant`` and ``repo``, wildcards allowed before it): a value naming one is of
    that unit, whatever repository it allows, so it is no "other repository".
    ``names_ignore_case``: tenant and repository names are unique whatever their case
    (GitHub's: ``Octo-Org`` and ``octo-org`` are one owner), so a case variant that an
    ``…IgnoreCase`` operator admits is the same tenant, never another. ``fields``: subjects
    made of fields joined by ``:`` (:func:`fields_language`), GitHub's custom templates,
    ``fields_once`` of them at most once.
    ``tenant_id_search``, ``repo_id_search`` and ``id_templates``: an ID in the ``sub``
    that only one tenant's (repository's) tokens carry (GitHub's ``repository_owner_id:123``
    and ``repository_id:456`` fields), searched anywhere in a policy value, and the
    subjects that carry it (``{tenant}`` is the match): a value pinning it is that
    tenant's (repository's), whatever its name.
    ``empty_after``: the last characters of the keys whose field may be empty (GitHub writes
    a claim a template includes empty where the run has none: ``…:base_ref::…``), where
    ``ill_formed`` holds :data:`EMPTY_FIELD`; the fields' grammar says which keys those are.
    ``invalid_names`` and ``names_rule``: a regular expression searched in the literal
    prefix of a value (before a wildcard or policy variable) whose match is a name the
    provider never gives (GitHub's ``repo:o/ré``: a repository's name is ASCII), and what
    names may hold (for messages). Read from the text, not built into
    :meth:`well_formed_language`: every character a name may hold would be a column of
    every automaton (GitHub's alphabet 49 to 77 symbols, a fifth more CPU per scan).
    ``name_fields`` and ``name_chars``: the fields whose values are names (GitHub's ``repo``,
    ``repository_owner``, ``actor``) and the characters a name may hold, for the names a
    value admits after a wildcard (:meth:`foreign_names`: ``repo:o/r*é``).
    ``tenant_head_search`` and ``head_templates``: the same for a field that names the
    tenant before a wildcard (``…:repo:octo-org/*``), searched in the literal prefix of a
    value, and the subjects of that tenant that carry the field.
    """

    provider: str
    well_formed: tuple[str, ...]
    tenant_templates: tuple[str, ...] = ()
    repo_templates: tuple[str, ...] = ()
    tenant_pattern: str | None = None
    repo_pattern: str | None = None
    example: str = ""
    tenant_word: str = "tenant"
    repo_word: str = "repository"
    other_repo: str = "other-repo"
    triggers: tuple[Trigger, ...] = ()
    tenant_keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    classic_repo_pattern: str | None = None
    immutable_repo_pattern: str | None = None
    ill_formed: tuple[str, ...] = ()
    empty_after: str = ""
    invalid_names: str | None = None
    names_rule: str = ""
    name_fields: tuple[str, ...] = ()
    name_chars: str = ""
    custom: tuple[str, ...] = ()
    custom_excluded: tuple[str, ...] = ()
    ref_marker: str | None = None
    ref_prefix: str = ""
    repo_search: str | None = None
    unit_pattern: str | None = None
    unit_templates: tuple[str, ...] = ()
    names_ignore_case: bool = False
    fields: tuple[str, ...] = ()
    fields_once: tuple[str, ...] = ()
    tenant_id_search: str | None = None
    repo_id_search: str | None = None
    id_templates: tuple[str, ...] = ()
    tenant_head_search: str | None = None
    head_templates: tuple[str, ...] = ()

    def well_formed_language(self) -> Language:
        """Every ``sub`` the provider can mint: the ``well_formed`` templates, the
        ``custom`` ones not ``custom_excluded`` and the subjects of ``fields``
        (:func:`fields_language`), minus the ``ill_formed`` ones (an empty field only after
        a key ``empty_after`` does not end: GitHub's ``…:base_ref::…`` is one) and any git
        ref after ``ref_marker`` that git rejects (or that does not begin with
        ``ref_prefix``)."""
        return _well_formed(self.well_formed_key)

    @property
    def well_formed_key(self) -> WellFormedKey:
        """What :meth:`well_formed_language` is built from."""
        return (
            self.well_formed,
            (self.custom, self.custom_excluded, self.fields, self.fields_once),
            self.ill_formed,
            self.ref_marker,
            self.ref_prefix,
            self.empty_after,
        )

    def runs_language(self, trigger: Trigger) -> Language:
        """The well-formed ``sub`` values of ``trigger``'s runs, as one minimal automaton
        (built once per process): its distances to acceptance are exact where those of the
        two automata apart only bound them, so the product search walks straight to a
        member."""
        return _runs(trigger, self.well_formed_key)

    def tenant_language(self, tenant: str, *, fold: bool = False) -> Language:
        """Every ``sub`` of ``tenant``; with ``fold``, in any case where the provider's names
        are (ask for it only where the policy compares without case: a case-sensitive
        policy value keeps the case it names, and the folded automata cost far more)."""
        return union(self.tenant_templates, tenant, fold=fold and self.names_ignore_case)

    def tenant_ids_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """The tenant IDs (``tenant_id_search`` matches, as the subject writes them:
        ``repository_owner_id:123``) anywhere in policy values; ``fold`` as for
        :meth:`tenants_in`."""
        return _found(self.tenant_id_search, values, fold=fold)

    def repo_ids_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """The repository IDs (``repo_id_search`` matches: ``repository_id:456``) anywhere
        in policy values; ``fold`` as for :meth:`tenants_in`."""
        return _found(self.repo_id_search, values, fold=fold)

    def tenant_heads_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """The tenant fields (``tenant_head_search`` matches: ``repo:octo-org/``) in the
        literal prefixes of policy values; ``fold`` as for :meth:`tenants_in`."""
        if not self.tenant_head_search:
            return frozenset()
        flags = re.IGNORECASE if fold else 0
        return frozenset(
            match.group(0)
            for value in values
            for match in re.finditer(self.tenant_head_search, _literal(value), flags)
        )

    def head_language(self, head: str, *, fold: bool = False) -> Language:
        """Every ``sub`` that carries the tenant field ``head`` (:meth:`tenant_heads_in`);
        ``fold`` as for :meth:`tenant_language`."""
        return union(self.head_templates, head, fold=fold and self.names_ignore_case)

    def id_language(self, ident: str, *, fold: bool = False) -> Language:
        """Every ``sub`` that carries the ID ``ident`` (see :meth:`tenant_ids_in`); ``fold``
        as for :meth:`tenant_language` (a name field, ``repo:Octo-Org/app``, in any case)."""
        return union(self.id_templates, ident, fold=fold and self.names_ignore_case)

    def repo_language(self, tenant: str, repo: str, *, fold: bool = False) -> Language:
        """Every ``sub`` of one repository of ``tenant`` (``fold`` as above)."""
        return union(self.repo_templates, tenant, repo, fold=fold and self.names_ignore_case)

    def foreign_names(self, values: Iterable[str]) -> Language | None:
        """Subjects whose name field (of ``name_fields``) holds a character of ``values``
        that no name holds (none of ``name_chars``), in either case: ``repo:o/r*é`` admits
        ``repo:o/ré``, which GitHub never mints, beyond the literal prefix that
        :meth:`invalid_name` reads (up to a variable or placeholder, as it does). None where
        the values hold no such character (most policies: the language's alphabet is only the
        characters they hold)."""
        if not self.name_fields:
            return None
        allowed = frozenset(self.name_chars) | frozenset(":*?")
        # Up to a policy variable or a template's placeholder, as invalid_name reads.
        texts = (re.split(r"[${<%]", value, maxsplit=1)[0] for value in values)
        found = {c for text in texts for c in text if c not in allowed}
        chars = (
            frozenset(v for c in found for v in (c, c.lower(), c.upper()) if len(v) == 1) - allowed
        )
        if not chars:
            return None
        return names_holding(self.name_fields, chars)

    def invalid_name(self, value: str) -> str | None:
        """The name in the literal prefix of ``value`` the provider never gives (the match
        of ``invalid_names``), or None. The prefix ends before a policy variable or a
        template's placeholder too (``repo:{{ org }}/app``, ``<ORG>``, ``%s``: a name yet to
        be filled in, :mod:`keyless.policy.templates`)."""
        if self.invalid_names is None:
            return None
        literal = re.split(r"[${<%]", _literal(value), maxsplit=1)[0]
        match = re.search(self.invalid_names, literal, re.IGNORECASE)
        return match.group(0) if match else None

    def tenants_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
        """Tenants named by the literal prefixes of policy values (before any wildcard).
        ``fold``: the values are compared without case (``StringEqualsIgnoreCase``), so
        ``REPO:acme/app:…`` names tenant ``acme`` as ``repo:acme/app:…`` does."""
        flags = re.IGNORECASE if fold else 0
        return frozenset(
            match.group("tenant")
            for value in values
            if self.tenant_pattern
            and (match := re.match(self.tenant_pattern, _literal(value), flags))
        )

    def repos_in(self, values: Iterable[str], *, fold: bool = False) -> frozenset[tuple[str, str]]:
        """(tenant, repository) pairs named by the literal prefixes of policy values (or,
        with ``repo_search``, anywhere in them: the tenant is then ``""``); ``fold`` as
        for :meth:`tenants_in`. ``repo_pattern`` is matched against the whole value: its
        name classes take no wildcard, so it reads the literal prefix, except where it
        allows a wildcard itself (GitHub's ID, ``repo:o@*/r@*``, names the repository
        ``r``)."""
        values = tuple(values)
        flags = re.IGNORECASE if fold else 0
        if self.repo_search:
            return frozenset(
                ("", match.group("repo"))
                for value in values
                for match in re.finditer(self.repo_search, value, flags)
            )
        return frozenset(
            (match.group("tenant"), match.group("repo"))
            for value in values
            if self.repo_pattern and (match := re.match(self.repo_pattern, value, flags))
        )

    def unit_language(self, values: Iterable[str], *, fold: bool = False) -> Language:
        """Every ``sub`` of the units (``unit_pattern``) the policy values name (``fold``
        as for :meth:`tenants_in`)."""
        flags = re.IGNORECASE if fold else 0
        units = {
            (match.group("tenant"), match.group("repo"))
            for value in values
            if self.unit_pattern and (match := re.match(self.unit_pattern, value, flags))
        }
        return Language.union_all(
            union(self.unit_templates, tenant, unit) for tenant, unit in sorted(units)
        )

    def nice(self, tenant: str, repo: str) -> tuple[Language, ...]:
        """Readable ``sub`` shapes to draw witnesses from, most readable first."""
        if not self.example:
            return ()
        text = self.example.replace("{tenant}", tenant).replace("{repo}", repo)
        return (Language.literal(text), shape(self.example.split("{repo}")[0] + "*", tenant))


def _found(search: str | None, values: Iterable[str], *, fold: bool = False) -> frozenset[str]:
    """Every match of ``search`` anywhere in ``values`` (in any case with ``fold``)."""
    if not search:
        return frozenset()
    flags = re.IGNORECASE if fold else 0
    return frozenset(
        match.group(0) for value in values for match in re.finditer(search, value, flags)
    )


def _literal(value: str) -> str:
    """The part of a wildcard value before its first wildcard."""
    cut = min((i for i in (value.find("*"), value.find("?")) if i >= 0), default=len(value))
    return value[:cut]
