"""What every transaction reader does with a set's segments: locate errors and findings by file
position, read numbers (never guessed: one that is not an X12 R element of its size raises, see
`elements`) and dates (an invalid one is kept as sent, with a finding)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .elements import AMOUNT, Numeric, element, parse_date, read_number
from .envelope import Finding, TransactionSet
from .errors import X12ReadError

DateOrRaw = dt.date | str  # a CCYYMMDD date, or the text as sent when it is not one


class SetReader:
    def __init__(self, ts: TransactionSet) -> None:
        self.ts = ts
        self.component = ts.interchange.delimiters.component
        self.findings: list[Finding] = list(ts.findings)

    def at(self, i: int) -> int:
        """The file position of the set's i-th segment."""
        return self.ts.first_index + i

    def error(self, message: str, i: int, position: int | None = None) -> X12ReadError:
        return X12ReadError(
            message,
            segment_index=self.at(i),
            segment_id=self.ts.segments[i][0],
            element_position=position,
        )

    def finding(self, code: str, message: str, i: int, position: int | None = None) -> None:
        self.findings.append(Finding(code, message, self.at(i), self.ts.segments[i][0], position))

    def number(
        self, segment: list[str], position: int, i: int, kind: Numeric = AMOUNT
    ) -> Decimal | None:
        """Money, percents and quantities: None when empty; one that is not an X12 R element
        with at most `kind.max_digits` digits raises, as every figure built on it would be
        wrong."""
        text = element(segment, position)
        if not text:
            return None
        return read_number(
            text, kind, segment_id=segment[0], segment_index=self.at(i), position=position
        )

    def date(self, text: str, i: int, position: int) -> DateOrRaw:
        """CCYYMMDD; otherwise keep the raw text and record a finding."""
        parsed = parse_date(text)
        if parsed is not None:
            return parsed
        self.finding("invalid_date", f"{text!r} is not a CCYYMMDD date", i, position)
        return text
