"""China's spelling of a service principal is the same service.

In the aws-cn partition a few services' principals end in ``amazonaws.com.cn``: EMR
(``elasticmapreduce``), CodeDeploy and CloudWatch Logs, as the AWS CDK's region facts and
the Terraform AWS provider's ``data.aws_service_principal`` write them
(https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/region-info/lib/default.ts,
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/service_principal:
"``logs.amazonaws.com.cn`` in AWS China"). EMR's role is not a confused deputy in the aws
partition (it runs the account's own clusters); it was one in China.

The fix belongs to the lead's area (``checks/trust/principals.py``: the service is looked
up in ``NO_SOURCE_CONDITION_SERVICES`` as written); the test says what is expected.
"""

from __future__ import annotations

import pytest

from keyless.engine import assess_trust
from keyless.model import Role


def _findings(service: str, partition: str) -> list[str]:
    role = Role(
        account_id="123456789012",
        name="EMR_DefaultRole",
        arn=f"arn:{partition}:iam::123456789012:role/EMR_DefaultRole",
        trust_policy={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        },
    )
    return [f.check for f in assess_trust(role).findings]


def test_emr_s_role_is_no_confused_deputy_in_the_aws_partition() -> None:
    assert _findings("elasticmapreduce.amazonaws.com", "aws") == []


@pytest.mark.xfail(
    strict=True,
    reason="lead's area: checks/trust/principals.py looks up elasticmapreduce.amazonaws.com.cn "
    "in NO_SOURCE_CONDITION_SERVICES as written (China's suffix not removed)",
)
def test_emr_s_role_is_no_confused_deputy_in_china() -> None:
    assert _findings("elasticmapreduce.amazonaws.com.cn", "aws-cn") == []
