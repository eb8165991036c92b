"""Typed reader for the 835 Health Care Claim Payment/Advice (TR3 005010X221A1).

One pass over a transaction set's segments gives a `Remittance`: the payment (BPR), the trace
(TRN), payer and payee (Loops 1000A/1000B), every claim (Loop 2100) with its service lines
(Loop 2110), and the provider-level adjustments (PLB). The TR3 balancing rules (front matter,
"Balancing") are checked as the claims close:

- each line:        SVC02 - sum of line CAS amounts = SVC03
- each claim:       CLP03 - sum of claim and line CAS amounts = CLP04
- the transaction:  BPR02 = sum of CLP04 - sum of PLB amounts

A payer's file that does not balance is still a payment to post, so an imbalance is a `Finding`
with the claim/line and the amounts, never an exception. The same goes for defects that leave
the meaning clear: a missing or invalid date, a composite written with ">" although ISA16 says
":", a required amount left empty (read as 0). What cannot be read raises `X12ReadError`:
payment and claim money and the amounts that balancing adds up (BPR02, CLP03-05, CAS, SVC02-03,
PLB) present but not a number, since every total built on them would be wrong; and an 835
without BPR. Other numbers (units, quantities, AMT) that are not numbers are findings and read
as None. Unknown segments are ignored.

Patient, insured and provider names and ids (NM1 in Loop 2100) are PHI: they are kept out of
the models' repr so they cannot reach a log by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, field, fields, make_dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, BinaryIO, ParamSpec, TypeVar, cast

from .elements import parse_date, parse_number
from .envelope import EnvelopeReader, Finding, TransactionSet
from .errors import X12ReadError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

IMPLEMENTATION = "005010X221A1"
PAYMENT_METHODS = frozenset({"ACH", "BOP", "CHK", "FWT", "NON"})
_ZERO = Decimal(0)
# Segments that end Loop 2110 / Loop 2100 (a new line, claim, Loop 2000 header, PLB or SE).
_LINE_END = frozenset({"SVC", "CLP", "LX", "PLB", "SE"})
_CLAIM_END = frozenset({"CLP", "LX", "PLB", "SE"})
# Real files write composites with the other usual separator than the one ISA16 declares.
_OTHER_COMPONENT = {":": ">", ">": ":"}

_P = ParamSpec("_P")
_T = TypeVar("_T", bound="DataclassInstance")


def _fast_constructor(cls: Callable[_P, _T]) -> Callable[_P, _T]:
    """Build instances of the frozen dataclass `cls` 3-13 times faster than its own __init__
    (more for more fields; measured on CPython 3.11).

    A frozen dataclass's __init__ sets every field through object.__setattr__, about 0.3 µs a
    field, and a 20,000-claim file has about two million fields. A plain slotted twin with the
    same fields has the same memory layout, so an instance is initialised as the twin with
    ordinary assignments and then becomes a `cls`. The result is an ordinary frozen instance:
    eq, hash, repr and FrozenInstanceError are those of `cls`. Fields must have no defaults
    (the twin would not know them); every argument is passed.
    """
    frozen = cast("type[_T]", cls)
    if any(
        item.default is not MISSING or item.default_factory is not MISSING
        for item in fields(frozen)
    ):
        raise TypeError(f"{frozen.__name__}: fields with defaults are not supported")
    names = [item.name for item in fields(frozen)]
    twin = make_dataclass(f"_{frozen.__name__}Draft", names, slots=True, eq=False, repr=False)

    def build(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        instance: _T = twin(*args, **kwargs)
        instance.__class__ = frozen
        return instance

    return build


@dataclass(frozen=True, slots=True)
class Reference:
    """REF: qualifier (2U payer id, TJ tax id, 6R line item control number ...) and value."""

    qualifier: str
    value: str

    def as_dict(self) -> dict[str, object]:
        return {"qualifier": self.qualifier, "value": self.value}


@dataclass(frozen=True, slots=True)
class Amount:
    """AMT: qualifier (AU coverage amount, B6 allowed, KH late filing reduction ...) and amount."""

    qualifier: str
    amount: Decimal

    def as_dict(self) -> dict[str, object]:
        return {"qualifier": self.qualifier, "amount": str(self.amount)}


@dataclass(frozen=True, slots=True)
class Party:
    """Loop 1000A payer (N1*PR) or Loop 1000B payee (N1*PE), with the loop's REF segments."""

    entity: str
    name: str
    id_qualifier: str | None
    id: str | None
    references: tuple[Reference, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "entity": self.entity,
            "name": self.name,
            "id_qualifier": self.id_qualifier,
            "id": self.id,
            "references": [reference.as_dict() for reference in self.references],
        }


