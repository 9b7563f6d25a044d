# Service principals spelled by the AWS provider's data source, as provider acceptance
# tests and linters write them.
data "aws_service_principal" "ec2" {
  service_name = "ec2"
}

data "aws_service_principal" "sns" {
  service_name = "sns"
}

resource "aws_iam_role" "instance" {
  name = "instance"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = data.aws_service_principal.ec2.name }
    }]
  })
}

resource "aws_iam_role" "sns_feedback" {
  name = "sns-feedback"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sts:AssumeRole",
          "Principal": { "Service": "${data.aws_service_principal.sns.name}" }
        }
      ]
    }
  EOT
}
