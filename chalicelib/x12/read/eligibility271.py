"""271 eligibility, coverage or benefit information reader (005010X279A1).

The HL hierarchy is 20 information source (payer, 2000A), 21 information receiver (provider,
2000B), 22 subscriber (2000C) and 23 dependent (2000D). Each member's 2100C/D loop names them
(NM1*IL / NM1*03, DMG, REF plan/group numbers, DTP plan dates); each EB opens a 2110C/D
benefit loop (with REF, DTP, MSG), and LS..LE wraps 2120C/D benefit-related entities (an NM1
there is not a new member). AAA says a request could not be answered, at any of those levels.

Member names, ids and birth dates are PHI: `MemberIdentity` keeps them out of its repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..elements import PERCENT, QUANTITY, element, optional
from ..envelope import Finding, TransactionSet
from .base import DateOrRaw, SetReader

"""A date as parsed; the raw text only when it does not parse (and a Finding says so)."""
_EARLIEST_YEAR = 1800
"""Earlier years are placeholders such as 10010101, not dates (pyx12 draws the same line)."""

Coverage = Literal["active", "inactive", "unknown"]

ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
"""EB01 1 active coverage, 2-4 active with capitation, 5 active pending investigation."""
INACTIVE_CODES = frozenset({"6", "7", "8"})
"""EB01 6 inactive, 7 inactive pending eligibility update, 8 inactive pending investigation."""

COINSURANCE, COPAY, DEDUCTIBLE, OUT_OF_POCKET = "A", "B", "C", "G"
"""EB01 codes for the amounts a biller asks about first (X279A1 2110C EB01)."""
REMAINING = "29"
"""EB06 time period qualifier 29: the amount still remaining (of a deductible or limit)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """AAA request validation: the payer could not answer (part of) the request."""

    loop: str  # where it sat: 2000A, 2100A, 2100B, 2100C, 2100D, 2110C, 2110D ...
    valid_request: str  # AAA01: Y the request was valid but cannot be answered, N it was invalid
    reject_reason: str | None  # AAA03, e.g. 42 unable to respond now, 72 invalid member id
    follow_up_action: str | None  # AAA04: C correct and resubmit, R resubmit, N do not ...
    segment_index: int


@dataclass(frozen=True, slots=True)
class Reference:
    """REF: qualifier (18 plan number, 6P group number, 1L group/policy ...) and value."""

    qualifier: str  # REF01
    value: str  # REF02
    description: str | None  # REF03


@dataclass(frozen=True, slots=True)
class DatePeriod:
    """DTP: qualifier (291 plan, 346 plan begin, 356 eligibility begin, 472 service ...) with
    a D8 day (start == end) or an RD8 range."""

    qualifier: str
    start: DateOrRaw
    end: DateOrRaw


@dataclass(frozen=True, slots=True)
class Party:
    """NM1 of a payer, provider or benefit-related entity (2120C/D)."""

    entity_code: str  # NM101: PR payer, 1P provider, P3 primary care provider ...
    name: str  # NM103
    first_name: str | None  # NM104
    id_qualifier: str | None  # NM108
    identifier: str | None  # NM109


@dataclass(frozen=True, slots=True)
class MemberIdentity:
    """PHI: the subscriber's or dependent's name, member id, birth date and gender.
    Kept so a response can be matched to the member; never log it (repr hides it)."""

    entity_code: str  # NM101: IL subscriber, 03 dependent
    last_name: str | None = field(repr=False)  # NM103
    first_name: str | None = field(repr=False)  # NM104
    middle_name: str | None = field(repr=False)  # NM105
    id_qualifier: str | None = field(repr=False)  # NM108: MI member id
    member_id: str | None = field(repr=False)  # NM109
    birth_date: DateOrRaw | None = field(repr=False)  # DMG02
    gender: str | None = field(repr=False)  # DMG03


@dataclass(frozen=True, slots=True)
class Benefit:
    """One EB segment and its 2110C/D loop."""

    information_code: str  # EB01: 1-8 coverage, A coinsurance, B copay, C deductible ...
    coverage_level: str | None  # EB02: IND individual, FAM family, EMP employee only ...
    service_types: tuple[str, ...]  # EB03, repeated (e.g. 1^33^35): 30 health benefit plan ...
    insurance_type: str | None  # EB04: HM HMO, MA Medicare Part A, C1 commercial ...
    plan_coverage_description: str | None  # EB05
    time_period: str | None  # EB06: 23 calendar year, 29 remaining, 27 visit ...
    amount: Decimal | None  # EB07 monetary amount
    percent: Decimal | None  # EB08, as a fraction: .20 is twenty per cent
    quantity_qualifier: str | None  # EB09: VS visits, DY days ...
    quantity: Decimal | None  # EB10
    authorization_required: str | None  # EB11: Y / N / U unknown
    in_plan_network: str | None  # EB12: Y in network, N out of network, W not applicable
    procedure: tuple[str, ...]  # EB13 composite: qualifier, code, modifiers
    references: tuple[Reference, ...]  # 2110 REF
    dates: tuple[DatePeriod, ...]  # 2110 DTP
    messages: tuple[str, ...]  # 2110 MSG01 free-form text
    related_entities: tuple[Party, ...]  # 2120 NM1 between LS and LE
    segment_index: int

    @property
    def is_remaining(self) -> bool:
        return self.time_period == REMAINING


