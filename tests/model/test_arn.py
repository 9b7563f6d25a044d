"""Account IDs are exactly twelve ASCII digits: the grammar every file keyless writes relies on."""

import pytest

from keyless.model.arn import account_of, is_account_id


def test_twelve_ascii_digits_are_an_account_id() -> None:
    assert is_account_id("123456789012")


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",  # eleven digits
        "1234567890123",  # thirteen
        "123456789012\n",  # a trailing newline ($ would accept it)
        "\u0661" * 12,  # Arabic-Indic digits (\d would accept them)
        "\uff11" * 12,  # full-width digits
        " 123456789012",
        "",
    ],
)
def test_anything_else_is_not(text: str) -> None:
    assert not is_account_id(text)


def test_account_of_reads_the_account_of_an_arn() -> None:
    assert account_of("arn:aws:iam::123456789012:role/x") == "123456789012"
