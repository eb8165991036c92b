"""The sandbox payers' answers to inquiries: a 276 read and answered with a 277 from the
mailbox's records, a 270 read and answered with a 271 from the rosters and the deductibles met
so far."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.write.inquiry import Person, Provider
from chalicelib.x12.writer import (
    EnvelopeValues,
    X12Builder,
    format_date8,
    format_time,
)

from .mailbox import (
    _ZERO,
    DENIED,
    NO_PAYMENT,
    NOT_FOUND,
    PAID,
    PENDING,
    SandboxState,
)
from .payers import SANDBOX_PAYERS, SandboxPayer, member_known
from .write import ack277ca, status277


def _el(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


@dataclass(frozen=True, slots=True)
class _Envelope:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    created: datetime


def _one_set(data: bytes, set_id: str) -> tuple[TransactionSet, _Envelope]:
    sets = list(EnvelopeReader(data))
    if len(sets) != 1 or sets[0].transaction_set_id != set_id:
        found = sets[0].transaction_set_id if sets else "nothing"
        raise X12ReadError(
            f"expected one {set_id} transaction set, found {found}",
            segment_index=sets[0].first_index if sets else 1,
            segment_id="ST",
            element_position=1,
        )
    ts = sets[0]
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
    return ts, _Envelope(
        control=max(1, control % 1_000_000_000),
        sender_qualifier=interchange.sender_qualifier or "ZZ",
        sender_id=interchange.sender_id or "UNKNOWN",
        usage=interchange.usage_indicator,
        created=created,
    )


def _person(segment: list[str]) -> Person:
    return Person(
        last_name=_el(segment, 3),
        first_name=_el(segment, 4) or None,
        middle_name=_el(segment, 5) or None,
        suffix=_el(segment, 7) or None,
        member_id=_el(segment, 9) or None,
    )


def _d8(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _StatusInquiry:
    provider: Provider
    subscriber: Person
    dependent: Person | None
    trace_number: str
    patient_control_number: str
    service_from: date
    service_to: date


@dataclass(frozen=True, slots=True)
class _Inquiry276:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    reference_id: str
    payer_name: str
    payer_id: str
    receiver_name: str
    receiver_id: str
    claims: tuple[_StatusInquiry, ...]


def _read_276(data: bytes) -> _Inquiry276:
    """The 276 (X212) fields the answer needs: payer, receiver, and per claim the provider,
    subscriber / dependent, TRN02, REF*EJ and DTP*472."""
    ts, envelope = _one_set(data, "276")
    payer = receiver = None
    provider: Provider | None = None
    subscriber: Person | None = None
    dependent: Person | None = None
    level = ""
    claims: list[_StatusInquiry] = []
    open_claim: dict[str, str] = {}
    reference_id = ""

    def close() -> None:
        if not open_claim or provider is None or subscriber is None:
            return
        start, _, end = open_claim.get("dates", "").partition("-")
        first = _d8(start) or envelope.created.date()
        claims.append(
            _StatusInquiry(
                provider=provider,
                subscriber=subscriber,
                dependent=dependent if level == "23" else None,
                trace_number=open_claim["trace"],
                patient_control_number=open_claim.get("pcn") or open_claim["trace"],
                service_from=first,
                service_to=_d8(end) or first,
            )
        )
        open_claim.clear()

    for segment in ts.segments[1:-1]:
        tag = segment[0]
        if tag == "BHT":
            reference_id = _el(segment, 3)
        elif tag == "HL":
            close()
            level = _el(segment, 3)
            if level == "22":
                dependent = None
        elif tag == "NM1":
            code = _el(segment, 1)
            if code == "PR":
                payer = segment
            elif code == "41":
                receiver = segment
            elif code == "1P":
                first_name = _el(segment, 4) or None
                provider = Provider(_el(segment, 3), _el(segment, 9), first_name)
            elif code == "IL":
                subscriber = _person(segment)
            elif code in ("QC", "03"):
                dependent = _person(segment)
        elif tag == "TRN":
            close()
            open_claim["trace"] = _el(segment, 2)
        elif tag == "REF" and open_claim and _el(segment, 1) == "EJ":
            open_claim["pcn"] = _el(segment, 2)
        elif tag == "DTP" and open_claim and _el(segment, 1) == "472":
            open_claim["dates"] = _el(segment, 3)
    close()
    if payer is None or receiver is None or not claims:
        raise X12ReadError(
            "a 276 needs a payer (2100A), a receiver (2100B) and at least one claim",
            segment_index=ts.first_index,
            segment_id="ST",
        )
    return _Inquiry276(
        control=envelope.control,
        sender_qualifier=envelope.sender_qualifier,
        sender_id=envelope.sender_id,
        usage=envelope.usage,
        reference_id=reference_id or ts.control_number,
        payer_name=_el(payer, 3),
        payer_id=_el(payer, 9),
        receiver_name=_el(receiver, 3),
        receiver_id=_el(receiver, 9),
        claims=tuple(claims),
    )


def _status_result(
    state: SandboxState, inquiry: _StatusInquiry, today: date
) -> status277.ClaimStatusResult:
    """One claim's status (X212 2200D/E STC) from the record the sandbox keeps."""
    record = state.claim(inquiry.patient_control_number)
    base = status277.ClaimStatusResult(
        provider=inquiry.provider,
        subscriber=inquiry.subscriber,
        dependent=inquiry.dependent,
        trace_number=inquiry.trace_number,
        patient_control_number=inquiry.patient_control_number,
        statuses=(NOT_FOUND,),
        effective_date=today,
        service_date_from=inquiry.service_from,
        service_date_to=inquiry.service_to,
    )
    if record is None:
        return base
    found = dataclasses.replace(
        base,
        total_charge=record.charge,
        service_date_from=record.service_from,
        service_date_to=record.service_to,
        payer_claim_control_number=record.payer_claim_control_number,
    )
    if record.state == "rejected":
        category, reason, *entity = (record.rejection or "A3:21").split(":")
        code = ack277ca.StatusCode(category, reason, entity[0] if entity else None)
        return dataclasses.replace(found, statuses=(code,))
    if record.state != "finalized":
        return dataclasses.replace(found, statuses=(PENDING,))
    paid = record.paid or _ZERO
    if record.status_code == "4":
        status = DENIED
    elif paid > 0:
        status = PAID
    else:
        status = NO_PAYMENT
    return dataclasses.replace(
        found,
        statuses=(status,),
        effective_date=record.adjudicated or today,
        paid=paid,
        adjudication_date=record.adjudicated,
        payment_method=record.payment_method,
        check_date=record.payment_date,
        check_number=record.trace_number,
    )


