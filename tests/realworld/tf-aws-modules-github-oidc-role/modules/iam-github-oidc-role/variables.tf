# Shaped after terraform-aws-modules/terraform-aws-iam (modules/iam-github-oidc-role/
# variables.tf), Apache-2.0: the inputs that decide the trust policy, with their defaults.
variable "create" {
  type    = bool
  default = true
}

variable "name" {
  type    = string
  default = null
}

variable "audience" {
  type    = string
  default = "sts.amazonaws.com"
}

variable "subjects" {
  type    = list(string)
  default = []
}

variable "provider_url" {
  type    = string
  default = "token.actions.githubusercontent.com"
}