@dataclass(frozen=True, slots=True)
class Name:
    """NM1 in Loop 2100: patient (QC), insured (IL), corrected insured (74), rendering
    provider (82), crossover carrier (TT) ... Names and ids are PHI: not in repr."""

    entity: str
    entity_type: str
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    middle_name: str = field(repr=False)
    suffix: str = field(repr=False)
    id_qualifier: str
    id: str = field(repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "entity": self.entity,
            "entity_type": self.entity_type,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "suffix": self.suffix,
            "id_qualifier": self.id_qualifier,
            "id": self.id,
        }


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One reason/amount/quantity triplet of a CAS segment (Loop 2100 or 2110 CAS): group
    CO/PR/OA/PI/CR, CARC reason code, amount (positive reduces payment), quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None

    def as_dict(self) -> dict[str, object]:
        return {
            "group": self.group,
            "reason": self.reason,
            "amount": str(self.amount),
            "quantity": None if self.quantity is None else str(self.quantity),
        }


@dataclass(frozen=True, slots=True)
class Procedure:
    """C003 composite of SVC01/SVC06: qualifier (HC, N4, NU ...), code, modifiers, text."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    description: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "qualifier": self.qualifier,
            "code": self.code,
            "modifiers": list(self.modifiers),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """Loop 2110: one adjudicated service line. `line_item_control_number` (REF*6R) echoes
    the 837's, so a line still matches when the payer changed the procedure or modifiers."""

    procedure: Procedure
    charge: Decimal
    paid: Decimal
    revenue_code: str | None
    units: Decimal | None
    original_procedure: Procedure | None
    original_units: Decimal | None
    service_date: date | None
    service_start: date | None
    service_end: date | None
    adjustments: tuple[Adjustment, ...]
    line_item_control_number: str | None
    references: tuple[Reference, ...]
    allowed: Decimal | None
    amounts: tuple[Amount, ...]
    remark_codes: tuple[str, ...]
    reject_codes: tuple[str, ...]
    segment_index: int

    def as_dict(self) -> dict[str, object]:
        return {
            "procedure": self.procedure.as_dict(),
            "charge": str(self.charge),
            "paid": str(self.paid),
            "revenue_code": self.revenue_code,
            "units": _text(self.units),
            "original_procedure": (
                None if self.original_procedure is None else self.original_procedure.as_dict()
            ),
            "original_units": _text(self.original_units),
            "service_date": _iso(self.service_date),
            "service_start": _iso(self.service_start),
            "service_end": _iso(self.service_end),
            "adjustments": [adjustment.as_dict() for adjustment in self.adjustments],
            "line_item_control_number": self.line_item_control_number,
            "references": [reference.as_dict() for reference in self.references],
            "allowed": _text(self.allowed),
            "amounts": [amount.as_dict() for amount in self.amounts],
            "remark_codes": list(self.remark_codes),
            "reject_codes": list(self.reject_codes),
            "segment_index": self.segment_index,
        }


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """Loop 2100: the payer's adjudication of one claim. CLP01 echoes the 837's CLM01;
    CLP02 is the claim status (1, 2, 3 processed as primary/secondary/tertiary, 4 denied,
    19-23 crossovers and reversals, 25 predetermination); a reversal (22) has negative
    amounts."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_code: str
    payer_claim_control_number: str
    facility_code: str | None
    frequency_code: str | None
    adjustments: tuple[Adjustment, ...]
    patient: Name | None
    insured: Name | None
    corrected_insured: Name | None
    rendering_provider: Name | None
    crossover_carrier: Name | None
    inpatient_remark_codes: tuple[str, ...]
    outpatient_remark_codes: tuple[str, ...]
    statement_start: date | None
    statement_end: date | None
    received_date: date | None
    amounts: tuple[Amount, ...]
    references: tuple[Reference, ...]
    lines: tuple[ServiceLine, ...]
    segment_index: int

    def as_dict(self) -> dict[str, object]:
        return {
            "patient_control_number": self.patient_control_number,
            "status_code": self.status_code,
            "charge": str(self.charge),
            "paid": str(self.paid),
            "patient_responsibility": _text(self.patient_responsibility),
            "filing_code": self.filing_code,
            "payer_claim_control_number": self.payer_claim_control_number,
            "facility_code": self.facility_code,
            "frequency_code": self.frequency_code,
            "adjustments": [adjustment.as_dict() for adjustment in self.adjustments],
            "patient": _name(self.patient),
            "insured": _name(self.insured),
            "corrected_insured": _name(self.corrected_insured),
            "rendering_provider": _name(self.rendering_provider),
            "crossover_carrier": _name(self.crossover_carrier),
            "inpatient_remark_codes": list(self.inpatient_remark_codes),
            "outpatient_remark_codes": list(self.outpatient_remark_codes),
            "statement_start": _iso(self.statement_start),
            "statement_end": _iso(self.statement_end),
            "received_date": _iso(self.received_date),
            "amounts": [amount.as_dict() for amount in self.amounts],
            "references": [reference.as_dict() for reference in self.references],
            "lines": [line.as_dict() for line in self.lines],
            "segment_index": self.segment_index,
        }


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One reason/amount pair of a PLB segment. A positive amount reduces the payment
    (e.g. WO overpayment recovery), a negative one adds to it (e.g. L6 interest)."""

    provider_id: str
    fiscal_period_date: date | None
    reason_code: str
    reference_id: str | None
    amount: Decimal
    segment_index: int

    def as_dict(self) -> dict[str, object]:
        return {
            "provider_id": self.provider_id,
            "fiscal_period_date": _iso(self.fiscal_period_date),
            "reason_code": self.reason_code,
            "reference_id": self.reference_id,
            "amount": str(self.amount),
            "segment_index": self.segment_index,
        }


