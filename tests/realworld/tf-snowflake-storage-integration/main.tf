resource "snowflake_storage_integration" "s3" {
  name                      = "S3_INTEGRATION"
  type                      = "EXTERNAL_STAGE"
  enabled                   = true
  storage_provider          = "S3"
  storage_aws_role_arn      = "arn:aws:iam::111122223333:role/snowflake-s3"
  storage_allowed_locations = ["s3://acme-data/"]
}

data "aws_iam_policy_document" "snowflake_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [snowflake_storage_integration.s3.storage_aws_iam_user_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [snowflake_storage_integration.s3.storage_aws_external_id]
    }
  }
}

resource "aws_iam_role" "snowflake" {
  name               = "snowflake-s3"
  assume_role_policy = data.aws_iam_policy_document.snowflake_assume.json
}