@dataclass(frozen=True, slots=True)
class _EligibilityMember:
    subscriber: list[str]  # NM1*IL as sent
    dependent: list[str] | None  # NM1*03 as sent
    trace: list[str]  # TRN as sent
    subscriber_dmg: list[str] | None
    dependent_dmg: list[str] | None


@dataclass(frozen=True, slots=True)
class _Inquiry270:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    created: datetime
    reference_id: str
    payer: list[str]  # NM1*PR as sent
    provider: list[str]  # NM1*1P as sent
    members: tuple[_EligibilityMember, ...]


def _read_270(data: bytes) -> _Inquiry270:
    ts, envelope = _one_set(data, "270")
    payer: list[str] | None = None
    provider: list[str] | None = None
    reference_id = ""
    members: list[dict[str, list[str]]] = []
    level = ""
    for segment in ts.segments[1:-1]:
        tag = segment[0]
        if tag == "BHT":
            reference_id = _el(segment, 3)
        elif tag == "HL":
            level = _el(segment, 3)
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
        raise X12ReadError(
            "a 270 needs a payer (2100A), a provider (2100B) and at least one member",
            segment_index=ts.first_index,
            segment_id="ST",
        )
    return _Inquiry270(
        control=envelope.control,
        sender_qualifier=envelope.sender_qualifier,
        sender_id=envelope.sender_id,
        usage=envelope.usage,
        created=envelope.created,
        reference_id=reference_id or ts.control_number,
        payer=payer,
        provider=provider,
        members=tuple(
            _EligibilityMember(
                subscriber=m.get("subscriber", ["NM1", "IL", "1", "UNKNOWN"]),
                dependent=m.get("dependent"),
                trace=m.get("trace", ["TRN", "1", ts.control_number]),
                subscriber_dmg=m.get("subscriber_dmg"),
                dependent_dmg=m.get("dependent_dmg"),
            )
            for m in members
        ),
    )


