"""The switches of the community modules keyless reads by their inputs (``create``,
``create_user``, ``create_access_key``, ``enable_github_oidc``…): booleans as Terraform
converts them, and a value keyless does not know reported, never taken for ``false``.
https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types
"""

from __future__ import annotations

from collections.abc import Mapping

from keyless.iac.values import Node, unknowns


class SwitchNotKnown(Exception):
    """A module input that decides what the module creates is not known: what the call
    creates is not read (as for an unknown ``count``)."""

    def __init__(self, name: str, expression: str, reason: str):
        super().__init__(f"its input {name} is not known: {reason} ({expression})")


def switch(inputs: Mapping[str, Node], name: str, default: bool) -> bool:
    """The module input ``name`` as a bool: ``default`` when the call does not give it,
    ``"true"``/``"false"`` as Terraform converts them; another value (null included)
    is false, Terraform refusing it where the module tests it. Raises
    :class:`SwitchNotKnown` when its value is not known."""
    given = inputs.get(name)
    if given is None:
        return default
    value = given.value
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    unknown = next(unknowns(given), None)
    if unknown is not None:
        raise SwitchNotKnown(name, unknown.expression, unknown.reason)
    return False
