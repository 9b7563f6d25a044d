"""The files of one output format, the generated README among them."""

from __future__ import annotations

import json

from keyless.generate.model import Generated, OutputFile, OutputFormat
from keyless.generate.readme import readme


def emit(generated: Generated, output_format: OutputFormat) -> tuple[OutputFile, ...]:
    """Every file of ``output_format`` for ``generated``, README.md first."""
    if output_format is OutputFormat.TERRAFORM:
        from keyless.generate.terraform import terraform_files

        files = terraform_files(generated)
    elif output_format is OutputFormat.CLOUDFORMATION:
        from keyless.generate.cloudformation import cloudformation_files

        files = cloudformation_files(generated)
    elif output_format is OutputFormat.AWS_CONFIG:
        from keyless.generate.aws_config import aws_config_text

        files = (OutputFile("config", aws_config_text(generated).encode()),)
    else:
        files = tuple(
            OutputFile(f"{p.name}.json", (json.dumps(p.document, indent=2) + "\n").encode())
            for p in generated.guardrails
        )
    names = [f.path for f in files]
    large: tuple[str, ...] = ()
    if output_format is OutputFormat.CLOUDFORMATION:
        from keyless.generate.cloudformation import TEMPLATE_INLINE_BYTES

        large = tuple(f.path for f in files if len(f.content) > TEMPLATE_INLINE_BYTES)
    text = readme(generated, output_format, names, large)
    return (OutputFile("README.md", text.encode()), *files)