_PLAN_NAMES = {"SBX01": "SANDBOX PPO GOLD", "SBXMCR": "MEDICARE PART B", "SBXMCD": "STATE MEDICAID"}


def _benefits(builder: X12Builder, payer: SandboxPayer, remaining: Decimal) -> None:
    """2110C/D EB: active coverage (1), copay (B), coinsurance (A), deductible (C) for the
    calendar year (EB06 23) and what remains of it (EB06 29)."""
    # EB04 insurance type: PR preferred provider organization, MB Medicare Part B, MC Medicaid.
    insurance = {"12": "PR", "MB": "MB", "MC": "MC"}.get(payer.remittance_filing_code, "")
    builder.add("EB", "1", "", "30", insurance, _PLAN_NAMES.get(payer.payer_id, payer.name))
    if payer.copay:
        # 98 professional (physician) visit - office; EB06 27 per visit.
        builder.add("EB", "B", "IND", "98", insurance, "", "27", str(payer.copay))
    if payer.coinsurance_rate:
        builder.add(
            "EB", "A", "IND", "30", insurance, "", "", "", format(payer.coinsurance_rate, "f")
        )
    if payer.annual_deductible:
        builder.add("EB", "C", "IND", "30", insurance, "", "23", str(payer.annual_deductible))
        builder.add("EB", "C", "IND", "30", insurance, "", "29", str(remaining))


def _render_271(
    state: SandboxState, inquiry: _Inquiry270, envelope: EnvelopeValues, when: datetime
) -> str:
    builder = X12Builder()
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("271", 1, "005010X279A1")
    # BHT02 11 response; BHT03 echoes the 270's BHT03.
    builder.add(
        "BHT",
        "0022",
        "11",
        inquiry.reference_id,
        format_date8(when.date()),
        format_time(when.time().replace(second=0, microsecond=0)),
    )
    payer_id = _el(inquiry.payer, 9)
    payer = SANDBOX_PAYERS.get(payer_id)
    builder.add("HL", "1", "", "20", "1")
    builder.add(
        "NM1",
        "PR",
        "2",
        payer.name if payer else _el(inquiry.payer, 3),
        *("", "", "", ""),
        _el(inquiry.payer, 8) or "PI",
        payer_id,
    )
    if payer is None:
        builder.add("AAA", "N", "", "79", "C")  # 2100A: invalid participant identification
        builder.add("HL", "2", "1", "21", "0")
        builder.add("NM1", *inquiry.provider[1:])
        builder.se()
        builder.ge()
        builder.iea()
        return builder.render()
    builder.add("HL", "2", "1", "21", "1")
    builder.add("NM1", *inquiry.provider[1:])
    hl = 2
    for member in inquiry.members:
        hl += 1
        subscriber_hl = hl
        known = member_known(_el(member.subscriber, 9))
        has_dependent = member.dependent is not None and known
        builder.add("HL", str(subscriber_hl), "2", "22", "1" if has_dependent else "0")
        if member.dependent is None or not known:
            builder.add("TRN", "2", *member.trace[2:4])  # 2000C: ours echoed as referenced
        builder.add("NM1", *member.subscriber[1:])
        if not known:
            builder.add("AAA", "Y", "", "75", "C")  # 2100C: subscriber/insured not found
            continue
        if member.subscriber_dmg is not None:
            builder.add("DMG", *member.subscriber_dmg[1:])
        remaining = state.deductible(payer, _el(member.subscriber, 9))
        year = when.date().replace(month=1, day=1)
        if member.dependent is None:
            builder.add("DTP", "346", "D8", format_date8(year))  # plan begin
            _benefits(builder, payer, remaining)
            continue
        hl += 1
        builder.add("HL", str(hl), str(subscriber_hl), "23", "0")
        builder.add("TRN", "2", *member.trace[2:4])
        builder.add("NM1", *member.dependent[1:])
        if member.dependent_dmg is not None:
            builder.add("DMG", *member.dependent_dmg[1:])
        builder.add("DTP", "346", "D8", format_date8(year))
        _benefits(builder, payer, remaining)
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()
