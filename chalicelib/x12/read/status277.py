"""277 claim status readers: 277CA claim acknowledgment (005010X214) and 277 claim status
response (005010X212), which share one shape.

Both walk an HL hierarchy: 20 information source (payer, loop 2000A), 21 information receiver
(2000B), 19 billing / service provider (2000C), then the claim's level: 22 subscriber (2000D) and
23 dependent (2000E) in the 277, PT patient (2000D) in the 277CA. Under any of 21, 19 and the
claim level, a TRN opens a status loop (2200B/C/D/E) holding STC segments; at claim level it
also holds REF / DTP and service lines (SVC, loop 2220D/E).

Names and member ids in NM1*IL / NM1*QC are PHI: they sit in `PersonIdentity`, whose repr
hides them, so logging a parsed report cannot leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..elements import QUANTITY, element, optional
from ..envelope import Finding, TransactionSet
from .base import DateOrRaw, SetReader

Kind = Literal["277CA", "277"]
"""A date as parsed; the raw text only when it does not parse (and a Finding says so)."""
_EARLIEST_YEAR = 1800
"""Earlier years are placeholders such as 10010101, not dates (pyx12 draws the same line)."""

_KINDS: dict[str, Kind] = {"005010X214": "277CA", "005010X212": "277"}
_CLAIM_LEVELS = {"22": "subscriber", "23": "dependent", "PT": "patient"}


@dataclass(frozen=True, slots=True)
class StatusCode:
    """C043 health care claim status (STC01, STC10, STC11)."""

    category: str  # C043-01 claim status category code: A1, A7, P3, F2, E0 ... (code 507)
    status: str | None  # C043-02 claim status code (code 508), e.g. "20" accepted for processing
    entity: str | None  # C043-03 entity identifier code the status is about, e.g. "85", "QC"
    code_list_qualifier: str | None  # C043-04, e.g. "RX" when C043-02 is an NCPDP code


@dataclass(frozen=True, slots=True)
class Status:
    """One STC segment (2200B/C/D/E claim-level or 2220D/E line-level status)."""

    codes: tuple[StatusCode, ...]  # STC01, then STC10 and STC11 when present
    effective_date: DateOrRaw | None  # STC02 status information effective date
    action_code: str | None  # STC03: WQ accept, U reject (277CA); unused in X212
    total_charge: Decimal | None  # STC04 total claim charge (or line charge)
    payment_amount: Decimal | None  # STC05 claim payment amount
    adjudication_date: DateOrRaw | None  # STC06 adjudication or payment date
    check_issue_date: DateOrRaw | None  # STC08
    check_number: str | None  # STC09
    message: str | None  # STC12 free-form message
    segment_index: int  # file position of the STC

    @property
    def category(self) -> str:
        """STC01-1, the code the claim lifecycle maps (A1-A8, P0-P5, F0-F4, R*, E0-E4 ...)."""
        return self.codes[0].category


@dataclass(frozen=True, slots=True)
class Party:
    """NM1 for an organisation or provider: entity code, name and identifier."""

    entity_code: str  # NM101: PR payer, 41 submitter, 1P / 85 provider ...
    name: str  # NM103
    first_name: str | None  # NM104 (person providers)
    id_qualifier: str | None  # NM108: PI payer id, 46 ETIN, XX NPI, FI tax id
    identifier: str | None  # NM109


@dataclass(frozen=True, slots=True)
class PersonIdentity:
    """PHI: a patient's or subscriber's name and member id (NM1*IL / NM1*QC). Kept for the
    claim matcher; never log it. The repr hides every field but the entity code."""

    entity_code: str  # NM101: IL subscriber, QC patient
    last_name: str = field(repr=False)  # NM103
    first_name: str | None = field(repr=False)  # NM104
    middle_name: str | None = field(repr=False)  # NM105
    id_qualifier: str | None = field(repr=False)  # NM108: MI member id
    member_id: str | None = field(repr=False)  # NM109


@dataclass(frozen=True, slots=True)
class ServiceDates:
    """DTP*472 (277, 277CA) or DTM*472 service date: D8 one day or RD8 a range."""

    start: DateOrRaw
    end: DateOrRaw


@dataclass(frozen=True, slots=True)
class ServiceLineStatus:
    """Loop 2220D/E: one service line with its own STC."""

    procedure: tuple[str, ...]  # SVC01 composite: qualifier (HC, N4, NU ...), code, modifiers
    charge: Decimal | None  # SVC02 line item charge amount
    payment: Decimal | None  # SVC03 line item provider payment amount
    revenue_code: str | None  # SVC04
    units: Decimal | None  # SVC07 original units of service count
    statuses: tuple[Status, ...]
    line_item_control_number: str | None  # REF*FJ, our REF*6R echoed
    service_dates: ServiceDates | None
    segment_index: int


@dataclass(frozen=True, slots=True)
class LevelStatus:
    """STCs above claim level: loop 2200B (information receiver: whole-batch status, e.g. the
    E0:0 receiver-level rejection) or 2200C (billing/service provider)."""

    level: Literal["information_receiver", "provider"]
    hl_id: str
    party: Party | None
    trace_number: str | None  # TRN02
    statuses: tuple[Status, ...]
    accepted_quantity: Decimal | None  # QTY*90 (2200B) / QTY*QA (2200C), 277CA
    rejected_quantity: Decimal | None  # QTY*AA (2200B) / QTY*QC (2200C), 277CA
    accepted_amount: Decimal | None  # AMT*YU, 277CA
    rejected_amount: Decimal | None  # AMT*YY, 277CA


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """Claim status tracking, loop 2200D (2200E for a dependent in the 277)."""

    level: Literal["subscriber", "dependent", "patient"]  # HL03 22 / 23 / PT
    hl_id: str
    payer: Party | None  # 2100A
    information_receiver: Party | None  # 2100B
    provider: Party | None  # 2100C
    subscriber: PersonIdentity | None  # 2100D NM1*IL (277); None in the 277CA
    patient: PersonIdentity | None  # NM1*QC for 23 / PT; the subscriber when 22
    trace_number: str | None  # TRN02
    patient_control_number: str | None  # our CLM01: TRN02 in 277CA, REF*EJ in 277 (X212)
    payer_claim_control_number: str | None  # REF*1K
    clearinghouse_trace_number: str | None  # REF*D9
    bill_type: str | None  # REF*BLT (institutional)
    statuses: tuple[Status, ...]
    service_dates: ServiceDates | None
    lines: tuple[ServiceLineStatus, ...]
    segment_index: int  # file position of the TRN that opens the loop


@dataclass(frozen=True, slots=True)
class InformationSource:
    """Loop 2000A/2100A/2200A: the payer or clearinghouse sending the report."""

    hl_id: str
    party: Party | None
    trace_number: str | None  # 2200A TRN02 (277CA transmission receipt control id)
    received_date: DateOrRaw | None  # 2200A DTP*050 (277CA)
    process_date: DateOrRaw | None  # 2200A DTP*009 (277CA)


@dataclass(frozen=True, slots=True)
class ClaimStatusReport:
    kind: Kind
    control_number: str  # ST02
    implementation_reference: str | None  # ST03
    reference_id: str | None  # BHT03
    created: DateOrRaw | None  # BHT04
    sources: tuple[InformationSource, ...]
    receivers: tuple[LevelStatus, ...]
    providers: tuple[LevelStatus, ...]
    claims: tuple[ClaimStatus, ...]
    findings: tuple[Finding, ...]


# -- mutable builders: the HL walk fills these, then freezes them ----------------------------


@dataclass(slots=True)
class _Line:
    segment: list[str]
    index: int
    statuses: list[Status] = field(default_factory=list)
    control_number: str | None = None
    dates: ServiceDates | None = None


@dataclass(slots=True)
class _Loop:
    """One 2200 loop at any level, opened by TRN (or by an STC without TRN)."""

    index: int
    trace_number: str | None
    statuses: list[Status] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    quantities: dict[str, Decimal] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    dates: dict[str, DateOrRaw] = field(default_factory=dict)
    service_dates: ServiceDates | None = None
    lines: list[_Line] = field(default_factory=list)


@dataclass(slots=True)
class _Level:
    hl_id: str
    parent_id: str
    code: str
    index: int
    party: Party | None = None
    person: PersonIdentity | None = None
    loops: list[_Loop] = field(default_factory=list)


class _Reader(SetReader):
    def optional_date(self, segment: list[str], position: int, i: int) -> DateOrRaw | None:
        text = element(segment, position)
        return self.date(text, i, position) if text else None

    def period(self, segment: list[str], i: int) -> ServiceDates:
        """DTP*472 (DTP02 D8 or RD8, DTP03) or DTM*472 (DTM02 date, 5010 277 X212 2220)."""
        if segment[0] == "DTM":
            day = self.date(element(segment, 2), i, 2)
            return ServiceDates(day, day)
        qualifier, text = element(segment, 2), element(segment, 3)
        if qualifier == "RD8":
            start, _, end = text.partition("-")
            if not end:
                self.finding("invalid_date", f"RD8 {text!r} is not a range", i, 3)
                return ServiceDates(text, text)
            return ServiceDates(self.date(start, i, 3), self.date(end, i, 3))
        if qualifier != "D8":
            self.finding("invalid_date", f"DTP02 {qualifier!r} is neither D8 nor RD8", i, 2)
        day = self.date(text, i, 3)
        return ServiceDates(day, day)

    def status_code(self, text: str, i: int, position: int) -> StatusCode:
        parts = text.split(self.component)
        parts += [""] * (4 - len(parts))
        if not parts[0]:
            raise self.error("claim status category code (C043-01) is missing", i, position)
        return StatusCode(parts[0], parts[1] or None, parts[2] or None, parts[3] or None)

    def status(self, segment: list[str], i: int) -> Status:
        """STC: STC01 is required; STC10 and STC11 carry further status codes."""
        if not element(segment, 1):
            raise self.error("STC01 claim status is missing", i, 1)
        codes = [self.status_code(segment[1], i, 1)]
        codes += [
            self.status_code(element(segment, p), i, p) for p in (10, 11) if element(segment, p)
        ]
        return Status(
            codes=tuple(codes),
            effective_date=self.optional_date(segment, 2, i),
            action_code=optional(segment, 3),
            total_charge=self.number(segment, 4, i),
            payment_amount=self.number(segment, 5, i),
            adjudication_date=self.optional_date(segment, 6, i),
            check_issue_date=self.optional_date(segment, 8, i),
            check_number=optional(segment, 9),
            message=optional(segment, 12),
            segment_index=self.at(i),
        )


def _party(segment: list[str]) -> Party:
    return Party(
        entity_code=element(segment, 1),
        name=element(segment, 3),
        first_name=optional(segment, 4),
        id_qualifier=optional(segment, 8),
        identifier=optional(segment, 9),
    )


def _person(segment: list[str]) -> PersonIdentity:
    return PersonIdentity(
        entity_code=element(segment, 1),
        last_name=element(segment, 3),
        first_name=optional(segment, 4),
        middle_name=optional(segment, 5),
        id_qualifier=optional(segment, 8),
        member_id=optional(segment, 9),
    )


def _kind(ts: TransactionSet, reader: _Reader) -> Kind:
    """ST03 (or GS08) names the guide; X212/X214 without errata suffixes still count."""
    for reference in (ts.implementation_reference, ts.group.version):
        for prefix, kind in _KINDS.items():
            if reference and reference.startswith(prefix):
                return kind
    raise reader.error(
        f"ST03 {ts.implementation_reference!r} is neither 005010X212 (277) nor X214 (277CA)",
        0,
        3,
    )


def parse_277(ts: TransactionSet) -> ClaimStatusReport:
    """Read one 277 or 277CA transaction set into claim statuses."""
    reader = _Reader(ts)
    if ts.transaction_set_id != "277":
        raise reader.error(f"ST01 is {ts.transaction_set_id!r}, not 277", 0, 1)
    kind = _kind(ts, reader)
    levels: dict[str, _Level] = {}
    order: list[_Level] = []
    level: _Level | None = None
    loop: _Loop | None = None
    line: _Line | None = None
    bht: list[str] | None = None
    bht_index = 0

    for i, segment in enumerate(ts.segments[1:-1], 1):
        tag = segment[0]
        if tag == "BHT":
            bht, bht_index = segment, i
        elif tag == "HL":
            hl_id, parent_id, code = (element(segment, p) for p in (1, 2, 3))
            if not hl_id or not code:
                raise reader.error("HL needs an id (HL01) and a level code (HL03)", i, 1)
            if hl_id in levels:
                raise reader.error(f"HL01 {hl_id!r} is used twice", i, 1)
            if parent_id and parent_id not in levels:
                reader.finding(
                    "hl_parent_unknown", f"HL02 {parent_id!r} is not an earlier HL", i, 2
                )
            level = _Level(hl_id, parent_id, code, i)
            levels[hl_id] = level
            order.append(level)
            loop = line = None
        elif level is None:
            continue  # nothing before the first HL but BHT matters here
        elif tag == "NM1":
            if level.code in _CLAIM_LEVELS:
                level.person = _person(segment)
            else:
                level.party = _party(segment)
        elif tag == "TRN":
            loop = _Loop(reader.at(i), optional(segment, 2))
            level.loops.append(loop)
            line = None
        elif tag == "STC":
            status = reader.status(segment, i)
            if line is not None:
                line.statuses.append(status)
                continue
            if loop is None:
                reader.finding("stc_without_trn", "STC before any TRN in its HL", i)
                loop = _Loop(reader.at(i), None)
                level.loops.append(loop)
            loop.statuses.append(status)
        elif tag == "SVC":
            if loop is None or level.code not in _CLAIM_LEVELS:
                reader.finding("svc_out_of_place", "SVC outside a claim loop (2200D/E)", i)
                continue
            line = _Line(segment, i)
            loop.lines.append(line)
        elif tag == "REF" and loop is not None:
            qualifier, value = element(segment, 1), element(segment, 2)
            if line is not None and qualifier == "FJ":
                line.control_number = value or None
            elif line is None:
                loop.refs.setdefault(qualifier, value)
        elif tag in ("DTP", "DTM") and element(segment, 1) == "472" and loop is not None:
            dates = reader.period(segment, i)
            if line is not None:
                line.dates = dates
            else:
                loop.service_dates = dates
        elif tag == "DTP" and loop is not None and element(segment, 1) in ("050", "009"):
            loop.dates[segment[1]] = reader.date(element(segment, 3), i, 3)
        elif tag == "QTY" and loop is not None:
            quantity = reader.number(segment, 2, i, QUANTITY)  # QTY02: DE 380, R 1/15
            if quantity is not None:
                loop.quantities[element(segment, 1)] = quantity
        elif tag == "AMT" and loop is not None:
            amount = reader.number(segment, 2, i)
            if amount is not None:
                loop.amounts[element(segment, 1)] = amount

    return _build(ts, reader, kind, bht, bht_index, levels, order)


def _ancestor(levels: dict[str, _Level], level: _Level, code: str) -> _Level | None:
    seen: set[str] = set()
    current: _Level | None = level
    while current is not None and current.hl_id not in seen:
        if current.code == code:
            return current
        seen.add(current.hl_id)
        current = levels.get(current.parent_id)
    return None


def _first(values: dict[str, Decimal], *keys: str) -> Decimal | None:
    for key in keys:
        if key in values:
            return values[key]
    return None


def _line(reader: _Reader, line: _Line) -> ServiceLineStatus:
    segment, i = line.segment, line.index
    procedure = element(segment, 1).split(reader.component)
    if not procedure[0]:
        raise reader.error("SVC01 procedure is missing", i, 1)
    return ServiceLineStatus(
        procedure=tuple(procedure),
        charge=reader.number(segment, 2, i),
        payment=reader.number(segment, 3, i),
        revenue_code=optional(segment, 4),
        units=reader.number(segment, 7, i, QUANTITY),  # SVC07: DE 380, R 1/15
        statuses=tuple(line.statuses),
        line_item_control_number=line.control_number,
        service_dates=line.dates,
        segment_index=reader.at(i),
    )


def _build(
    ts: TransactionSet,
    reader: _Reader,
    kind: Kind,
    bht: list[str] | None,
    bht_index: int,
    levels: dict[str, _Level],
    order: list[_Level],
) -> ClaimStatusReport:
    sources: list[InformationSource] = []
    receivers: list[LevelStatus] = []
    providers: list[LevelStatus] = []
    claims: list[ClaimStatus] = []
    parents = {level.parent_id for level in order}
    for level in order:
        if level.code == "20":
            loop = level.loops[0] if level.loops else None
            sources.append(
                InformationSource(
                    hl_id=level.hl_id,
                    party=level.party,
                    trace_number=loop.trace_number if loop else None,
                    received_date=loop.dates.get("050") if loop else None,
                    process_date=loop.dates.get("009") if loop else None,
                )
            )
        elif level.code in ("21", "19"):
            target = receivers if level.code == "21" else providers
            for loop in level.loops or [_Loop(0, None)]:
                target.append(
                    LevelStatus(
                        level="information_receiver" if level.code == "21" else "provider",
                        hl_id=level.hl_id,
                        party=level.party,
                        trace_number=loop.trace_number,
                        statuses=tuple(loop.statuses),
                        accepted_quantity=_first(loop.quantities, "90", "QA"),
                        rejected_quantity=_first(loop.quantities, "AA", "QC"),
                        accepted_amount=_first(loop.amounts, "YU"),
                        rejected_amount=_first(loop.amounts, "YY"),
                    )
                )
        elif level.code in _CLAIM_LEVELS:
            if not level.loops and level.hl_id not in parents:
                reader.finding(
                    "claim_level_without_claim", "HL has no claim (TRN) loop", level.index
                )
            claims.extend(_claims(reader, kind, levels, level))
        else:
            reader.finding(
                "unknown_hl_level", f"HL03 {level.code!r} is not a 277 level", level.index, 3
            )
    return ClaimStatusReport(
        kind=kind,
        control_number=ts.control_number,
        implementation_reference=ts.implementation_reference,
        reference_id=optional(bht, 3) if bht else None,
        created=reader.optional_date(bht, 4, bht_index) if bht else None,
        sources=tuple(sources),
        receivers=tuple(receivers),
        providers=tuple(providers),
        claims=tuple(claims),
        findings=tuple(sorted(reader.findings, key=lambda f: f.segment_index or 0)),
    )


def _claims(
    reader: _Reader, kind: Kind, levels: dict[str, _Level], level: _Level
) -> list[ClaimStatus]:
    """Every 2200D/E loop under one subscriber, dependent or patient HL."""
    subscriber_level = _ancestor(levels, level, "22")
    subscriber = subscriber_level.person if subscriber_level else None
    patient = level.person if level.code != "22" else subscriber
    source = _ancestor(levels, level, "20")
    receiver = _ancestor(levels, level, "21")
    provider = _ancestor(levels, level, "19")
    result: list[ClaimStatus] = []
    for loop in level.loops:
        # X214 2200D TRN02 is the patient control number; X212 puts it in REF*EJ and uses
        # TRN02 for the 276's trace number.
        control = loop.trace_number if kind == "277CA" else loop.refs.get("EJ") or None
        result.append(
            ClaimStatus(
                level=_level_name(level.code),
                hl_id=level.hl_id,
                payer=source.party if source else None,
                information_receiver=receiver.party if receiver else None,
                provider=provider.party if provider else None,
                subscriber=subscriber,
                patient=patient,
                trace_number=loop.trace_number,
                patient_control_number=control,
                payer_claim_control_number=loop.refs.get("1K") or None,
                clearinghouse_trace_number=loop.refs.get("D9") or None,
                bill_type=loop.refs.get("BLT") or None,
                statuses=tuple(loop.statuses),
                service_dates=loop.service_dates,
                lines=tuple(_line(reader, line) for line in loop.lines),
                segment_index=loop.index,
            )
        )
    return result


def _level_name(code: str) -> Literal["subscriber", "dependent", "patient"]:
    if code == "22":
        return "subscriber"
    if code == "23":
        return "dependent"
    return "patient"
