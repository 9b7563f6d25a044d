resource "aws_rolesanywhere_trust_anchor" "this" {
  name    = "on-prem"
  enabled = true
  source {
    source_data {
      x509_certificate_data = file("${path.module}/ca.pem")
    }
    source_type = "CERTIFICATE_BUNDLE"
  }
}

data "aws_iam_policy_document" "intermediate_assume_role" {
  statement {
    actions = [
      "sts:AssumeRole",
      "sts:TagSession",
      "sts:SetSourceIdentity",
    ]

    principals {
      type        = "Service"
      identifiers = ["rolesanywhere.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = concat(var.trust_anchor_arns, aws_rolesanywhere_trust_anchor.this[*].arn)
    }
  }
}

resource "aws_iam_role" "intermediate" {
  name               = "workload-inter"
  assume_role_policy = data.aws_iam_policy_document.intermediate_assume_role.json
}

variable "trust_anchor_arns" {
  type    = list(string)
  default = []
}
