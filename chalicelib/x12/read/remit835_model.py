"""Reading the 835 (005010X221A1), part 2 of 3: the remittance and its claims and lines.

The claim and line views are typed tuples built with their money as the set is read; their
other fields are decoded from the loop's own text on first use, once, and kept by the set's
quiet `_Values` (by file position), so a view is a plain immutable tuple."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from datetime import date
from decimal import (
    Decimal,
)
from typing import (
    Generic,
    NamedTuple,
    Protocol,
    TypeVar,
    cast,
    overload,
)

from ..envelope import Finding
from .remit835_values import (
    _ZERO,
    CLAIM_DATES,
    CLAIM_NAMES,
    LINE_DATES,
    Adjustment,
    Amount,
    Name,
    Party,
    Procedure,
    Reference,
    _ClaimDetails,
    _LineDetails,
    _padded,
    _Values,
)


def _frozen(self: object, name: str, value: object = None) -> None:
    """__setattr__ and __delattr__ of the views: immutable like the frozen dataclasses."""
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


_V = TypeVar("_V")


class _View(Protocol):
    @property
    def _details(self) -> object: ...


class _Decoded(Generic[_V]):
    """A field of a claim or line view that is decoded from the loop's text on first use:
    read from the view's cached `_details`, which has a field of the same name."""

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> _Decoded[_V]: ...

    @overload
    def __get__(self, instance: _View, owner: type) -> _V: ...

    def __get__(self, instance: _View | None, owner: type) -> _Decoded[_V] | _V:
        if instance is None:
            return self
        return cast("_V", getattr(instance._details, self.name))


def _line_details(segments: list[list[str]], values: _Values, index: int) -> _LineDetails:
    """Loop 2110 after SVC: CAS, DTM 472/150/151, REF (6R apart), AMT (B6 apart) and LQ.
    `index` is the file position of segments[0], for findings."""
    adjusted = _ZERO
    adjustments: tuple[Adjustment, ...] = ()
    references: tuple[Reference, ...] = ()
    amounts: tuple[Amount, ...] = ()
    remark_codes: tuple[str, ...] = ()
    reject_codes: tuple[str, ...] = ()
    allowed = control_number = None
    dates: dict[str, date | None] = {}
    for offset, segment in enumerate(segments):
        tag = segment[0]
        if tag == "CAS":
            found = values.cas(segment, index + offset)
            for adjustment in found:
                adjusted += adjustment.amount
            adjustments += found
        elif tag == "DTM":
            if len(segment) > 2:
                when = values.date(segment[2], index + offset, "DTM", 2)
                field = LINE_DATES.get(segment[1])
                if field is not None:
                    dates[field] = when
        elif tag == "REF":
            if len(segment) > 2:
                if segment[1] == "6R":
                    control_number = segment[2]
                else:
                    references += (Reference(segment[1], segment[2]),)
        elif tag == "AMT":
            if len(segment) > 2:
                figure = values.amount(segment[2], index + offset, "AMT", 2, "")
                if figure is None:
                    pass
                elif segment[1] == "B6":
                    allowed = figure
                else:
                    amounts += (Amount(segment[1], figure),)
        elif tag == "LQ" and len(segment) > 2:
            if segment[1] == "HE":
                remark_codes += (segment[2],)
            else:
                reject_codes += (segment[2],)
    return _LineDetails(
        adjustments,
        adjusted,
        dates.get("service_date"),
        dates.get("service_start"),
        dates.get("service_end"),
        control_number,
        references,
        allowed,
        amounts,
        remark_codes,
        reject_codes,
    )


class _ServiceLineFields(NamedTuple):
    procedure: Procedure
    charge: Decimal
    paid: Decimal
    revenue_code: str | None
    units: Decimal | None
    original_procedure: Procedure | None
    original_units: Decimal | None
    segment_index: int
    raw: str
    syntax: _Values


