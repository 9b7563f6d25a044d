"""Infrastructure code: Terraform, Terraform plans, CloudFormation and CDK output, read
into one model of IAM resources with their positions and judged before they are deployed.

* :func:`keyless.iac.scan.scan` - ``keyless iac`` as a library call
* :func:`keyless.iac.read.read_paths` - the readers, without judging
* :mod:`keyless.iac.registry` - the infrastructure-code checks, in order
"""