@dataclass(frozen=True, slots=True)
class MemberEligibility:
    """Loop 2000C (subscriber) or 2000D (dependent) with its 2100 and 2110 loops."""

    level: Literal["subscriber", "dependent"]  # HL03 22 / 23
    hl_id: str
    payer: Party | None  # 2100A
    provider: Party | None  # 2100B information receiver
    member: MemberIdentity | None  # 2100C/D (PHI)
    subscriber: MemberIdentity | None  # for a dependent, the parent 2100C (PHI)
    trace_numbers: tuple[str, ...]  # TRN02 (ours echoed, and the payer's own)
    relationship: str | None  # INS02 (dependent's relationship to the subscriber)
    references: tuple[Reference, ...]  # 2100 REF
    dates: tuple[DatePeriod, ...]  # 2100 DTP
    benefits: tuple[Benefit, ...]
    rejections: tuple[Rejection, ...]  # 2100C/D and 2110/2120 AAA

    @property
    def coverage(self) -> Coverage:
        """Active if any EB01 is 1-5, else inactive if any is 6-8, else unknown (e.g. a
        rejection, or only a disclaimer such as EB*P)."""
        codes = {benefit.information_code for benefit in self.benefits}
        if codes & ACTIVE_CODES:
            return "active"
        if codes & INACTIVE_CODES:
            return "inactive"
        return "unknown"

    @property
    def active(self) -> bool:
        return self.coverage == "active"

    def reference(self, qualifier: str) -> str | None:
        return next((r.value for r in self.references if r.qualifier == qualifier), None)

    @property
    def plan_number(self) -> str | None:
        """2100C/D REF*18 plan number."""
        return self.reference("18")

    @property
    def group_number(self) -> str | None:
        """2100C/D REF*6P group number."""
        return self.reference("6P")

    @property
    def plan_description(self) -> str | None:
        """EB05 of the first active-coverage benefit that names the plan."""
        for benefit in self.benefits:
            if benefit.information_code in ACTIVE_CODES and benefit.plan_coverage_description:
                return benefit.plan_coverage_description
        return None

    def find(
        self,
        information_code: str | None = None,
        *,
        service_type: str | None = None,
        in_plan_network: str | None = None,
        coverage_level: str | None = None,
        time_period: str | None = None,
    ) -> tuple[Benefit, ...]:
        """Benefits matching every given filter (None matches anything)."""
        return tuple(
            b
            for b in self.benefits
            if (information_code is None or b.information_code == information_code)
            and (service_type is None or service_type in b.service_types)
            and (in_plan_network is None or b.in_plan_network == in_plan_network)
            and (coverage_level is None or b.coverage_level == coverage_level)
            and (time_period is None or b.time_period == time_period)
        )

    @property
    def deductibles(self) -> tuple[Benefit, ...]:
        return self.find(DEDUCTIBLE)

    @property
    def out_of_pocket(self) -> tuple[Benefit, ...]:
        return self.find(OUT_OF_POCKET)

    @property
    def copays(self) -> tuple[Benefit, ...]:
        return self.find(COPAY)

    @property
    def coinsurance(self) -> tuple[Benefit, ...]:
        return self.find(COINSURANCE)

    @property
    def remaining(self) -> tuple[Benefit, ...]:
        """Amounts still remaining (EB06 29), e.g. the deductible left to meet this year."""
        return self.find(time_period=REMAINING)


@dataclass(frozen=True, slots=True)
class EligibilityResponse:
    control_number: str  # ST02
    implementation_reference: str | None  # ST03
    reference_id: str | None  # BHT03, echoes our 270 BHT03
    created: DateOrRaw | None  # BHT04
    payers: tuple[Party, ...]  # every 2100A
    rejections: tuple[Rejection, ...]  # 2000A / 2100A / 2100B AAA: nobody could be checked
    members: tuple[MemberEligibility, ...]
    findings: tuple[Finding, ...]


