"""The top-level blocks Terraform takes (their types, and how many labels each has) and
the labels it requires to be identifiers: a resource's type and name, a variable's, an
output's, a module call's name... A block type it does not know (``resourc``) or a label
it refuses (``resource "aws_iam_role" "a.b"``) makes ``terraform validate`` fail, so the
file is not read: judged, it would stand for a role that can never be deployed, and an
address built from it (``aws_iam_role.a.b``) would name something else.

Terraform checks each with HCL's ``hclsyntax.ValidIdentifier``: a letter or underscore,
then letters, digits, underscores and dashes (Unicode letters and digits count: HCL's
identifiers are UAX #31's ``ID_Start (ID_Continue | '-')*``).
https://developer.hashicorp.com/terraform/language/syntax/configuration#identifiers
https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#identifiers
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from keyless.errors import quoted
from keyless.iac.hcl import HclSyntaxError


class RefusedBlockError(HclSyntaxError):
    """A top-level block Terraform refuses: well-formed HCL, an invalid configuration."""


class RefusedLabelError(RefusedBlockError):
    """A block label Terraform refuses."""


#: What Terraform calls each label of the top-level blocks whose labels it checks
#: (``configs.decodeResourceBlock``, ``decodeDataBlock``, ``decodeVariableBlock``, ...).
_CHECKED: Mapping[str, tuple[str, ...]] = {
    "resource": ("resource type name", "resource name"),
    "data": ("data source type name", "data source name"),
    "ephemeral": ("ephemeral resource type name", "ephemeral resource name"),
    "variable": ("variable name",),
    "output": ("output name",),
    "module": ("module name",),
    "provider": ("provider name",),
    "check": ("check block name",),
}


def is_identifier(text: str) -> bool:
    """True when ``text`` is an HCL identifier. Python's ``str.isidentifier`` is Unicode's
    ``XID_Start XID_Continue*`` with ``_`` allowed first (``ID`` and ``XID`` differ on a
    handful of compatibility characters); a dash continues one, never starts it."""
    return not text.startswith("-") and text.replace("-", "_").isidentifier()


def refused_label(block_type: str, labels: tuple[str, ...]) -> tuple[int, str] | None:
    """The index of the first label of a top-level ``block_type`` block that Terraform
    refuses, and why; None when it accepts them all (or does not check this type's)."""
    for index, (label, what) in enumerate(zip(labels, _CHECKED.get(block_type, ()), strict=False)):
        if not is_identifier(label):
            return index, (
                f"{quoted(label)} is not a valid {what}: Terraform refuses the "
                f"{block_type} block (a name starts with a letter or underscore and holds "
                "only letters, digits, underscores and dashes)"
            )
    return None


#: The labels each top-level block type of Terraform's configuration takes, by name
#: (``configFileSchema`` in internal/configs/parser_config.go). HCL refuses a block with
#: more ("Extraneous label for resource: Only 2 labels (type, name) are expected") or
#: fewer ("Missing name for resource: All resource blocks must have 2 labels"): hcl's
#: ``hclsyntax.Body.Content``. ``action`` is Terraform 1.14's
#: (https://developer.hashicorp.com/terraform/language/block/action), ``language``
#: OpenTofu's (https://opentofu.org/docs/language/): keyless reads both tools' files.
_LABELS: Mapping[str, tuple[str, ...]] = {
    "resource": ("type", "name"),
    "data": ("type", "name"),
    "ephemeral": ("type", "name"),
    "action": ("type", "name"),
    "variable": ("name",),
    "output": ("name",),
    "module": ("name",),
    "provider": ("name",),
    "check": ("name",),
    **dict.fromkeys(
        ("terraform", "locals", "moved", "import", "removed", "required_providers", "language"),
        (),
    ),
}


def refused_block_type(block_type: str) -> str | None:
    """Why Terraform refuses a top-level block of ``block_type``, or None when it (or
    OpenTofu) reads one. Its configuration schema names every top-level block type:
    another is an error ("Unsupported block type: Blocks of type "resourc" are not
    expected here", or in JSON syntax "Extraneous JSON object property"), so the file is
    refused, and what a misspelt ``resourc`` block declares is never deployed.
    ``required_providers`` is named only to be refused outside a ``terraform`` block."""
    if block_type == "required_providers":
        return (
            "a required_providers block must be nested inside a terraform block: "
            "Terraform refuses the file"
        )
    if block_type in _LABELS:
        return None
    near = difflib.get_close_matches(block_type, list(_LABELS), n=1)
    hint = f" (did you mean {quoted(near[0])}?)" if near else ""
    return (
        f"{quoted(block_type)} is not a block type Terraform reads at the top of a file"
        f"{hint}: Terraform refuses the file"
    )


def wrong_label_count(block_type: str, labels: tuple[str, ...]) -> tuple[int, str] | None:
    """Where a top-level ``block_type`` block with ``labels`` has one label too many (its
    index) or one too few (``len(labels)``: where the missing one would be), and why;
    None when Terraform takes that many (or does not know the block type)."""
    names = _LABELS.get(block_type)
    if names is None or len(labels) == len(names):
        return None
    said = f"{len(names)} label{'s' if len(names) != 1 else ''}"
    if names:
        said += f" ({', '.join(names)})"
    index = min(len(labels), len(names))
    article = "an" if block_type[0] in "aeiou" else "a"
    return index, (
        f"{article} {block_type} block takes {said}, not {len(labels)}: Terraform refuses "
        f"the {block_type} block"
    )
