# Shaped after terraform-aws-modules/terraform-aws-iam (modules/iam-role-for-service-
# accounts-eks/variables.tf), Apache-2.0: the inputs that decide the trust policy.
variable "create_role" {
  type    = bool
  default = true
}

variable "role_name" {
  type    = string
  default = null
}

variable "oidc_providers" {
  type    = any
  default = {}
}

variable "assume_role_condition_test" {
  type    = string
  default = "StringEquals"
}
