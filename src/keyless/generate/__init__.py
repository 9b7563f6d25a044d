"""``keyless generate``: a plan's replacement as code a team reviews and applies.

Public API::

    from keyless.generate.build import GenerateOptions, generate
    result = generate(document, GenerateOptions(format=OutputFormat.TERRAFORM))
    write_output(result, Path("tf"), force=False)   # keyless.generate.output

One module per concern: :mod:`.identity_center`, :mod:`.oidc`, :mod:`.roles_anywhere`,
:mod:`.workload`, :mod:`.own_access`, :mod:`.guardrails` build format-neutral
resources (:mod:`.model`); :mod:`.terraform`, :mod:`.cloudformation` and
:mod:`.aws_config` emit them; :mod:`.prove` runs every trust policy through keyless's
own analysis before anything is written. This package re-exports nothing.
"""
