"""An 835 cut into parts that are posted apart, so that no invocation holds more than one part
of a large remittance.

A part is a transaction set of its own: the set's header (ST to the end of Loop 1000B: BPR,
TRN, DTM*405, payer and payee), the Loop 2000 header (LX, TS3, TS2) its first claim sits
under, whole claims (Loop 2100 with its 2110 lines: a claim is never split) and an SE that
counts the part. PLB (Table 3, provider-level adjustments) belongs to the whole payment: no
part carries it; the whole remittance is balanced once, before it is cut.

A part keeps the file's segment positions: its `first_index` is chosen so that each of its
claims sits where it sits in the file, so an unmatched payment's key, a finding or an error
names the same segment whether the 835 was posted whole or in parts. A PLB between claims
(a defect the reader accepts) ends a part, so positions stay exact after it too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.x12.envelope import TransactionSet

from .remit835 import parse_835
from .remit835_model import Remittance

__all__ = ["RemittancePart", "read_part", "split_835"]

_LOOP_2000 = frozenset({"LX", "TS3", "TS2"})


@dataclass(frozen=True, slots=True)
class RemittancePart:
    """Part `number` (from 0) of one 835 set: its ST..SE text and where its ST would sit."""

    number: int
    first_index: int
    text: str
    claims: int


def split_835(ts: TransactionSet, *, max_claims: int, max_chars: int) -> list[RemittancePart]:
    """The set's claims in parts of at most `max_claims` claims and about `max_chars`
    characters (a part holds at least one claim, however long). Always one part at least: a
    set without claims gives its header alone."""
    if max_claims < 1:
        raise ValueError("a part holds at least one claim")
    delimiters = ts.delimiters
    terminator, separator = delimiters.segment, delimiters.element
    segments = ts.text.split(terminator)[:-1]
    ids = [segment.split(separator, 1)[0] for segment in segments]
    last = len(segments) - 1  # SE
    detail = next(
        (i for i in range(1, last) if ids[i] in ("LX", "CLP", "PLB")),
        last,
    )
    header = segments[:detail]
    parts: list[RemittancePart] = []

    def close(start: int, end: int, prefix: list[int], claims: int) -> None:
        body = header + [segments[i] for i in prefix] + segments[start:end]
        se = f"SE{separator}{len(body) + 1}{separator}{ts.control_number}"
        parts.append(
            RemittancePart(
                number=len(parts),
                first_index=ts.first_index + start - len(header) - len(prefix),
                text=terminator.join((*body, se)) + terminator,
                claims=claims,
            )
        )

    group: list[int] = []  # the Loop 2000 header the next claim sits under
    in_group_header = False
    start, claims, chars = detail, 0, 0
    prefix: list[int] = []
    for i in range(detail, last):
        segment_id = ids[i]
        if segment_id == "PLB":  # the payment's, not a claim's: ends the part, left out
            if claims:
                close(start, i, prefix, claims)
            start, claims, chars, prefix = i + 1, 0, 0, list(group)
            continue
        opens = segment_id in ("CLP", "LX")
        if opens and claims and (claims >= max_claims or chars >= max_chars):
            close(start, i, prefix, claims)
            start, claims, chars = i, 0, 0
            prefix = list(group) if segment_id == "CLP" else []
        if segment_id == "LX":
            group, in_group_header = [i], True
            if start == i:
                prefix = []
        elif segment_id == "CLP":
            in_group_header = False
            claims += 1
        elif in_group_header and segment_id in _LOOP_2000:
            group.append(i)
        chars += len(segments[i]) + 1
    if claims or not parts:
        close(start, last, prefix if claims else [], claims)
    return parts


def read_part(ts: TransactionSet, part: RemittancePart) -> Remittance:
    """The part read as the 835 it is: `ts` gives the envelope (interchange, group, ST02)."""
    return parse_835(replace(ts, text=part.text, first_index=part.first_index, findings=[]))
