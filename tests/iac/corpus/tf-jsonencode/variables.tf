variable "github_org" {
  description = "The GitHub organisation whose workflows deploy."
  type        = string
  default     = "octo-org"
}

variable "deploy_repository" {
  description = "The one repository allowed to deploy."
  type        = string
  default     = "octo-org/deploy"
}
