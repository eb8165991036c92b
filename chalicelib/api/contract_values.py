"""The scalar values of the claim contract: X12 dates (CCYYMMDD, ISO accepted), amounts and
quantities in ASCII digits, bounded text. Shared by the request schema and its rendering."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, PlainValidator
from pydantic_core import PydanticCustomError

from chalicelib.claims.claim_v3 import ccyymmdd

# Every date of the contract is on or after this day: an earlier one is a typo (0001, 0999
# for 1999), and X12 writes four-digit years.
EARLIEST_DATE = date(1900, 1, 1)
_CCYYMMDD = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# R (decimal) as X12 writes it: ASCII digits, an optional minus sign and decimal point, no
# exponent (Decimal() would take "２４５", "1_000" and "1e3"). X12 allows 18 digits (R 1/18);
# Money keeps 12 and 2 decimals, Quantity 10 and 3, so whatever passes fits an 837P.
_DECIMAL_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_LONGEST_DECIMAL_TEXT = 40


def _parse_date(value: object, *, what: str) -> date:
    """X12 dates are CCYYMMDD; ISO dates (YYYY-MM-DD) are accepted too and mean the same
    day. ASCII digits only, a real calendar day, not before EARLIEST_DATE."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        match = _CCYYMMDD.fullmatch(text) or _ISO_DATE.fullmatch(text)
        if match is None:
            raise PydanticCustomError(
                "invalid_date", "a date is CCYYMMDD (or YYYY-MM-DD) with a four-digit year"
            )
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise PydanticCustomError("invalid_date", "not a real calendar date") from None
    if day < EARLIEST_DATE:
        raise PydanticCustomError(
            "date_too_early", f"{what} must be on or after {EARLIEST_DATE.isoformat()}"
        )
    return day


def _any_date(value: object) -> date:
    return _parse_date(value, what="a date")


def _birth_date(value: object) -> date:
    return _parse_date(value, what="a birth date")


def _ascii_decimal(value: object) -> object:
    """Text amounts in ASCII digits (JSON numbers pass through to the Decimal checks)."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _LONGEST_DECIMAL_TEXT:
            raise PydanticCustomError("decimal_max_digits", "the number has too many digits")
        if not _DECIMAL_TEXT.fullmatch(text):
            raise PydanticCustomError(
                "invalid_amount",
                "write numbers with digits 0-9, an optional minus sign and a decimal point",
            )
        return text
    if isinstance(value, bool):
        raise PydanticCustomError("invalid_amount", "an amount is a number, not true or false")
    # A JSON number too long for int() arrives as a Decimal (chalicelib.api.http), which
    # pydantic would call infinite.
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > _LONGEST_DECIMAL_TEXT:
        raise PydanticCustomError("decimal_max_digits", "the number has too many digits")
    return value


_DateSchema = Field(json_schema_extra={"pattern": "^[0-9]{8}$", "format": "CCYYMMDD"})
X12Date = Annotated[
    date,
    PlainValidator(_any_date, json_schema_input_type=str),
    PlainSerializer(ccyymmdd, return_type=str, when_used="json"),
    _DateSchema,
]
BirthDate = Annotated[
    date,
    PlainValidator(_birth_date, json_schema_input_type=str),
    PlainSerializer(ccyymmdd, return_type=str, when_used="json"),
    _DateSchema,
]
Money = Annotated[
    Decimal,
    BeforeValidator(_ascii_decimal),
    Field(max_digits=12, decimal_places=2, allow_inf_nan=False),
]
Quantity = Annotated[
    Decimal,
    BeforeValidator(_ascii_decimal),
    Field(max_digits=10, decimal_places=3, allow_inf_nan=False),
]
Text = Annotated[str, Field(min_length=1, max_length=80)]
OptionalText = Annotated[str | None, Field(default=None, max_length=80)]
