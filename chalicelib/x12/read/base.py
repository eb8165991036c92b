"""The one framework every transaction reader builds on (837P, 835, 999, 277, 271, 276, 270).

A reader reads one transaction set: it starts with the envelope's findings for that set,
locates every error and finding by file position (the set's i-th segment is `at(i)`; code
that walks the set's text rather than its segment list passes file positions directly to
`error_at` / `note`), reads numbers (never guessed: one that is not an X12 R element of its
size raises, see `elements`) and dates (an invalid one is kept as sent, with a finding).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..elements import AMOUNT, Numeric, element, parse_date, read_number
from ..envelope import Finding, TransactionSet
from ..errors import X12ReadError

DateOrRaw = dt.date | str  # a CCYYMMDD date, or the text as sent when it is not one


class SetReader:
    def __init__(self, ts: TransactionSet) -> None:
        self.ts = ts
        self.base = ts.first_index
        self.delimiters = ts.interchange.delimiters
        self.component = self.delimiters.component
        self.findings: list[Finding] = list(ts.findings)

    # -- locating: by the set's own segment number ----------------------------------------

    def at(self, i: int) -> int:
        """The file position of the set's i-th segment."""
        return self.base + i

    def error(self, message: str, i: int, position: int | None = None) -> X12ReadError:
        return self.error_at(message, self.at(i), self.ts.segments[i][0], position)

    def finding(self, code: str, message: str, i: int, position: int | None = None) -> None:
        self.note(code, message, self.at(i), self.ts.segments[i][0], position)

    # -- locating: by file position ---------------------------------------------------------

    def error_at(
        self, message: str, index: int, segment_id: str, position: int | None = None
    ) -> X12ReadError:
        return X12ReadError(
            message, segment_index=index, segment_id=segment_id, element_position=position
        )

    def note(
        self, code: str, message: str, index: int, segment_id: str, position: int | None = None
    ) -> None:
        """Record a finding; a reader that keeps findings per loop (the 837P's claims)
        overrides where they go."""
        self.findings.append(Finding(code, message, index, segment_id, position))

    # -- elements ----------------------------------------------------------------------------

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
