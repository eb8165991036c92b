"""Reading the 835 (005010X221A1), part 1 of 3: the small value types (references, amounts,
names, adjustments, procedures) and the element conversions of one set (`_Values`), with the
caches of what a file repeats. The views and the remittance are in `remit835_model`; the
reading in `remit835`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import (
    Decimal,
)

from ..elements import AMOUNT, QUANTITY, number_error, parse_date, parse_number
from ..envelope import Finding
from ..tokenizer import Delimiters

IMPLEMENTATION = "005010X221A1"
PAYMENT_METHODS = frozenset({"ACH", "BOP", "CHK", "FWT", "NON"})
_ZERO = Decimal(0)
# Real files write composites with the other usual separator than the one ISA16 declares.
_OTHER_COMPONENT = {":": ">", ">": ":"}
# Which field of a claim or line a qualifier fills (a later segment replaces an earlier one):
# Loop 2100 NM101 entity identifier, Loop 2100 DTM01 and Loop 2110 DTM01 date qualifiers.
CLAIM_NAMES = {
    "QC": "patient",
    "IL": "insured",
    "74": "corrected_insured",
    "82": "rendering_provider",
    "TT": "crossover_carrier",
}
CLAIM_DATES = {"232": "statement_start", "233": "statement_end", "050": "received_date"}
LINE_DATES = {"472": "service_date", "150": "service_start", "151": "service_end"}


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


class _Values:
    """Element conversions for one 835, with the per-set caches of what a file repeats
    thousands of times (dates, procedure composites, units). Findings go to `findings`; a
    quiet instance (findings None) decodes the fields of loops that were checked when the set
    was read, so it never reports twice. Equal when the delimiters are."""

    __slots__ = (
        "claim_details",
        "dates",
        "delimiters",
        "findings",
        "line_details",
        "other_component",
        "procedures",
        "separator_reported",
        "units",
    )

    def __init__(self, delimiters: Delimiters, findings: list[Finding] | None) -> None:
        self.delimiters = delimiters
        self.other_component = _OTHER_COMPONENT.get(delimiters.component)
        self.findings = findings
        self.separator_reported = False
        self.dates: dict[str, date] = {}
        self.procedures: dict[str, Procedure] = {}
        self.units: dict[str, Decimal] = {}
        # The decoded loops of the views that read through this (quiet) instance, by the
        # file position of their CLP or SVC: each decoded once, on first use.
        self.line_details: dict[int, _LineDetails] = {}
        self.claim_details: dict[int, _ClaimDetails] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Values) and other.delimiters == self.delimiters

    def __hash__(self) -> int:
        return hash(self.delimiters)

    def __repr__(self) -> str:
        return f"_Values({self.delimiters!r})"

    def segments(self, raw: str) -> list[list[str]]:
        """A loop's raw text as segments (the first without its tag, as it was split off)."""
        element = self.delimiters.element
        return [segment.split(element) for segment in raw.split(self.delimiters.segment)]

    def finding(
        self, code: str, message: str, index: int, segment_id: str, position: int | None = None
    ) -> None:
        if self.findings is not None:
            self.findings.append(Finding(code, message, index, segment_id, position))

    def money(self, value: str, index: int, segment_id: str, position: int, what: str) -> Decimal:
        """Payment, claim or balancing money. Empty: a finding, read as 0. Not an X12 amount
        (R 1/18): the file cannot be trusted, X12ReadError."""
        if not value:
            self.finding(
                "missing_element",
                f"{segment_id}{position:02d} {what} is empty; read as 0",
                index,
                segment_id,
                position,
            )
            return _ZERO
        number = parse_number(value, AMOUNT)
        if number is None:
            raise number_error(AMOUNT, segment_id, index, position, what)
        return number

    def amount(
        self, value: str, index: int, segment_id: str, position: int, what: str
    ) -> Decimal | None:
        """Money that balancing does not add up (AMT02): None when empty; one that is not an
        X12 amount is an error all the same, as postings (allowed amounts) are built on it."""
        if not value:
            return None
        number = parse_number(value, AMOUNT)
        if number is None:
            raise number_error(AMOUNT, segment_id, index, position, what)
        return number

    def quantity(
        self, value: str, index: int, segment_id: str, position: int, what: str
    ) -> Decimal | None:
        """A quantity (DE 380, R 1/15): no money depends on it, so one that is not an X12
        quantity is a finding, read as None."""
        if not value:
            return None
        number = parse_number(value, QUANTITY)
        if number is None:
            self.finding(
                "invalid_number",
                f"{QUANTITY.message(segment_id, position, what)}; ignored",
                index,
                segment_id,
                position,
            )
        return number

    def date(self, value: str, index: int, segment_id: str, position: int) -> date | None:
        """CCYYMMDD (DTM02, BPR16, PLB02). Missing or invalid: a finding, read as None."""
        known = self.dates.get(value)
        if known is not None:
            return known
        parsed = parse_date(value)
        if parsed is not None:
            self.dates[value] = parsed
        elif value:
            self.finding(
                "invalid_date",
                f"{segment_id}{position:02d} date {value!r} is not a valid CCYYMMDD date",
                index,
                segment_id,
                position,
            )
        else:
            self.finding(
                "missing_element",
                f"{segment_id}{position:02d} date is missing",
                index,
                segment_id,
                position,
            )
        return parsed

    def composite(self, value: str, index: int, segment_id: str, position: int) -> list[str]:
        """Split a composite; when the declared ISA16 separator is absent but the other usual
        one is there (real files: SVC01 "HC>99213" under ISA16 ":"), use it and say so once."""
        component = self.delimiters.component
        parts = value.split(component)
        other = self.other_component
        if len(parts) == 1 and other is not None and other in value:
            parts = value.split(other)
            if not self.separator_reported:
                self.separator_reported = True
                self.finding(
                    "component_separator_mismatch",
                    f"ISA16 declares {component!r} as component separator but "
                    f"{segment_id}{position:02d} uses {other!r}; read with {other!r}",
                    index,
                    segment_id,
                    position,
                )
        return parts

    def procedure(self, value: str, index: int, segment_id: str, position: int) -> Procedure | None:
        """C003 (SVC01, SVC06): qualifier, code, modifiers 1-4, description."""
        known = self.procedures.get(value)
        if known is not None:
            return known
        parts = self.composite(value, index, segment_id, position)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            self.finding(
                "malformed_composite",
                f"{segment_id}{position:02d} {value!r} is not a qualifier and a procedure code",
                index,
                segment_id,
                position,
            )
            return None
        procedure = Procedure(
            parts[0],
            parts[1],
            tuple(modifier for modifier in parts[2:6] if modifier),
            parts[6] if len(parts) > 6 and parts[6] else None,
        )
        if self.delimiters.component in value:
            # Not one read with the other separator: its finding must be made again when a
            # claim is read a second time (see _Reader._read_claims).
            self.procedures[value] = procedure
        return procedure

    def cas(self, segment: list[str], index: int) -> tuple[Adjustment, ...]:
        """CAS with up to six reason/amount/quantity triplets (CAS02-04 ... CAS17-19)."""
        group = segment[1] if len(segment) > 1 else ""
        if len(segment) == 4 and segment[2]:  # one triplet, no quantity: the usual CAS
            amount = self.money(segment[3], index, "CAS", 3, "adjustment amount")
            return (Adjustment(group, segment[2], amount, None),)
        cas = _padded(segment, 20)
        adjustments: list[Adjustment] = []
        for position in range(2, 20, 3):
            reason, value, quantity = cas[position], cas[position + 1], cas[position + 2]
            if not (reason or value or quantity):
                continue
            if not reason:
                self.finding(
                    "missing_element",
                    f"CAS{position:02d} reason code is empty for amount {value!r}",
                    index,
                    "CAS",
                    position,
                )
            adjustments.append(
                Adjustment(
                    group,
                    reason,
                    self.money(value, index, "CAS", position + 1, "adjustment amount"),
                    self.quantity(quantity, index, "CAS", position + 2, "quantity"),
                )
            )
        return tuple(adjustments)


def _padded(segment: list[str], size: int) -> list[str]:
    """The segment with trailing empty elements up to `size` (X12 drops trailing empties)."""
    return segment if len(segment) >= size else segment + [""] * (size - len(segment))


@dataclass(frozen=True, slots=True)
class _LineDetails:
    """The fields of Loop 2110 after SVC, decoded on first use (see ServiceLine)."""

    adjustments: tuple[Adjustment, ...]
    adjusted: Decimal
    service_date: date | None
    service_start: date | None
    service_end: date | None
    line_item_control_number: str | None
    references: tuple[Reference, ...]
    allowed: Decimal | None
    amounts: tuple[Amount, ...]
    remark_codes: tuple[str, ...]
    reject_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _ClaimDetails:
    """The fields of Loop 2100 after CLP and before the first SVC, decoded on first use."""

    adjustments: tuple[Adjustment, ...]
    adjusted: Decimal
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
