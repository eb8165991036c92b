"""Reader for the 270 eligibility request (005010X279A1): the payer (2100A), the provider
(2100B) and, per member, the subscriber (2100C) or dependent (2100D) with DMG and TRN, kept
as sent: a 271 echoes them (X279A1 2100C/D)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..elements import element
from ..envelope import Finding, TransactionSet
from .base import SetReader
from .inquiry import inquiry_envelope, one_set


@dataclass(frozen=True, slots=True)
class EligibilityMember:
    subscriber: list[str]  # NM1*IL as sent
    dependent: list[str] | None  # NM1*03 as sent
    trace: list[str]  # TRN as sent
    subscriber_dmg: list[str] | None
    dependent_dmg: list[str] | None


@dataclass(frozen=True, slots=True)
class EligibilityInquiries:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    created: datetime
    reference_id: str
    payer: list[str]  # NM1*PR as sent
    provider: list[str]  # NM1*1P as sent
    members: tuple[EligibilityMember, ...]
    findings: tuple[Finding, ...] = ()  # the envelope's


def read_270(data: bytes) -> EligibilityInquiries:
    """The one 270 an inquiry interchange holds, read."""
    return parse_270(one_set(data, "270"))


def parse_270(ts: TransactionSet) -> EligibilityInquiries:
    reader, envelope = SetReader(ts), inquiry_envelope(ts)
    payer: list[str] | None = None
    provider: list[str] | None = None
    reference_id = ""
    members: list[dict[str, list[str]]] = []
    level = ""
    for segment in ts.segments[1:-1]:
        tag = segment[0]
        if tag == "BHT":
            reference_id = element(segment, 3)
        elif tag == "HL":
            level = element(segment, 3)
            if level == "22":
                members.append({})
        elif tag == "NM1" and level == "20":
            payer = segment
        elif tag == "NM1" and level == "21":
            provider = segment
        elif members and level in ("22", "23"):
            prefix = "subscriber" if level == "22" else "dependent"
            if tag == "NM1":
                members[-1][prefix] = segment
            elif tag == "DMG":
                members[-1][f"{prefix}_dmg"] = segment
            elif tag == "TRN":
                members[-1]["trace"] = segment
    if payer is None or provider is None or not members:
        raise reader.error(
            "a 270 needs a payer (2100A), a provider (2100B) and at least one member",
            0,
        )
    return EligibilityInquiries(
        control=envelope.control,
        sender_qualifier=envelope.sender_qualifier,
        sender_id=envelope.sender_id,
        usage=envelope.usage,
        created=envelope.created,
        reference_id=reference_id or ts.control_number,
        payer=payer,
        provider=provider,
        members=tuple(
            EligibilityMember(
                subscriber=m.get("subscriber", ["NM1", "IL", "1", "UNKNOWN"]),
                dependent=m.get("dependent"),
                trace=m.get("trace", ["TRN", "1", ts.control_number]),
                subscriber_dmg=m.get("subscriber_dmg"),
                dependent_dmg=m.get("dependent_dmg"),
            )
            for m in members
        ),
        findings=tuple(reader.findings),
    )