def _party(segment: list[str]) -> Party:
    return Party(
        entity_code=element(segment, 1),
        name=element(segment, 3),
        first_name=optional(segment, 4),
        id_qualifier=optional(segment, 8),
        identifier=optional(segment, 9),
    )


@dataclass(slots=True)
class _Benefit:
    segment: list[str]
    index: int
    references: list[Reference] = field(default_factory=list)
    dates: list[DatePeriod] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    related: list[Party] = field(default_factory=list)


@dataclass(slots=True)
class _Level:
    hl_id: str
    parent_id: str
    code: str
    index: int
    name: list[str] | None = None
    dmg: tuple[list[str], int] | None = None
    trace_numbers: list[str] = field(default_factory=list)
    relationship: str | None = None
    references: list[Reference] = field(default_factory=list)
    dates: list[DatePeriod] = field(default_factory=list)
    benefits: list[_Benefit] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


_LOOP_SUFFIX = {"20": "A", "21": "B", "22": "C", "23": "D"}


class _Reader(SetReader):
    def __init__(self, ts: TransactionSet) -> None:
        super().__init__(ts)
        self.repetition = ts.interchange.delimiters.repetition
        self._identities: dict[str, MemberIdentity | None] = {}

    def period(self, segment: list[str], i: int) -> DatePeriod:
        qualifier, form, text = (element(segment, p) for p in (1, 2, 3))
        if form == "RD8" and "-" in text:
            start, _, end = text.partition("-")
            return DatePeriod(qualifier, self.date(start, i, 3), self.date(end, i, 3))
        day = self.date(text, i, 3)
        return DatePeriod(qualifier, day, day)

    def repeated(self, text: str) -> tuple[str, ...]:
        """EB03 may repeat (5010 repetition separator); without one it is a single value."""
        if not text:
            return ()
        values = text.split(self.repetition) if self.repetition else [text]
        return tuple(value for value in values if value)

    def benefit(self, open_benefit: _Benefit) -> Benefit:
        segment, i = open_benefit.segment, open_benefit.index
        code = element(segment, 1)
        if not code:
            raise self.error("EB01 eligibility or benefit information code is missing", i, 1)
        procedure = element(segment, 13)
        return Benefit(
            information_code=code,
            coverage_level=optional(segment, 2),
            service_types=self.repeated(element(segment, 3)),
            insurance_type=optional(segment, 4),
            plan_coverage_description=optional(segment, 5),
            time_period=optional(segment, 6),
            amount=self.number(segment, 7, i),  # DE 782, R 1/18
            percent=self.number(segment, 8, i, PERCENT),  # DE 954, R 1/10
            quantity_qualifier=optional(segment, 9),
            quantity=self.number(segment, 10, i, QUANTITY),  # DE 380, R 1/15
            authorization_required=optional(segment, 11),
            in_plan_network=optional(segment, 12),
            procedure=tuple(procedure.split(self.component)) if procedure else (),
            references=tuple(open_benefit.references),
            dates=tuple(open_benefit.dates),
            messages=tuple(open_benefit.messages),
            related_entities=tuple(open_benefit.related),
            segment_index=self.at(i),
        )

    def member(self, level: _Level) -> MemberIdentity | None:
        """Built once per HL, so a bad birth date is reported once, not per dependent."""
        if level.hl_id not in self._identities:
            self._identities[level.hl_id] = self._identity(level)
        return self._identities[level.hl_id]

    def _identity(self, level: _Level) -> MemberIdentity | None:
        if level.name is None:
            return None
        name = level.name
        birth_date: DateOrRaw | None = None
        gender: str | None = None
        if level.dmg is not None:
            dmg, i = level.dmg
            text = element(dmg, 2)
            birth_date = self.date(text, i, 2) if text else None
            gender = optional(dmg, 3)
        return MemberIdentity(
            entity_code=element(name, 1),
            last_name=optional(name, 3),
            first_name=optional(name, 4),
            middle_name=optional(name, 5),
            id_qualifier=optional(name, 8),
            member_id=optional(name, 9),
            birth_date=birth_date,
            gender=gender,
        )


