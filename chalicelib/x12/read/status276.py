"""Reader for the 276 claim status request (005010X212): the payer (2100A), the information
receiver (2100B) and, per claim, the provider (2100C), the subscriber or dependent (2100D/E),
TRN02, REF*EJ (the patient control number) and DTP*472 (2200D/E). What a payer needs to
answer with a 277; the sandbox payers are its users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..elements import element, parse_date
from ..envelope import Finding, TransactionSet
from ..write.inquiry import Person, Provider
from .base import SetReader
from .inquiry import inquiry_envelope, one_set, person


@dataclass(frozen=True, slots=True)
class StatusInquiry:
    provider: Provider
    subscriber: Person
    dependent: Person | None
    trace_number: str
    patient_control_number: str
    service_from: date
    service_to: date


@dataclass(frozen=True, slots=True)
class ClaimStatusInquiries:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    reference_id: str
    payer_name: str
    payer_id: str
    receiver_name: str
    receiver_id: str
    claims: tuple[StatusInquiry, ...]
    findings: tuple[Finding, ...] = ()  # the envelope's


def read_276(data: bytes) -> ClaimStatusInquiries:
    """The one 276 an inquiry interchange holds, read."""
    return parse_276(one_set(data, "276"))


def parse_276(ts: TransactionSet) -> ClaimStatusInquiries:
    """The 276 (X212) fields the answer needs: payer, receiver, and per claim the provider,
    subscriber / dependent, TRN02, REF*EJ and DTP*472."""
    reader, envelope = SetReader(ts), inquiry_envelope(ts)
    payer = receiver = None
    provider: Provider | None = None
    subscriber: Person | None = None
    dependent: Person | None = None
    level = ""
    claims: list[StatusInquiry] = []
    open_claim: dict[str, str] = {}
    reference_id = ""

    def close() -> None:
        if not open_claim or provider is None or subscriber is None:
            return
        start, _, end = open_claim.get("dates", "").partition("-")
        first = parse_date(start) or envelope.created.date()
        claims.append(
            StatusInquiry(
                provider=provider,
                subscriber=subscriber,
                dependent=dependent if level == "23" else None,
                trace_number=open_claim["trace"],
                patient_control_number=open_claim.get("pcn") or open_claim["trace"],
                service_from=first,
                service_to=parse_date(end) or first,
            )
        )
        open_claim.clear()

    for segment in ts.segments[1:-1]:
        tag = segment[0]
        if tag == "BHT":
            reference_id = element(segment, 3)
        elif tag == "HL":
            close()
            level = element(segment, 3)
            if level == "22":
                dependent = None
        elif tag == "NM1":
            code = element(segment, 1)
            if code == "PR":
                payer = segment
            elif code == "41":
                receiver = segment
            elif code == "1P":
                first_name = element(segment, 4) or None
                provider = Provider(element(segment, 3), element(segment, 9), first_name)
            elif code == "IL":
                subscriber = person(segment)
            elif code in ("QC", "03"):
                dependent = person(segment)
        elif tag == "TRN":
            close()
            open_claim["trace"] = element(segment, 2)
        elif tag == "REF" and open_claim and element(segment, 1) == "EJ":
            open_claim["pcn"] = element(segment, 2)
        elif tag == "DTP" and open_claim and element(segment, 1) == "472":
            open_claim["dates"] = element(segment, 3)
    close()
    if payer is None or receiver is None or not claims:
        raise reader.error(
            "a 276 needs a payer (2100A), a receiver (2100B) and at least one claim",
            0,
        )
    return ClaimStatusInquiries(
        control=envelope.control,
        sender_qualifier=envelope.sender_qualifier,
        sender_id=envelope.sender_id,
        usage=envelope.usage,
        reference_id=reference_id or ts.control_number,
        payer_name=element(payer, 3),
        payer_id=element(payer, 9),
        receiver_name=element(receiver, 3),
        receiver_id=element(receiver, 9),
        claims=tuple(claims),
        findings=tuple(reader.findings),
    )