class ServiceLine(_ServiceLineFields):
    """Loop 2110: one adjudicated service line. `line_item_control_number` (REF*6R) echoes
    the 837's, so a line still matches when the payer changed the procedure or modifiers.

    Immutable. The SVC elements and the money are read with the set; the other fields are
    decoded from `raw` (the loop's segments as received, SVC01 on; PHI-free but not for logs)
    on first use. Everything in them was checked when the set was read."""

    __slots__ = ()
    __setattr__ = _frozen
    __delattr__ = _frozen

    @property
    def _details(self) -> _LineDetails:
        cache = self.syntax.line_details
        details = cache.get(self.segment_index)
        if details is None:
            details = self._decode()
            cache[self.segment_index] = details
        return details

    def _decode(self) -> _LineDetails:
        syntax = self.syntax
        return _line_details(syntax.segments(self.raw)[1:], syntax, 0)

    adjustments: _Decoded[tuple[Adjustment, ...]] = _Decoded()
    service_date: _Decoded[date | None] = _Decoded()
    service_start: _Decoded[date | None] = _Decoded()
    service_end: _Decoded[date | None] = _Decoded()
    line_item_control_number: _Decoded[str | None] = _Decoded()
    references: _Decoded[tuple[Reference, ...]] = _Decoded()
    allowed: _Decoded[Decimal | None] = _Decoded()
    amounts: _Decoded[tuple[Amount, ...]] = _Decoded()
    remark_codes: _Decoded[tuple[str, ...]] = _Decoded()
    reject_codes: _Decoded[tuple[str, ...]] = _Decoded()

    def __repr__(self) -> str:
        return (
            f"ServiceLine(procedure={self.procedure!r}, charge={self.charge!r}, "
            f"paid={self.paid!r}, segment_index={self.segment_index})"
        )

    def as_dict(self) -> dict[str, object]:
        """The line as JSON-ready data. Its details are decoded once here and not cached:
        a whole document's worth would otherwise stay in memory."""
        cached = self.syntax.line_details.get(self.segment_index)
        d = cached if cached is not None else self._decode()
        original = self.original_procedure
        return {
            "procedure": self.procedure.as_dict(),
            "charge": str(self.charge),
            "paid": str(self.paid),
            "revenue_code": self.revenue_code,
            "units": _text(self.units),
            "original_procedure": None if original is None else original.as_dict(),
            "original_units": _text(self.original_units),
            "service_date": _iso(d.service_date),
            "service_start": _iso(d.service_start),
            "service_end": _iso(d.service_end),
            "adjustments": [adjustment.as_dict() for adjustment in d.adjustments],
            "line_item_control_number": d.line_item_control_number,
            "references": [reference.as_dict() for reference in d.references],
            "allowed": _text(d.allowed),
            "amounts": [amount.as_dict() for amount in d.amounts],
            "remark_codes": list(d.remark_codes),
            "reject_codes": list(d.reject_codes),
            "segment_index": self.segment_index,
        }


def _claim_details(segments: list[list[str]], values: _Values, index: int) -> _ClaimDetails:
    """Loop 2100 after CLP up to the first SVC: CAS, NM1 (QC, IL, 74, 82, TT), DTM
    232/233/050, REF, AMT, MIA, MOA. `index` is the file position of segments[0]."""
    adjusted = _ZERO
    adjustments: tuple[Adjustment, ...] = ()
    amounts: tuple[Amount, ...] = ()
    references: tuple[Reference, ...] = ()
    names: dict[str, Name] = {}
    inpatient: tuple[str, ...] = ()
    outpatient: tuple[str, ...] = ()
    dates: dict[str, date | None] = {}
    for offset, segment in enumerate(segments):
        tag = segment[0]
        if tag == "DTM":
            if len(segment) > 2:
                when = values.date(segment[2], index + offset, "DTM", 2)
                field = CLAIM_DATES.get(segment[1])
                if field is not None:
                    dates[field] = when
        elif tag == "NM1":
            nm1 = _padded(segment, 10)
            field = CLAIM_NAMES.get(nm1[1])
            if field is not None:
                names[field] = Name(nm1[1], nm1[2], nm1[3], nm1[4], nm1[5], nm1[7], nm1[8], nm1[9])
        elif tag == "CAS":
            found = values.cas(segment, index + offset)
            for adjustment in found:
                adjusted += adjustment.amount
            adjustments += found
        elif tag == "REF":
            if len(segment) > 2:
                references += (Reference(segment[1], segment[2]),)
        elif tag == "AMT":
            if len(segment) > 2:
                amount = values.amount(segment[2], index + offset, "AMT", 2, "")
                if amount is not None:
                    amounts += (Amount(segment[1], amount),)
        elif tag == "MIA":
            mia = _padded(segment, 25)
            inpatient = tuple(code for code in (mia[5], *mia[20:25]) if code)
        elif tag == "MOA":
            outpatient = tuple(code for code in _padded(segment, 8)[3:8] if code)
    return _ClaimDetails(
        adjustments,
        adjusted,
        names.get("patient"),
        names.get("insured"),
        names.get("corrected_insured"),
        names.get("rendering_provider"),
        names.get("crossover_carrier"),
        inpatient,
        outpatient,
        dates.get("statement_start"),
        dates.get("statement_end"),
        dates.get("received_date"),
        amounts,
        references,
    )


