data "aws_caller_identity" "current" {}

# OK: a service, written as a heredoc.
resource "aws_iam_role" "ec2" {
  name               = "ec2-instance"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Service": "ec2.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}
EOF
}

# NOT OK: another account, no external ID (an indented heredoc).
resource "aws_iam_role" "vendor" {
  name               = "vendor-audit"
  assume_role_policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": { "AWS": "arn:aws:iam::210987654321:root" },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  POLICY
}

# OK: this account's admin role only (the account ID interpolated).
resource "aws_iam_role" "break_glass" {
  name               = "break-glass"
  assume_role_policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": { "AWS": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/admin" },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  POLICY
}
