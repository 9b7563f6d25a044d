variable "name" {
  type = string
}

variable "repositories" {
  type    = list(string)
  default = []
}