@dataclass(frozen=True, slots=True)
class Payment:
    """BPR: BPR01 handling (C payment with remittance, I remittance only, H notification,
    P prenotification...), BPR02 total actual provider payment, BPR03 C credit / D debit,
    BPR04 method (ACH, CHK, NON, BOP, FWT), BPR05 format, BPR16 check issue or EFT effective
    date (None when missing or invalid, with a finding)."""

    handling_code: str
    total_paid: Decimal
    credit_debit: str
    method: str
    payment_format: str | None
    effective_date: date | None
    segment_index: int

    def as_dict(self) -> dict[str, object]:
        return {
            "handling_code": self.handling_code,
            "total_paid": str(self.total_paid),
            "credit_debit": self.credit_debit,
            "method": self.method,
            "format": self.payment_format,
            "effective_date": _iso(self.effective_date),
        }


@dataclass(frozen=True, slots=True)
class Trace:
    """TRN: the check or EFT trace number (TRN02) and the payer's identifier (TRN03): with
    the payer they identify a payment, which is how a remittance is deduplicated."""

    trace_type: str
    trace_number: str
    payer_id: str
    payer_supplemental_id: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "trace_type": self.trace_type,
            "trace_number": self.trace_number,
            "payer_id": self.payer_id,
            "payer_supplemental_id": self.payer_supplemental_id,
        }


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction set, typed, with its findings (envelope, data and balancing)."""

    control_number: str
    implementation_reference: str | None
    interchange_control_number: str
    group_control_number: str
    payment: Payment
    trace: Trace | None
    production_date: date | None
    references: tuple[Reference, ...]
    payer: Party | None
    payee: Party | None
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    findings: tuple[Finding, ...]

    @property
    def total_paid(self) -> Decimal:
        return self.payment.total_paid

    @property
    def trace_number(self) -> str | None:
        return None if self.trace is None else self.trace.trace_number

    def as_dict(self) -> dict[str, object]:
        return {
            "type": "835",
            "control_number": self.control_number,
            "implementation_reference": self.implementation_reference,
            "interchange_control_number": self.interchange_control_number,
            "group_control_number": self.group_control_number,
            "total_paid": str(self.total_paid),
            "trace_number": self.trace_number,
            "payment": self.payment.as_dict(),
            "trace": None if self.trace is None else self.trace.as_dict(),
            "production_date": _iso(self.production_date),
            "references": [reference.as_dict() for reference in self.references],
            "payer": None if self.payer is None else self.payer.as_dict(),
            "payee": None if self.payee is None else self.payee.as_dict(),
            "claims": [claim.as_dict() for claim in self.claims],
            "provider_adjustments": [item.as_dict() for item in self.provider_adjustments],
            "findings": [finding.as_dict() for finding in self.findings],
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _name(value: Name | None) -> dict[str, object] | None:
    return None if value is None else value.as_dict()


_new_adjustment = _fast_constructor(Adjustment)
_new_name = _fast_constructor(Name)
_new_procedure = _fast_constructor(Procedure)
_new_line = _fast_constructor(ServiceLine)
_new_claim = _fast_constructor(ClaimPayment)
_new_amount = _fast_constructor(Amount)
_new_reference = _fast_constructor(Reference)


def _padded(segment: list[str], size: int) -> list[str]:
    """The segment with trailing empty elements up to `size` (X12 drops trailing empties)."""
    return segment if len(segment) >= size else segment + [""] * (size - len(segment))


class _Reader:
    """One pass over one 835's segments, with per-transaction caches for the dates, procedure
    composites and units of service that a file repeats thousands of times."""

    def __init__(self, ts: TransactionSet) -> None:
        self.ts = ts
        self.base = ts.first_index
        self.findings: list[Finding] = list(ts.findings)
        self.component = ts.interchange.delimiters.component
        self.other_component = _OTHER_COMPONENT.get(self.component)
        self.separator_reported = False
        self.dates: dict[str, date] = {}
        self.procedures: dict[str, Procedure] = {}
        self.units: dict[str, Decimal] = {}
        self.payment: Payment | None = None
        self.trace: Trace | None = None
        self.production_date: date | None = None
        self.references: list[Reference] = []
        self.payer: Party | None = None
        self.payee: Party | None = None
        self.claims: list[ClaimPayment] = []
        self.provider_adjustments: list[ProviderAdjustment] = []
        self.paid_total = _ZERO

    # -- findings and element conversions ------------------------------------------------

    def _finding(
        self, code: str, message: str, index: int, segment_id: str, position: int | None = None
    ) -> None:
        self.findings.append(Finding(code, message, index, segment_id, position))

    def _money(self, value: str, index: int, segment_id: str, position: int, what: str) -> Decimal:
        """Payment, claim or balancing money. Empty: a finding, read as 0. Not a number: the
        file cannot be trusted, X12ReadError."""
        if not value:
            self._finding(
                "missing_element",
                f"{segment_id}{position:02d} {what} is empty; read as 0",
                index,
                segment_id,
                position,
            )
            return _ZERO
        number = parse_number(value)
        if number is None:
            raise X12ReadError(
                f"{what} {value!r} is not a number",
                segment_index=index,
                segment_id=segment_id,
                element_position=position,
            )
        return number

    def _quantity(
        self, value: str, index: int, segment_id: str, position: int, what: str
    ) -> Decimal | None:
        """A number that does not drive balancing: unreadable is a finding, read as None."""
        if not value:
            return None
        number = parse_number(value)
        if number is None:
            self._finding(
                "invalid_number",
                f"{what} {value!r} is not a number; ignored",
                index,
                segment_id,
                position,
            )
        return number

    def _date(self, value: str, index: int, segment_id: str, position: int) -> date | None:
        """CCYYMMDD (DTM02, BPR16, PLB02). Missing or invalid: a finding, read as None."""
        parsed = parse_date(value)
        if parsed is not None:
            self.dates[value] = parsed
        elif value:
            self._finding(
                "invalid_date",
                f"{segment_id}{position:02d} date {value!r} is not a valid CCYYMMDD date",
                index,
                segment_id,
                position,
            )
        else:
            self._finding(
                "missing_element",
                f"{segment_id}{position:02d} date is missing",
                index,
                segment_id,
                position,
            )
        return parsed

    def _composite(self, value: str, index: int, segment_id: str, position: int) -> list[str]:
        """Split a composite; when the declared ISA16 separator is absent but the other usual
        one is there (real files: SVC01 "HC>99213" under ISA16 ":"), use it and say so once."""
        parts = value.split(self.component)
        other = self.other_component
        if len(parts) == 1 and other is not None and other in value:
            parts = value.split(other)
            if not self.separator_reported:
                self.separator_reported = True
                self._finding(
                    "component_separator_mismatch",
                    f"ISA16 declares {self.component!r} as component separator but "
                    f"{segment_id}{position:02d} uses {other!r}; read with {other!r}",
                    index,
                    segment_id,
                    position,
                )
        return parts

    def _procedure(
        self, value: str, index: int, segment_id: str, position: int
    ) -> Procedure | None:
        """C003 (SVC01, SVC06): qualifier, code, modifiers 1-4, description."""
        known = self.procedures.get(value)
        if known is not None:
            return known
        parts = self._composite(value, index, segment_id, position)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            self._finding(
                "malformed_composite",
                f"{segment_id}{position:02d} {value!r} is not a qualifier and a procedure code",
                index,
                segment_id,
                position,
            )
            return None
        procedure = _new_procedure(
            parts[0],
            parts[1],
            tuple(modifier for modifier in parts[2:6] if modifier),
            parts[6] if len(parts) > 6 and parts[6] else None,
        )
        self.procedures[value] = procedure
        return procedure

    # -- Table 1: header, Loops 1000A and 1000B --------------------------------------------

    def read(self) -> Remittance:
        segments = self.ts.segments
        if segments[-1][0] != "SE":  # the loops stop at SE; a hand-built set may lack it
            segments = [*segments, ["SE"]]
        position = self._read_header(segments)
        position = self._read_detail(segments, position)
        self._read_trailer(segments, position)
        payment = self.payment
        assert payment is not None  # _read_header raises without a BPR
        expected = self.paid_total - sum((item.amount for item in self.provider_adjustments), _ZERO)
        if expected != payment.total_paid:
            self._finding(
                "transaction_out_of_balance",
                f"BPR02 is {payment.total_paid}, but the sum of CLP04 ({self.paid_total}) "
                f"less the PLB adjustments is {expected}",
                payment.segment_index,
                "BPR",
                2,
            )
        ts = self.ts
        return Remittance(
            control_number=ts.control_number,
            implementation_reference=ts.implementation_reference,
            interchange_control_number=ts.interchange.control_number,
            group_control_number=ts.group.control_number,
            payment=payment,
            trace=self.trace,
            production_date=self.production_date,
            references=tuple(self.references),
            payer=self.payer,
            payee=self.payee,
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.provider_adjustments),
            findings=tuple(self.findings),
        )

    def _read_header(self, segments: list[list[str]]) -> int:
        """ST to the first CLP: BPR, TRN, REF, DTM*405, Loop 1000A (N1*PR) and Loop 1000B
        (N1*PE) with their REF; LX, TS3 and TS2 (Loop 2000) are skipped. Returns the
        position of the first CLP, PLB or SE."""
        ts = self.ts
        version = ts.implementation_reference or ts.group.version
        if version != IMPLEMENTATION:
            self._finding(
                "unexpected_implementation",
                f"ST03/GS08 is {version!r}, read as {IMPLEMENTATION}",
                ts.first_index,
                "ST",
                3,
            )
        party: list[str] | None = None
        party_references: list[Reference] = []
        position = 1
        for position in range(1, len(segments)):
            segment = segments[position]
            tag = segment[0]
            if tag in ("CLP", "PLB", "SE"):
                break
            index = self.base + position
            if tag == "BPR":
                self._bpr(segment, index)
            elif tag == "TRN":
                trn = _padded(segment, 5)
                self.trace = Trace(trn[1], trn[2], trn[3], trn[4] or None)
            elif tag == "DTM" and len(segment) > 1 and segment[1] == "405":
                self.production_date = self._date(_padded(segment, 3)[2], index, "DTM", 2)
            elif tag == "N1":
                self._close_party(party, party_references)
                party, party_references = _padded(segment, 5), []
            elif tag == "REF" and len(segment) > 2:
                reference = Reference(segment[1], segment[2])
                (party_references if party is not None else self.references).append(reference)
            elif tag == "LX":
                self._close_party(party, party_references)
                party = None
        self._close_party(party, party_references)
        if self.payment is None:
            raise X12ReadError(
                f"835 {ts.control_number} has no BPR (financial information)",
                segment_index=ts.first_index,
                segment_id="ST",
            )
        for missing, what in (
            (self.trace is None, "TRN (reassociation trace number)"),
            (self.payer is None, "N1*PR (Loop 1000A payer)"),
            (self.payee is None, "N1*PE (Loop 1000B payee)"),
        ):
            if missing:
                self._finding("missing_segment", f"the 835 has no {what}", ts.first_index, "ST")
        return position

    def _close_party(self, n1: list[str] | None, references: list[Reference]) -> None:
        if n1 is None:
            return
        party = Party(n1[1], n1[2], n1[3] or None, n1[4] or None, tuple(references))
        if n1[1] == "PR":
            self.payer = party
        elif n1[1] == "PE":
            self.payee = party

    def _bpr(self, segment: list[str], index: int) -> None:
        bpr = _padded(segment, 17)
        method = bpr[4]
        if method not in PAYMENT_METHODS:
            self._finding(
                "unknown_payment_method",
                f"BPR04 payment method {method!r} is not one of {sorted(PAYMENT_METHODS)}",
                index,
                "BPR",
                4,
            )
        self.payment = Payment(
            handling_code=bpr[1],
            total_paid=self._money(bpr[2], index, "BPR", 2, "total provider payment"),
            credit_debit=bpr[3],
            method=method,
            payment_format=bpr[5] or None,
            effective_date=self._date(bpr[16], index, "BPR", 16),
            segment_index=index,
        )

    # -- Table 2: Loops 2100 and 2110 ------------------------------------------------------

    def _read_detail(self, segments: list[list[str]], position: int) -> int:
        """Table 2: Loop 2000 (LX, TS3, TS2 are not needed) and its claims, up to PLB or SE."""
        claims = self.claims
        while True:
            tag = segments[position][0]
            if tag == "CLP":
                claim, position = self._read_claim(segments, position)
                claims.append(claim)
                self.paid_total += claim.paid
            elif tag in ("PLB", "SE"):
                return position
            else:
                if tag not in ("LX", "TS3", "TS2"):
                    self._finding(
                        "segment_out_of_place",
                        f"{tag} outside a claim (Loop 2100) is ignored",
                        self.base + position,
                        tag,
                    )
                position += 1

    def _read_claim(self, segments: list[list[str]], position: int) -> tuple[ClaimPayment, int]:
        """Loop 2100: CLP and what follows up to the next CLP, LX, PLB or SE; returns the
        claim and the position of the segment that ended it. Balancing: CLP03 - claim CAS -
        line CAS = CLP04."""
        base = self.base
        dates = self.dates
        index = base + position
        clp = segments[position]
        if len(clp) < 10:
            clp = _padded(clp, 10)
        try:  # the usual case inline; _money reports empty and rejects unreadable amounts
            charge = Decimal(clp[3])
            paid = Decimal(clp[4])
            if not (charge.is_finite() and paid.is_finite()):
                raise InvalidOperation
        except InvalidOperation:
            charge = self._money(clp[3], index, "CLP", 3, "total claim charge")
            paid = self._money(clp[4], index, "CLP", 4, "claim payment amount")
        responsibility = (
            self._money(clp[5], index, "CLP", 5, "patient responsibility") if clp[5] else None
        )
        adjusted = _ZERO
        adjustments: tuple[Adjustment, ...] = ()
        lines: list[ServiceLine] = []
        amounts: tuple[Amount, ...] = ()
        references: tuple[Reference, ...] = ()
        patient = insured = corrected_insured = rendering = crossover = None
        inpatient: tuple[str, ...] = ()
        outpatient: tuple[str, ...] = ()
        statement_start = statement_end = received = None
        while True:
            position += 1
            segment = segments[position]
            tag = segment[0]
            if tag == "SVC":
                line, position, line_adjusted = self._read_line(
                    segments, position, clp[1], len(lines) + 1
                )
                lines.append(line)
                adjusted += line_adjusted
                position -= 1  # the segment that ended the line is read by this loop
            elif tag == "DTM":
                if len(segment) > 2:
                    value = segment[2]
                    when = dates.get(value) or self._date(value, base + position, "DTM", 2)
                    qualifier = segment[1]
                    if qualifier == "232":
                        statement_start = when
                    elif qualifier == "233":
                        statement_end = when
                    elif qualifier == "050":
                        received = when
            elif tag == "NM1":
                nm1 = segment if len(segment) > 9 else _padded(segment, 10)
                entity = nm1[1]
                name = _new_name(entity, nm1[2], nm1[3], nm1[4], nm1[5], nm1[7], nm1[8], nm1[9])
                if entity == "QC":
                    patient = name
                elif entity == "82":
                    rendering = name
                elif entity == "IL":
                    insured = name
                elif entity == "74":
                    corrected_insured = name
                elif entity == "TT":
                    crossover = name
            elif tag == "CAS":
                found = self._cas(segment, base + position)
                for adjustment in found:
                    adjusted += adjustment.amount
                adjustments += found
            elif tag == "REF":
                if len(segment) > 2:
                    references += (_new_reference(segment[1], segment[2]),)
            elif tag == "AMT":
                if len(segment) > 2:
                    amount = self._quantity(segment[2], base + position, "AMT", 2, "amount")
                    if amount is not None:
                        amounts += (_new_amount(segment[1], amount),)
            elif tag in _CLAIM_END:
                break
            elif tag == "MIA":
                mia = _padded(segment, 25)
                inpatient = tuple(code for code in (mia[5], *mia[20:25]) if code)
            elif tag == "MOA":
                outpatient = tuple(code for code in _padded(segment, 8)[3:8] if code)
        if charge - adjusted != paid:
            self._finding(
                "claim_out_of_balance",
                f"claim {clp[1]!r}: CLP03 {charge} - adjustments {adjusted} = "
                f"{charge - adjusted}, but CLP04 is {paid}",
                index,
                "CLP",
                4,
            )
        claim = _new_claim(
            clp[1],
            clp[2],
            charge,
            paid,
            responsibility,
            clp[6],
            clp[7],
            clp[8] or None,
            clp[9] or None,
            adjustments,
            patient,
            insured,
            corrected_insured,
            rendering,
            crossover,
            inpatient,
            outpatient,
            statement_start,
            statement_end,
            received,
            amounts,
            references,
            tuple(lines),
            index,
        )
        return claim, position

    def _read_line(
        self, segments: list[list[str]], position: int, claim_id: str, number: int
    ) -> tuple[ServiceLine, int, Decimal]:
        """Loop 2110: SVC and what follows up to the next SVC or the end of the claim;
        returns the line, the position of the segment that ended it and the sum of its CAS.
        Balancing: SVC02 - line CAS = SVC03."""
        base = self.base
        dates = self.dates
        index = base + position
        svc = _padded(segments[position], 8)
        procedure = self.procedures.get(svc[1]) or self._procedure(svc[1], index, "SVC", 1)
        if procedure is None:
            procedure = _new_procedure(svc[1].split(self.component)[0], "", (), None)
        try:  # the usual case inline; _money reports empty and rejects unreadable amounts
            charge = Decimal(svc[2])
            paid = Decimal(svc[3])
            if not (charge.is_finite() and paid.is_finite()):
                raise InvalidOperation
        except InvalidOperation:
            charge = self._money(svc[2], index, "SVC", 2, "line item charge")
            paid = self._money(svc[3], index, "SVC", 3, "line item payment")
        units = self.units.get(svc[5])
        if units is None and svc[5]:
            units = self._quantity(svc[5], index, "SVC", 5, "units of service")
            if units is not None:
                self.units[svc[5]] = units
        original = self._procedure(svc[6], index, "SVC", 6) if svc[6] else None
        original_units = (
            self._quantity(svc[7], index, "SVC", 7, "original units") if svc[7] else None
        )
        adjusted = _ZERO
        adjustments: tuple[Adjustment, ...] = ()
        references: tuple[Reference, ...] = ()
        amounts: tuple[Amount, ...] = ()
        remark_codes: tuple[str, ...] = ()
        reject_codes: tuple[str, ...] = ()
        service_date = service_start = service_end = allowed = control_number = None
        while True:
            position += 1
            segment = segments[position]
            tag = segment[0]
            if tag == "CAS":
                if len(segment) == 4 and segment[2]:  # one triplet, no quantity: the usual CAS
                    try:
                        amount = Decimal(segment[3])
                        if not amount.is_finite():
                            raise InvalidOperation
                    except InvalidOperation:
                        amount = self._money(segment[3], base + position, "CAS", 3, "amount")
                    adjusted += amount
                    adjustments += (_new_adjustment(segment[1], segment[2], amount, None),)
                else:
                    found = self._cas(segment, base + position)
                    for adjustment in found:
                        adjusted += adjustment.amount
                    adjustments += found
            elif tag == "DTM":
                if len(segment) > 2:
                    value = segment[2]
                    when = dates.get(value) or self._date(value, base + position, "DTM", 2)
                    qualifier = segment[1]
                    if qualifier == "472":
                        service_date = when
                    elif qualifier == "150":
                        service_start = when
                    elif qualifier == "151":
                        service_end = when
            elif tag == "REF":
                if len(segment) > 2:
                    if segment[1] == "6R":
                        control_number = segment[2]
                    else:
                        references += (_new_reference(segment[1], segment[2]),)
            elif tag == "AMT":
                if len(segment) > 2:
                    figure = parse_number(segment[2])
                    if figure is None:
                        self._quantity(segment[2], base + position, "AMT", 2, "amount")
                    elif segment[1] == "B6":
                        allowed = figure
                    else:
                        amounts += (_new_amount(segment[1], figure),)
            elif tag in _LINE_END:
                break
            elif tag == "LQ" and len(segment) > 2:
                if segment[1] == "HE":
                    remark_codes += (segment[2],)
                else:
                    reject_codes += (segment[2],)
        if charge - adjusted != paid:
            self._finding(
                "line_out_of_balance",
                f"claim {claim_id!r} line {number}"
                f"{f' (REF*6R {control_number!r})' if control_number else ''}: "
                f"SVC02 {charge} - adjustments {adjusted} = {charge - adjusted}, "
                f"but SVC03 is {paid}",
                index,
                "SVC",
                3,
            )
        line = _new_line(
            procedure,
            charge,
            paid,
            svc[4] or None,
            units,
            original,
            original_units,
            service_date,
            service_start,
            service_end,
            adjustments,
            control_number,
            references,
            allowed,
            amounts,
            remark_codes,
            reject_codes,
            index,
        )
        return line, position, adjusted

    def _cas(self, segment: list[str], index: int) -> tuple[Adjustment, ...]:
        """CAS with up to six reason/amount/quantity triplets (CAS02-04 ... CAS17-19)."""
        group = segment[1] if len(segment) > 1 else ""
        cas = _padded(segment, 20)
        adjustments: list[Adjustment] = []
        for position in range(2, 20, 3):
            reason, value, quantity = cas[position], cas[position + 1], cas[position + 2]
            if not (reason or value or quantity):
                continue
            if not reason:
                self._finding(
                    "missing_element",
                    f"CAS{position:02d} reason code is empty for amount {value!r}",
                    index,
                    "CAS",
                    position,
                )
            adjustments.append(
                _new_adjustment(
                    group,
                    reason,
                    self._money(value, index, "CAS", position + 1, "adjustment amount"),
                    self._quantity(quantity, index, "CAS", position + 2, "quantity"),
                )
            )
        return tuple(adjustments)

    # -- Table 3: PLB ----------------------------------------------------------------------

    def _read_trailer(self, segments: list[list[str]], start: int) -> None:
        """PLB segments up to SE; anything else here is out of place (and ignored)."""
        for position in range(start, len(segments)):
            segment = segments[position]
            tag = segment[0]
            index = self.base + position
            if tag == "PLB":
                self._plb(segment, index)
            elif tag == "SE":
                return
            else:
                self._finding(
                    "segment_out_of_place",
                    f"{tag} after the provider adjustments (PLB) is ignored",
                    index,
                    tag,
                )

    def _plb(self, segment: list[str], index: int) -> None:
        """PLB01 provider, PLB02 fiscal period date, then up to six pairs of a reason
        composite (code and reference id) and an amount (PLB03-04 ... PLB13-14)."""
        plb = _padded(segment, 15)
        fiscal = self._date(plb[2], index, "PLB", 2)
        for position in range(3, 15, 2):
            reason, value = plb[position], plb[position + 1]
            if not (reason or value):
                continue
            parts = self._composite(reason, index, "PLB", position)
            self.provider_adjustments.append(
                ProviderAdjustment(
                    provider_id=plb[1],
                    fiscal_period_date=fiscal,
                    reason_code=parts[0],
                    reference_id=parts[1] if len(parts) > 1 and parts[1] else None,
                    amount=self._money(value, index, "PLB", position + 1, "adjustment amount"),
                    segment_index=index,
                )
            )


def parse_835(ts: TransactionSet) -> Remittance:
    """Read one 835 transaction set into a `Remittance`, balancing findings included."""
    if ts.transaction_set_id != "835":
        raise X12ReadError(
            f"transaction set {ts.control_number} is a {ts.transaction_set_id or '?'}, not an 835",
            segment_index=ts.first_index,
            segment_id="ST",
            element_position=1,
        )
    return _Reader(ts).read()


def iter_remittances(
    source: BinaryIO | bytes, *, skip_other_types: bool = False
) -> Iterator[Remittance]:
    """Read the 835s of a file one transaction set at a time, so memory stays flat however
    large the file. Another transaction type is an X12ReadError unless `skip_other_types`."""
    for ts in EnvelopeReader(source):
        if ts.transaction_set_id != "835" and skip_other_types:
            continue
        yield parse_835(ts)
