# NOT OK: a person with a console password.
resource "aws_iam_user" "alice" {
  name = "alice"
  path = "/people/"
}

resource "aws_iam_user_login_profile" "alice" {
  user = aws_iam_user.alice.name
}

# NOT OK: a CI user with a long-lived key.
resource "aws_iam_user" "ci" {
  name = "ci-deployer"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
