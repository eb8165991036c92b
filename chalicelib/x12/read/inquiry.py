"""What the 276 and 270 readers share: the one transaction set an inquiry interchange holds,
its envelope (who asked, when, under which control number), and the NM1 of a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..elements import element
from ..envelope import EnvelopeReader, TransactionSet
from ..errors import X12ReadError
from ..write.inquiry import Person


@dataclass(frozen=True, slots=True)
class InquiryEnvelope:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    created: datetime


def one_set(data: bytes, set_id: str) -> TransactionSet:
    """The one `set_id` set an inquiry interchange holds; anything else is an X12ReadError
    at the ST."""
    sets = list(EnvelopeReader(data))
    if len(sets) != 1 or sets[0].transaction_set_id != set_id:
        found = sets[0].transaction_set_id if sets else "nothing"
        raise X12ReadError(
            f"expected one {set_id} transaction set, found {found}",
            segment_index=sets[0].first_index if sets else 1,
            segment_id="ST",
            element_position=1,
        )
    return sets[0]


def inquiry_envelope(ts: TransactionSet) -> InquiryEnvelope:
    """Who sent the inquiry, when, under which control number (what the answer echoes)."""
    interchange = ts.interchange
    control = (
        int(interchange.control_number)
        if interchange.control_number.isascii() and interchange.control_number.isdigit()
        else 1
    )
    day = interchange.date
    clock = interchange.time if len(interchange.time) == 4 else "0000"
    try:
        created = datetime.strptime(f"{day}{clock}", "%y%m%d%H%M")
    except ValueError:
        created = datetime(2000, 1, 1)
    return InquiryEnvelope(
        control=max(1, control % 1_000_000_000),
        sender_qualifier=interchange.sender_qualifier or "ZZ",
        sender_id=interchange.sender_id or "UNKNOWN",
        usage=interchange.usage_indicator,
        created=created,
    )


def person(segment: list[str]) -> Person:
    return Person(
        last_name=element(segment, 3),
        first_name=element(segment, 4) or None,
        middle_name=element(segment, 5) or None,
        suffix=element(segment, 7) or None,
        member_id=element(segment, 9) or None,
    )