def parse_271(ts: TransactionSet) -> EligibilityResponse:
    """Read one 271 transaction set into per-member eligibility and benefits."""
    reader = _Reader(ts)
    if ts.transaction_set_id != "271":
        raise reader.error(f"ST01 is {ts.transaction_set_id!r}, not 271", 0, 1)
    levels: dict[str, _Level] = {}
    order: list[_Level] = []
    level: _Level | None = None
    benefit: _Benefit | None = None
    in_2120 = False
    bht: tuple[list[str], int] | None = None
    top_rejections: list[Rejection] = []

    for i, segment in enumerate(ts.segments[1:-1], 1):
        tag = segment[0]
        if tag == "BHT":
            bht = (segment, i)
            continue
        if tag == "HL":
            hl_id, parent_id, code = (element(segment, p) for p in (1, 2, 3))
            if not hl_id or not code:
                raise reader.error("HL needs an id (HL01) and a level code (HL03)", i, 1)
            if hl_id in levels:
                raise reader.error(f"HL01 {hl_id!r} is used twice", i, 1)
            if code not in _LOOP_SUFFIX:
                reader.findings.append(
                    Finding("unknown_hl_level", f"HL03 {code!r} is not a 271 level", reader.at(i))
                )
            if parent_id and parent_id not in levels:
                reader.findings.append(
                    Finding(
                        "hl_parent_unknown",
                        f"HL02 {parent_id!r} is not an earlier HL",
                        reader.at(i),
                        "HL",
                        2,
                    )
                )
            level = _Level(hl_id, parent_id, code, i)
            levels[hl_id] = level
            order.append(level)
            benefit, in_2120 = None, False
            continue
        if level is None:
            continue
        suffix = _LOOP_SUFFIX.get(level.code, "?")
        if tag == "LS":
            in_2120 = True
        elif tag == "LE":
            in_2120 = False
        elif tag == "NM1":
            if in_2120 and benefit is not None:
                benefit.related.append(_party(segment))
            elif level.name is None:
                level.name = segment
        elif tag == "AAA":
            loop = (
                f"2120{suffix}"
                if in_2120
                else f"2110{suffix}"
                if benefit is not None
                else f"2100{suffix}"
                if level.name is not None
                else f"2000{suffix}"
            )
            if not element(segment, 1):
                raise reader.error("AAA01 valid request indicator is missing", i, 1)
            rejection = Rejection(
                loop=loop,
                valid_request=segment[1],
                reject_reason=optional(segment, 3),
                follow_up_action=optional(segment, 4),
                segment_index=reader.at(i),
            )
            (top_rejections if level.code in ("20", "21") else level.rejections).append(rejection)
        elif in_2120:
            continue  # 2120 address, contact and provider detail: not needed here
        elif tag == "EB":
            benefit = _Benefit(segment, i)
            level.benefits.append(benefit)
        elif tag == "MSG" and benefit is not None:
            benefit.messages.append(element(segment, 1))
        elif tag == "REF":
            reference = Reference(element(segment, 1), element(segment, 2), optional(segment, 3))
            (benefit.references if benefit is not None else level.references).append(reference)
        elif tag == "DTP":
            period = reader.period(segment, i)
            (benefit.dates if benefit is not None else level.dates).append(period)
        elif tag == "TRN" and element(segment, 2):
            level.trace_numbers.append(segment[2])
        elif tag == "DMG":
            level.dmg = (segment, i)
        elif tag == "INS":
            level.relationship = optional(segment, 2)

    members = [_member(reader, levels, level) for level in order if level.code in ("22", "23")]
    return EligibilityResponse(
        control_number=ts.control_number,
        implementation_reference=ts.implementation_reference,
        reference_id=optional(bht[0], 3) if bht else None,
        created=reader.date(element(bht[0], 4), bht[1], 4) if bht and element(bht[0], 4) else None,
        payers=tuple(_party(lv.name) for lv in order if lv.code == "20" and lv.name),
        rejections=tuple(top_rejections),
        members=tuple(members),
        findings=tuple(sorted(reader.findings, key=lambda f: f.segment_index or 0)),
    )


def _ancestor(levels: dict[str, _Level], level: _Level, code: str) -> _Level | None:
    seen: set[str] = set()
    current: _Level | None = level
    while current is not None and current.hl_id not in seen:
        if current.code == code:
            return current
        seen.add(current.hl_id)
        current = levels.get(current.parent_id)
    return None


def _member(reader: _Reader, levels: dict[str, _Level], level: _Level) -> MemberEligibility:
    source = _ancestor(levels, level, "20")
    receiver = _ancestor(levels, level, "21")
    parent = _ancestor(levels, level, "22") if level.code == "23" else None
    return MemberEligibility(
        level="subscriber" if level.code == "22" else "dependent",
        hl_id=level.hl_id,
        payer=_party(source.name) if source and source.name else None,
        provider=_party(receiver.name) if receiver and receiver.name else None,
        member=reader.member(level),
        subscriber=reader.member(parent) if parent else None,
        trace_numbers=tuple(level.trace_numbers),
        relationship=level.relationship,
        references=tuple(level.references),
        dates=tuple(level.dates),
        benefits=tuple(reader.benefit(b) for b in level.benefits),
        rejections=tuple(level.rejections),
    )
