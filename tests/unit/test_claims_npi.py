from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.claims.npi import is_valid_npi, npi_check_digit

NINE_DIGITS = st.text(alphabet="0123456789", min_size=9, max_size=9)


@pytest.mark.parametrize(
    "npi",
    [
        "1234567893",  # the CMS worked example
        "1245319599",
        "1003000126",
    ],
)
def test_npi_valid_check_digit_accepted(npi: str) -> None:
    assert is_valid_npi(npi)


def test_npi_check_digit_of_cms_example() -> None:
    assert npi_check_digit("123456789") == "3"


@pytest.mark.parametrize(
    "npi",
    [
        "1234567890",  # wrong check digit
        "123456789",  # 9 digits
        "12345678933",  # 11 digits
        "123456789X",
        " 1234567893",
        "1234567893\n",
        "",
        "١٢٣٤٥٦٧٨٩٣",  # Arabic-Indic digits are digits to str.isdigit, not to X12
    ],
)
def test_npi_malformed_or_wrong_check_digit_rejected(npi: str) -> None:
    assert not is_valid_npi(npi)


@pytest.mark.parametrize("first_nine", ["12345678", "1234567890", "12345678a", ""])
def test_npi_check_digit_needs_nine_digits(first_nine: str) -> None:
    with pytest.raises(ValueError, match="9 ASCII digits"):
        npi_check_digit(first_nine)


@settings(max_examples=50, deadline=None)
@given(NINE_DIGITS)
def test_npi_exactly_one_check_digit_is_valid(first_nine: str) -> None:
    valid = [d for d in "0123456789" if is_valid_npi(first_nine + d)]
    assert valid == [npi_check_digit(first_nine)]


@settings(max_examples=50, deadline=None)
@given(NINE_DIGITS, st.integers(0, 8), st.integers(1, 9))
def test_npi_single_digit_typo_detected(first_nine: str, position: int, shift: int) -> None:
    npi = first_nine + npi_check_digit(first_nine)
    typo = npi[:position] + str((int(npi[position]) + shift) % 10) + npi[position + 1 :]
    assert not is_valid_npi(typo)