class _ClaimPaymentFields(NamedTuple):
    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_code: str
    payer_claim_control_number: str
    facility_code: str | None
    frequency_code: str | None
    lines: tuple[ServiceLine, ...]
    segment_index: int
    raw: str
    syntax: _Values


class ClaimPayment(_ClaimPaymentFields):
    """Loop 2100: the payer's adjudication of one claim. CLP01 echoes the 837's CLM01;
    CLP02 is the claim status (1, 2, 3 processed as primary/secondary/tertiary, 4 denied,
    19-23 crossovers and reversals, 25 predetermination); a reversal (22) has negative
    amounts.

    Immutable. CLP, the money and the lines are read with the set; the other fields are
    decoded from `raw` (CLP01 up to the first SVC as received: PHI, never logged) on first
    use. Everything in them was checked when the set was read."""

    __slots__ = ()
    __setattr__ = _frozen
    __delattr__ = _frozen

    @property
    def _details(self) -> _ClaimDetails:
        cache = self.syntax.claim_details
        details = cache.get(self.segment_index)
        if details is None:
            details = self._decode()
            cache[self.segment_index] = details
        return details

    def _decode(self) -> _ClaimDetails:
        syntax = self.syntax
        return _claim_details(syntax.segments(self.raw)[1:], syntax, 0)

    adjustments: _Decoded[tuple[Adjustment, ...]] = _Decoded()
    patient: _Decoded[Name | None] = _Decoded()
    insured: _Decoded[Name | None] = _Decoded()
    corrected_insured: _Decoded[Name | None] = _Decoded()
    rendering_provider: _Decoded[Name | None] = _Decoded()
    crossover_carrier: _Decoded[Name | None] = _Decoded()
    inpatient_remark_codes: _Decoded[tuple[str, ...]] = _Decoded()
    outpatient_remark_codes: _Decoded[tuple[str, ...]] = _Decoded()
    statement_start: _Decoded[date | None] = _Decoded()
    statement_end: _Decoded[date | None] = _Decoded()
    received_date: _Decoded[date | None] = _Decoded()
    amounts: _Decoded[tuple[Amount, ...]] = _Decoded()
    references: _Decoded[tuple[Reference, ...]] = _Decoded()

    def __repr__(self) -> str:
        return (
            f"ClaimPayment(patient_control_number={self.patient_control_number!r}, "
            f"status_code={self.status_code!r}, charge={self.charge!r}, paid={self.paid!r}, "
            f"lines={len(self.lines)}, segment_index={self.segment_index})"
        )

    def as_dict(self) -> dict[str, object]:
        """The claim as JSON-ready data, its details decoded once (not cached: see lines)."""
        cached = self.syntax.claim_details.get(self.segment_index)
        d = cached if cached is not None else self._decode()
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
            "adjustments": [adjustment.as_dict() for adjustment in d.adjustments],
            "patient": _name(d.patient),
            "insured": _name(d.insured),
            "corrected_insured": _name(d.corrected_insured),
            "rendering_provider": _name(d.rendering_provider),
            "crossover_carrier": _name(d.crossover_carrier),
            "inpatient_remark_codes": list(d.inpatient_remark_codes),
            "outpatient_remark_codes": list(d.outpatient_remark_codes),
            "statement_start": _iso(d.statement_start),
            "statement_end": _iso(d.statement_end),
            "received_date": _iso(d.received_date),
            "amounts": [amount.as_dict() for amount in d.amounts],
            "references": [reference.as_dict() for reference in d.references],
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
        before, after = self.around_claims()
        return {**before, "claims": [claim.as_dict() for claim in self.claims], **after}

    def around_claims(self) -> tuple[dict[str, object], dict[str, object]]:
        """The document's fields before and after "claims", for a writer that writes the
        claims apart (`remit835_json`)."""
        before: dict[str, object] = {
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
        }
        after: dict[str, object] = {
            "provider_adjustments": [item.as_dict() for item in self.provider_adjustments],
            "findings": [finding.as_dict() for finding in self.findings],
        }
        return before, after


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _name(value: Name | None) -> dict[str, object] | None:
    return None if value is None else value.as_dict()
