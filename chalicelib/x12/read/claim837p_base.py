"""Reading the 837P (005010X222A1), part 1 of 3: the parts each loop collects, the reader's
state and helpers (locating, elements, findings), and the building of claims from the parts.
The loops are read in `claim837p_claim` (2300 and below) and `claim837p` (header, HL
levels 2000A-2000C, and the driver).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ...claims.model import (
    PROVIDER_TYPES,
    Address,
    Adjustment,
    Claim,
    ClaimInformation,
    Contact,
    Dependent,
    Diagnosis,
    LineAdjudication,
    OtherInsured,
    OtherPayer,
    OtherSubscriberInformation,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
)
from ..elements import AMOUNT, QUANTITY, Numeric, parse_number
from ..envelope import Finding, TransactionSet
from ..errors import X12ReadError
from ..write.claim837p_base import OTHER_QUALIFIERS, PRINCIPAL_QUALIFIERS
from .base import SetReader


@dataclass(frozen=True, slots=True)
class Claim837:
    """One 2300 loop of an 837P: the claim when it could be built, else the located error
    that stopped it; findings either way. `segment_index` is the file position of its CLM."""

    segment_index: int
    patient_control_number: str
    claim: Claim | None
    findings: tuple[Finding, ...] = ()
    error: X12ReadError | None = None


_D8 = re.compile(r"[0-9]{8}")  # ASCII: \d and strptime take any Unicode digit
# N0 elements (X12.6: digits only; these count, so no minus sign): SV107 C004 diagnosis code
# pointers (DE 1328, 1/2) and the SVD06 bundled line number (DE 554, 1/6).
_POINTER = Numeric("diagnosis code pointer", 2, decimal=False, signed=False)
_LINE_NUMBER = Numeric("line number", 6, decimal=False, signed=False)
_DIAGNOSIS_QUALIFIERS = frozenset(PRINCIPAL_QUALIFIERS + OTHER_QUALIFIERS)
# HI segments that are not the diagnosis HI (anesthesia BP/BO, condition information BG).
_OTHER_HI_QUALIFIERS = frozenset(("BP", "BO", "BG"))


def _el(segment: list[str], position: int) -> str:
    return segment[position].strip() if len(segment) > position else ""


@dataclass(slots=True)
class _Context:
    """What every level (header, HL 20/22/23, claim) collects: findings and the first error
    that makes the claims built from it unreadable."""

    findings: list[Finding] = field(default_factory=list)
    error: X12ReadError | None = None


@dataclass(slots=True)
class _AddressParts:
    n3: list[str] | None = None
    n4: list[str] | None = None
    index: int = 0


@dataclass(slots=True)
class _ProviderParts:
    provider_type: str
    index: int
    npi: str
    organization_name: str | None
    first_name: str | None
    last_name: str | None
    employer_id: str | None = None
    ssn: str | None = None
    taxonomy_code: str | None = None
    address: _AddressParts = field(default_factory=_AddressParts)
    contact: Contact | None = None


@dataclass(slots=True)
class _Header(_Context):
    submitter_name: str | None = None
    contact: Contact | None = None
    receiver_name: str | None = None


@dataclass(slots=True)
class _Billing(_Context):
    index: int = 0
    hl_id: str = ""
    child_code: str = ""
    taxonomy_code: str | None = None
    provider: _ProviderParts | None = None
    built: Provider | None = None


@dataclass(slots=True)
class _SubscriberLevel(_Context):
    index: int = 0
    hl_id: str = ""
    child_code: str = ""
    has_children: bool = False
    sbr: list[str] | None = None
    sbr_index: int = 0
    last_name: str | None = None
    first_name: str | None = None
    member_id: str | None = None
    name_index: int = 0
    address: _AddressParts = field(default_factory=_AddressParts)
    date_of_birth: date | None = None
    gender: str | None = None
    payer_name: str | None = None
    payer_id: str | None = None
    built: Subscriber | None = None
    filing: str = ""


@dataclass(slots=True)
class _PatientLevel(_Context):
    index: int = 0
    hl_id: str = ""
    relationship: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    name_index: int = 0
    address: _AddressParts = field(default_factory=_AddressParts)
    date_of_birth: date | None = None
    gender: str | None = None
    built: Dependent | None = None


@dataclass(slots=True)
class _OtherParts:
    index: int
    sbr: list[str]
    adjustments: list[Adjustment] = field(default_factory=list)
    paid: Decimal | None = None
    remaining: Decimal | None = None
    benefits: str = "Y"
    release: str = "Y"
    insured: OtherInsured | None = None
    payer_name: str | None = None
    payer_id: str | None = None
    payer_id_type: str = "PI"
    payer_ccn: str | None = None
    payer_date: date | None = None


@dataclass(slots=True)
class _AdjudicationParts:
    index: int
    payer_id: str
    paid: Decimal
    procedure: list[str]
    units: Decimal
    bundled: int | None
    adjustments: list[Adjustment] = field(default_factory=list)
    adjudicated: date | None = None


@dataclass(slots=True)
class _LineParts:
    index: int
    sv1: list[str] | None = None
    procedure: list[str] = field(default_factory=list)
    charge: Decimal | None = None
    unit: str = "UN"
    units: Decimal | None = None
    place: str | None = None
    pointers: tuple[int, ...] = ()
    service_date: date | None = None
    service_date_end: date | None = None
    control_number: str | None = None
    adjudications: list[_AdjudicationParts] = field(default_factory=list)


@dataclass(slots=True)
class _ClaimParts(_Context):
    index: int = 0
    billing: _Billing | None = None
    subscriber: _SubscriberLevel | None = None
    patient: _PatientLevel | None = None
    pcn: str = ""
    charge: Decimal | None = None
    place: str = ""
    frequency: str = ""
    signature: str = "Y"
    plan: str = "A"
    benefits: str = "Y"
    release: str = "Y"
    prior_authorization: str | None = None
    referral: str | None = None
    payer_ccn: str | None = None
    diagnoses: list[Diagnosis] | None = None
    providers: dict[str, _ProviderParts] = field(default_factory=dict)
    others: list[_OtherParts] = field(default_factory=list)
    lines: list[_LineParts] = field(default_factory=list)


# Segments of valid 837P loops that the claim model has no place for. The first segment of
# a loop the model does not carry is reported once; the rest of that loop is skipped quietly.
_CLAIM_NOT_CARRIED = frozenset(
    ("DTP", "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CRC", "HCP")
)
_LINE_NOT_CARRIED = frozenset(
    ("SV5", "PWK", "CR1", "CR3", "CRC", "QTY", "MEA", "CN1", "AMT", "K3", "NTE", "PS1", "HCP")
)
_IGNORED_LOOPS = {
    "2010AB": "pay-to address",
    "2010AC": "pay-to plan",
    "2310D": "supervising provider",
    "2310E": "ambulance pick-up location",
    "2310F": "ambulance drop-off location",
    "2330C": "other payer referring provider",
    "2330D": "other payer rendering provider",
    "2330E": "other payer service facility",
    "2330F": "other payer supervising provider",
    "2330G": "other payer billing provider",
    "2410": "drug identification",
    "2420": "line-level provider or location",
    "2440": "form identification",
}
_2310_NM1 = {
    "DN": "2310A",
    "P3": "2310A",
    "82": "2310B",
    "77": "2310C",
    "DQ": "2310D",
    "PW": "2310E",
    "45": "2310F",
}
_2330_NM1 = {
    "IL": "2330A",
    "PR": "2330B",
    "DN": "2330C",
    "P3": "2330C",
    "82": "2330D",
    "77": "2330E",
    "DQ": "2330F",
    "85": "2330G",
}
# Segments whose first element is a qualifier code, safe to quote in a finding. Others (N3,
# N4, K3 ...) start with data, possibly PHI, which findings never repeat (DESIGN rule 6).
_QUALIFIED = frozenset(
    ("NM1", "REF", "DTP", "AMT", "PER", "PRV", "LQ", "NTE", "CAS", "PWK", "CRC", "HCP", "DMG")
)
_2420_NM1 = frozenset(("82", "QB", "77", "DQ", "DK", "DN", "P3", "PW", "45"))


class _ReaderBase(SetReader):
    """One pass over the segments of a transaction set, tracking the current loop: the
    state, the helpers every loop uses, and the building of claims from their parts."""

    def __init__(self, ts: TransactionSet) -> None:
        super().__init__(ts)
        self.header = _Header()
        self.billing: _Billing | None = None
        self.subscriber: _SubscriberLevel | None = None
        self.patient: _PatientLevel | None = None
        self.claim: _ClaimParts | None = None
        self.line: _LineParts | None = None
        self.other: _OtherParts | None = None
        self.adjudication: _AdjudicationParts | None = None
        self.provider: _ProviderParts | None = None
        self.loop = "HEADER"
        self.loop_start = 0
        self.claims: list[_ClaimParts] = []
        self.hl_ids: set[str] = set()
        self.seen: set[tuple[str, ...]] = set()  # (loop key, segment key) for repeats

    # -- locating ------------------------------------------------------------------------

    def context(self) -> _Context:
        if self.claim is not None:
            return self.claim
        if self.patient is not None:
            return self.patient
        if self.subscriber is not None:
            return self.subscriber
        if self.billing is not None:
            return self.billing
        return self.header

    def note(
        self, code: str, message: str, index: int, segment_id: str, position: int | None = None
    ) -> None:
        """A finding belongs to the level it was found at, and so to every claim under it."""
        self.context().findings.append(Finding(code, message, index, segment_id, position))

    def require(self, seg: list[str], position: int, index: int, what: str) -> str:
        value = _el(seg, position)
        if not value:
            raise self.error_at(f"{what} is missing", index, seg[0], position)
        return value

    def soft(self, seg: list[str], position: int, index: int, what: str) -> str:
        """A required element the claim can do without for now: read as "" with a finding,
        so the scrub still sees (and rejects) the claim."""
        value = _el(seg, position)
        if not value:
            self.note(
                "element_missing",
                f"{what} is missing",
                index,
                seg[0],
                position,
            )
        return value

    def decimal(
        self, seg: list[str], position: int, index: int, what: str, kind: Numeric = AMOUNT
    ) -> Decimal:
        """An R element the claim needs: missing, or not an X12 R number with at most
        `kind.max_digits` digits, is an error. Read as sent: `_el` strips text elements, but
        an R element has no spaces (X12.6)."""
        self.require(seg, position, index, what)
        number = parse_number(seg[position], kind)
        if number is None:
            raise self.error_at(kind.describe(what), index, seg[0], position)
        return number

    def optional_decimal(
        self, seg: list[str], position: int, index: int, what: str, kind: Numeric = AMOUNT
    ) -> Decimal | None:
        return self.decimal(seg, position, index, what, kind) if _el(seg, position) else None

    def d8(self, value: str, index: int, segment_id: str, position: int, what: str) -> date:
        """CCYYMMDD; the value is not quoted in the error, as it may be a birth date."""
        if not _D8.fullmatch(value):
            raise self.error_at(f"{what} is not CCYYMMDD", index, segment_id, position)
        try:
            return datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            raise self.error_at(f"{what} is not a real date", index, segment_id, position) from None

    def components(self, value: str) -> list[str]:
        return [part.strip() for part in value.split(self.component)]

    def not_carried(self, seg: list[str], index: int, what: str) -> None:
        qualifier = f"*{_el(seg, 1)}" if seg[0] in _QUALIFIED and _el(seg, 1) else ""
        self.note(
            "not_carried",
            f"{seg[0]}{qualifier} ({what}) is not carried by the claim model",
            index,
            seg[0],
        )

    def extra_elements(self, seg: list[str], index: int, read: set[int], what: str) -> None:
        """Report non-empty elements at positions the model does not carry."""
        extra = [p for p in range(1, len(seg)) if p not in read and seg[p].strip()]
        if extra:
            names = ", ".join(f"{seg[0]}{p:02d}" for p in extra)
            self.note(
                "not_carried", f"{names} ({what}) not carried by the claim model", index, seg[0]
            )

    def once(self, key: str, seg: list[str], index: int, *, valid_repeat: bool = False) -> bool:
        """True the first time `key` is seen in the current loop instance. A repeat is
        ignored and reported: as a defect, or as `not_carried` where the TR3 allows the
        repeat but the model holds one."""
        full = (self.loop_key(), key)
        if full in self.seen:
            if valid_repeat:
                self.note("not_carried", f"a second {key} in loop {self.loop}", index, seg[0])
            else:
                self.note(
                    "segment_repeated",
                    f"{key} repeated in loop {self.loop}; the repeat is ignored",
                    index,
                    seg[0],
                )
            return False
        self.seen.add(full)
        return True

    def loop_key(self) -> str:
        return f"{self.loop}@{self.loop_start}"

    def enter(self, loop: str, index: int) -> None:
        self.loop = loop
        self.loop_start = index

    def contact(self, seg: list[str], index: int) -> Contact:
        """PER*IC: name, first telephone, first email; other numbers are not carried."""
        phone: str | None = None
        email: str | None = None
        dropped: list[str] = []
        for position in (3, 5, 7):
            kind, value = _el(seg, position), _el(seg, position + 1)
            if kind == "TE" and phone is None:
                phone = value
            elif kind == "EM" and email is None:
                email = value
            elif kind:
                dropped.append(f"PER{position:02d} {kind}")
        if dropped:
            self.note(
                "not_carried",
                f"{', '.join(dropped)} not carried by the claim model",
                index,
                "PER",
            )
        return Contact(name=_el(seg, 2), phone_number=phone, email=email)

    def unexpected(self, seg: list[str], index: int) -> None:
        qualified = seg[0] in _QUALIFIED and _el(seg, 1)
        self.note(
            "unexpected_segment",
            f"{seg[0]}{'*' + _el(seg, 1) if qualified else ''} is not expected in loop "
            f"{self.loop}; ignored",
            index,
            seg[0],
        )

    def name_to_provider(
        self, seg: list[str], index: int, provider_type: str, *, required_npi: bool
    ) -> _ProviderParts:
        """NM1 of a provider: NM102 1 person / 2 organization, NM108 XX, NM109 the NPI."""
        entity_type = _el(seg, 2)
        last, first = _el(seg, 3), _el(seg, 4)
        if entity_type not in ("1", "2"):
            self.note(
                "element_invalid" if entity_type else "element_missing",
                f"NM102 entity type {entity_type!r} is not 1 (person) or 2 (organization)",
                index,
                "NM1",
                2,
            )
            entity_type = "1" if first else "2"
        if required_npi:
            npi = self.require(seg, 9, index, "NM109 NPI")
        else:
            npi = self.soft(seg, 9, index, "NM109 NPI")
        qualifier = _el(seg, 8)
        if npi and qualifier != "XX":
            self.note(
                "element_invalid",
                f"NM108 {qualifier!r} is not XX (NPI); NM109 read as the NPI",
                index,
                "NM1",
                8,
            )
        self.extra_elements(seg, index, {1, 2, 3, 4, 8, 9}, "middle name, prefix, suffix")
        if entity_type == "2":
            if not last:
                self.note("element_missing", "NM103 organization name is missing", index, "NM1", 3)
            return _ProviderParts(provider_type, index, npi, last or None, None, None)
        if not last:
            self.note("element_missing", "NM103 last name is missing", index, "NM1", 3)
        return _ProviderParts(provider_type, index, npi, None, first or None, last or None)

    def address(self, parts: _AddressParts, seg: list[str], index: int) -> None:
        tag = seg[0]
        if (parts.n3 if tag == "N3" else parts.n4) is not None:
            self.note(
                "segment_repeated", f"{tag} repeated in loop {self.loop}; ignored", index, tag
            )
            return
        if tag == "N3":
            parts.n3 = seg
            self.extra_elements(seg, index, {1, 2}, "address")
        else:
            parts.n4 = seg
            self.extra_elements(seg, index, {1, 2, 3}, "country")
        parts.index = parts.index or index

    def build_address(self, parts: _AddressParts, context: _Context, loop: str) -> Address | None:
        """N3 and N4 together make an address; one without the other is reported and
        dropped (the model's address needs a street and a city)."""
        n3, n4 = parts.n3, parts.n4
        if n3 is None and n4 is None:
            return None
        if n3 is None or n4 is None:
            missing = "N3" if n3 is None else "N4"
            context.findings.append(
                Finding(
                    "segment_missing",
                    f"loop {loop} has {'N4' if n3 is None else 'N3'} without {missing}; "
                    "the address is not read",
                    parts.index,
                    "N4" if n3 is None else "N3",
                )
            )
            return None
        for seg, position, what in ((n3, 1, "N301 address"), (n4, 1, "N401 city")):
            if not _el(seg, position):
                context.findings.append(
                    Finding("element_missing", f"{what} is missing", parts.index, seg[0], position)
                )
        return Address(
            address1=_el(n3, 1),
            address2=_el(n3, 2) or None,
            city=_el(n4, 1),
            state=_el(n4, 2),
            postal_code=_el(n4, 3),
        )

    def dmg(self, seg: list[str], index: int) -> tuple[date | None, str | None]:
        """DMG*D8: an unreadable birth date is reported and left out (the field is
        optional), not fatal."""
        if _el(seg, 1) != "D8":
            self.note("element_invalid", f"DMG01 {_el(seg, 1)!r} is not D8", index, "DMG", 1)
        birth: date | None = None
        try:
            birth = self.d8(_el(seg, 2), index, "DMG", 2, "DMG02 birth date")
        except X12ReadError as error:
            self.note("element_invalid", error.message, index, "DMG", 2)
        self.extra_elements(seg, index, {1, 2, 3}, "marital status, race")
        return birth, _el(seg, 3) or None

    def dtp_d8(self, seg: list[str], index: int) -> date:
        if _el(seg, 2) != "D8":
            raise self.error_at(f"DTP02 {_el(seg, 2)!r} is not D8", index, "DTP", 2)
        return self.d8(_el(seg, 3), index, "DTP", 3, "DTP03 date")

    def cas(self, seg: list[str], index: int) -> list[Adjustment]:
        """CAS: group code, then up to six reason / amount / quantity triplets."""
        group = self.require(seg, 1, index, "CAS01 group code")
        adjustments: list[Adjustment] = []
        for position in range(2, 20, 3):
            if not any(_el(seg, p) for p in (position, position + 1, position + 2)):
                continue
            reason = self.require(seg, position, index, f"CAS{position:02d} reason code")
            amount = self.decimal(seg, position + 1, index, f"CAS{position + 1:02d} amount")
            quantity = self.optional_decimal(
                seg, position + 2, index, f"CAS{position + 2:02d} quantity", QUANTITY
            )
            adjustments.append(Adjustment(group, reason, amount, quantity))
        if not adjustments:
            raise self.error_at("CAS without a reason code and amount", index, "CAS", 2)
        return adjustments

    # -- building ------------------------------------------------------------------------

    def build(self, parts: _ClaimParts) -> Claim837:
        levels: list[_Context] = [self.header]
        levels += [c for c in (parts.billing, parts.subscriber, parts.patient) if c is not None]
        levels.append(parts)
        error = next((c.error for c in levels if c.error is not None), None)
        claim: Claim | None = None
        findings: list[Finding] = []
        if error is None:
            try:
                claim = self.build_claim(parts)
            except X12ReadError as failure:
                error = failure
        for level in levels:
            findings += level.findings
        findings.sort(key=lambda f: f.segment_index or 0)
        return Claim837(
            segment_index=parts.index,
            patient_control_number=parts.pcn,
            claim=claim,
            findings=tuple(findings),
            error=error,
        )

    def build_provider(self, parts: _ProviderParts, context: _Context, loop: str) -> Provider:
        return Provider(
            provider_type=parts.provider_type,
            npi=parts.npi,
            organization_name=parts.organization_name,
            first_name=parts.first_name,
            last_name=parts.last_name,
            employer_id=parts.employer_id,
            ssn=parts.ssn,
            taxonomy_code=parts.taxonomy_code,
            address=self.build_address(parts.address, context, loop),
            contact=parts.contact,
        )

    def build_claim(self, parts: _ClaimParts) -> Claim:
        """The claim from its levels (already built when they closed) and its own parts."""
        header, billing, subscriber = self.header, parts.billing, parts.subscriber
        if billing is None or billing.built is None:
            raise self.error_at("the claim is not under an HL 20", parts.index, "CLM")
        if subscriber is None or subscriber.built is None:
            raise self.error_at("the claim is not under an HL 22", parts.index, "CLM")
        assert header.submitter_name is not None and header.receiver_name is not None
        assert subscriber.payer_id is not None
        patient = parts.patient
        if patient is not None and patient.built is None:
            raise self.error_at("the claim's HL 23 could not be read", patient.index, "HL")
        providers = [billing.built]
        for provider_type in PROVIDER_TYPES[1:]:
            found = parts.providers.get(provider_type)
            if found is not None:
                providers.append(self.build_provider(found, parts, "2310"))
        if parts.diagnoses is None:
            parts.findings.append(
                Finding("segment_missing", "loop 2300 has no HI (diagnoses)", parts.index, "CLM")
            )
        if not parts.lines:
            raise self.error_at("the claim has no service line (loop 2400)", parts.index, "CLM")
        assert parts.charge is not None
        info = ClaimInformation(
            claim_filing_code=subscriber.filing,
            patient_control_number=parts.pcn,
            claim_charge_amount=parts.charge,
            place_of_service_code=parts.place,
            claim_frequency_code=parts.frequency,
            diagnoses=tuple(parts.diagnoses or ()),
            service_lines=tuple(self.build_line(line) for line in parts.lines),
            signature_indicator=parts.signature,
            plan_participation_code=parts.plan,
            benefits_assignment_certification_indicator=parts.benefits,
            release_information_code=parts.release,
            prior_authorization_number=parts.prior_authorization,
            referral_number=parts.referral,
            payer_claim_control_number=parts.payer_ccn,
            other_subscribers=tuple(self.build_other(other) for other in parts.others),
        )
        payer_ids = {other.payer.identifier for other in info.other_subscribers}
        for line in parts.lines:
            for adjudication in line.adjudications:
                if adjudication.payer_id not in payer_ids:
                    parts.findings.append(
                        Finding(
                            "element_invalid",
                            f"SVD01 {adjudication.payer_id!r} matches no 2330B other payer id",
                            adjudication.index,
                            "SVD",
                            1,
                        )
                    )
        usage = self.ts.interchange.usage_indicator
        return Claim(
            control_number=self.ts.control_number,
            trading_partner_service_id=subscriber.payer_id,
            submitter=Submitter(organization_name=header.submitter_name, contact=header.contact),
            receiver_name=header.receiver_name,
            subscriber=subscriber.built,
            providers=tuple(providers),
            claim_information=info,
            trading_partner_name=subscriber.payer_name,
            usage_indicator=usage if usage in ("T", "P") else "P",
            dependent=patient.built if patient is not None else None,
        )

    def build_line(self, line: _LineParts) -> ServiceLine:
        if line.sv1 is None or line.charge is None or line.units is None:
            raise self.error_at("loop 2400 has no SV1", line.index, "LX")
        if line.service_date is None:
            raise self.error_at("loop 2400 has no DTP*472 service date", line.index, "LX")
        return ServiceLine(
            service_date=line.service_date,
            procedure_code=line.procedure[1],
            charge_amount=line.charge,
            unit_count=line.units,
            diagnosis_pointers=line.pointers,
            procedure_identifier=line.procedure[0],
            procedure_modifiers=tuple(m for m in line.procedure[2:] if m),
            measurement_unit=line.unit,
            provider_control_number=line.control_number,
            place_of_service_code=line.place,
            service_date_end=line.service_date_end,
            line_adjudications=tuple(self.build_adjudication(a) for a in line.adjudications),
        )

    def build_adjudication(self, parts: _AdjudicationParts) -> LineAdjudication:
        if parts.adjudicated is None:
            raise self.error_at("loop 2430 has no DTP*573 adjudication date", parts.index, "SVD")
        return LineAdjudication(
            other_payer_primary_identifier=parts.payer_id,
            paid_amount=parts.paid,
            procedure_code=parts.procedure[1],
            paid_unit_count=parts.units,
            adjudication_date=parts.adjudicated,
            procedure_modifiers=tuple(m for m in parts.procedure[2:] if m),
            procedure_identifier=parts.procedure[0],
            adjustments=tuple(parts.adjustments),
            bundled_line_number=parts.bundled,
        )

    def build_other(self, parts: _OtherParts) -> OtherSubscriberInformation:
        if parts.insured is None:
            raise self.error_at("loop 2320 has no 2330A other insured (NM1*IL)", parts.index, "SBR")
        if parts.payer_id is None or parts.payer_name is None:
            raise self.error_at("loop 2320 has no 2330B other payer (NM1*PR)", parts.index, "SBR")
        return OtherSubscriberInformation(
            payment_responsibility_level_code=_el(parts.sbr, 1),
            individual_relationship_code=_el(parts.sbr, 2),
            claim_filing_indicator_code=_el(parts.sbr, 9),
            insured=parts.insured,
            payer=OtherPayer(
                organization_name=parts.payer_name,
                identifier=parts.payer_id,
                identifier_type_code=parts.payer_id_type,
                claim_control_number=parts.payer_ccn,
                adjudication_date=parts.payer_date,
            ),
            benefits_assignment_certification_indicator=parts.benefits,
            release_of_information_code=parts.release,
            group_number=_el(parts.sbr, 3) or None,
            payer_paid_amount=parts.paid,
            claim_adjustments=tuple(parts.adjustments),
            remaining_patient_liability=parts.remaining,
        )
