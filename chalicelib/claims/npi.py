"""The NPI check digit (CMS, "Requirements for the NPI check digit"): Luhn over the 9-digit
identifier prefixed with 80840, the ISO card-issuer prefix under which NPIs are issued. A
typo in an NPI is the most common reason a clearinghouse rejects a claim outright, and the
check digit catches nearly all of them before the claim leaves us.
"""

from __future__ import annotations

import re

_PREFIX = "80840"
_NPI = re.compile(r"[0-9]{10}")
_FIRST_NINE = re.compile(r"[0-9]{9}")


def npi_check_digit(first_nine: str) -> str:
    """The 10th digit that makes `first_nine` a valid NPI (for fixtures and tests)."""
    if not _FIRST_NINE.fullmatch(first_nine):
        raise ValueError("an NPI check digit needs exactly 9 ASCII digits")
    total = 0
    # Luhn doubles every second digit counting leftwards from the digit next to the check digit.
    for position, char in enumerate(reversed(_PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_npi(npi: str) -> bool:
    """True when `npi` is 10 ASCII digits whose last digit is the check digit of the first 9."""
    return bool(_NPI.fullmatch(npi)) and npi_check_digit(npi[:9]) == npi[9]
