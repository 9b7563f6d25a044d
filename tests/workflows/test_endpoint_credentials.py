"""An endpoint URL written with user information (``https://key:secret@minio…``) carries a
credential: the reasons keyless gives for keys meant for another store name the endpoint
without it."""

from __future__ import annotations

import pytest

from keyless.workflows.evidence import endpoint_evidence

ENDPOINT = "https://minioadmin:supersecret123@minio.internal.example:9000"


@pytest.mark.parametrize(
    ("variables", "texts"),
    [
        ([("AWS_ENDPOINT_URL", ENDPOINT)], []),
        ([("S3_ENDPOINT", ENDPOINT)], []),
        ([], [f"aws s3 cp f s3://b/ --endpoint-url {ENDPOINT}"]),
    ],
)
def test_an_endpoints_user_information_is_never_shown(
    variables: list[tuple[str, str]], texts: list[str]
) -> None:
    reasons = endpoint_evidence(variables, texts, [])
    assert reasons, "the endpoint is evidence of another store"
    shown = " ".join(reasons)
    assert "supersecret123" not in shown
    assert "minioadmin" not in shown
    assert "minio.internal.example" in shown
