variable "conditions" {
  type = list(object({
    test     = string
    variable = string
    values   = list(string)
  }))
  default = []
}

variable "default_conditions" {
  type    = list(string)
  default = ["allow_main", "deny_pull_request"]
}

variable "issuer" {
  type    = string
  default = "token.actions.githubusercontent.com"
}

variable "provider_arn" {
  type = string
}

variable "repo" {
  type    = string
  default = null
}

variable "branch" {
  type    = string
  default = "main"
}

variable "role_name" {
  type    = string
  default = null
}
