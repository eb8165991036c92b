"""The JSON document of an 835 `Remittance` (005010X221A1), written as text claim by claim.

`json.dumps(remittance.as_dict())` defines the document; this writes the same characters
without the dicts in between, which were most of `parse`'s time for a large file
(benchmarks/x12_835.py, 20,000 claims as a whole process: 2.4 times a naive split with them,
about 1.2 without). A claim's fields other than its money and SVC composites are read from its
loops' own text (`raw`) as the views decode them (`remit835_model._claim_details` and
`_line_details`: the same segments, the same qualifier tables, the last one wins), straight
into JSON text. Every JSON string is an element or a component of that text, so where the text
is printable ASCII without '"' or '\\' (what `json.dumps` writes as it is) it is written
between quotes as it stands; a claim whose text holds anything else, and any CAS that is not
one plain triplet, is written through `as_dict` and `json.dumps`. Tests hold the two equal on
every sample, on text that needs escaping and on damaged files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from .remit835_model import ClaimPayment, Remittance, ServiceLine
from .remit835_values import (
    CLAIM_DATES,
    CLAIM_NAMES,
    LINE_DATES,
    Procedure,
    _padded,
    _Values,
)


@lru_cache(maxsize=16)
def _escaped(element: str, terminator: str) -> re.Pattern[str]:
    """A character `json.dumps` (ensure_ascii) would escape; the element separator and the
    terminator are left out, as they never reach a JSON string (they separate the elements)."""
    plain = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"\\')
    return re.compile(f"[^{re.escape(plain + element + terminator)}]")


def _list(objects: list[str]) -> str:
    """A JSON array of objects already written, empty ones left out."""
    return "[" + ", ".join(filter(None, objects)) + "]"


def _strings(texts: list[str]) -> str:
    """A JSON array of plain strings."""
    return '["' + '", "'.join(texts) + '"]' if texts else "[]"


class _Writer:
    """The claims of one set as JSON text, with the set's caches of what repeats (dates,
    procedures)."""

    def __init__(self, syntax: _Values) -> None:
        delimiters = syntax.delimiters
        self.element = delimiters.element
        self.terminator = delimiters.segment
        self.escaped = _escaped(self.element, self.terminator).search
        self.quiet = syntax  # findings None: every finding was made when the set was read
        self.dates: dict[str, str] = {}
        self.procedures: dict[Procedure, str] = {}

    def claim(self, claim: ClaimPayment) -> str:
        """The claim as JSON: written from its text, or through as_dict where that needs
        escaping."""
        escaped = self.escaped
        if escaped(claim.raw) or any(escaped(line.raw) for line in claim.lines):
            return json.dumps(claim.as_dict())
        return self._claim(claim)

    def _date(self, text: str) -> str:
        """DTM02 as JSON: the ISO date, or null when it is none (its finding was made)."""
        known = self.dates.get(text)
        if known is None:
            parsed = self.quiet.date(text, 0, "DTM", 2)
            known = self.dates[text] = "null" if parsed is None else f'"{parsed.isoformat()}"'
        return known

    def _procedure(self, procedure: Procedure | None) -> str:
        if procedure is None:
            return "null"
        known = self.procedures.get(procedure)
        if known is None:
            known = self.procedures[procedure] = json.dumps(procedure.as_dict())
        return known

    def _cas(self, segment: list[str]) -> str:
        """The adjustments of one CAS as `_Values.cas` reads them, as JSON objects separated
        by ", " (the usual one triplet inline: CAS04 is checked money, an empty one reads as
        0). A CAS with no triplet gives "", which `_list` leaves out."""
        if len(segment) == 4 and segment[2]:
            amount = str(Decimal(segment[3])) if segment[3] else "0"
            return (
                f'{{"group": "{segment[1]}", "reason": "{segment[2]}", "amount": "{amount}", '
                '"quantity": null}'
            )
        return ", ".join(json.dumps(found.as_dict()) for found in self.quiet.cas(segment, 0))

    def _line(self, line: ServiceLine) -> str:
        """Loop 2110 after SVC, as `_line_details` reads it: CAS, DTM 472/150/151, REF (6R
        apart), AMT (B6 apart), LQ (HE remarks apart)."""
        element = self.element
        adjustments: list[str] = []
        references: list[str] = []
        amounts: list[str] = []
        remarks: list[str] = []
        rejects: list[str] = []
        allowed = control_number = "null"
        dates: dict[str, str] = {}
        for text in line.raw.split(self.terminator)[1:]:
            segment = text.split(element)
            tag = segment[0]
            if tag == "CAS":
                adjustments.append(self._cas(segment))
            elif len(segment) <= 2:
                continue
            elif tag == "DTM":
                field = LINE_DATES.get(segment[1])
                if field is not None:
                    dates[field] = self._date(segment[2])
            elif tag == "REF":
                if segment[1] == "6R":
                    control_number = f'"{segment[2]}"'
                else:
                    references.append(f'{{"qualifier": "{segment[1]}", "value": "{segment[2]}"}}')
            elif tag == "AMT":
                if segment[2]:  # checked money when the set was read
                    figure = str(Decimal(segment[2]))
                    if segment[1] == "B6":
                        allowed = f'"{figure}"'
                    else:
                        amounts.append(f'{{"qualifier": "{segment[1]}", "amount": "{figure}"}}')
            elif tag == "LQ":
                (remarks if segment[1] == "HE" else rejects).append(segment[2])
        return (
            f'{{"procedure": {self._procedure(line.procedure)}, "charge": "{line.charge}", '
            f'"paid": "{line.paid}", "revenue_code": {_quoted(line.revenue_code)}, '
            f'"units": {_quoted(line.units)}, '
            f'"original_procedure": {self._procedure(line.original_procedure)}, '
            f'"original_units": {_quoted(line.original_units)}, '
            f'"service_date": {dates.get("service_date", "null")}, '
            f'"service_start": {dates.get("service_start", "null")}, '
            f'"service_end": {dates.get("service_end", "null")}, '
            f'"adjustments": {_list(adjustments)}, '
            f'"line_item_control_number": {control_number}, '
            f'"references": [{", ".join(references)}], "allowed": {allowed}, '
            f'"amounts": [{", ".join(amounts)}], "remark_codes": {_strings(remarks)}, '
            f'"reject_codes": {_strings(rejects)}, "segment_index": {line.segment_index}}}'
        )

    def _claim(self, claim: ClaimPayment) -> str:
        """Loop 2100 after CLP, as `_claim_details` reads it: CAS, NM1 (QC, IL, 74, 82, TT),
        DTM 232/233/050, REF, AMT, MIA, MOA; then the lines."""
        element = self.element
        adjustments: list[str] = []
        references: list[str] = []
        amounts: list[str] = []
        names: dict[str, str] = {}
        dates: dict[str, str] = {}
        inpatient = outpatient = "[]"
        for text in claim.raw.split(self.terminator)[1:]:
            segment = text.split(element)
            tag = segment[0]
            if tag == "CAS":
                adjustments.append(self._cas(segment))
            elif tag == "NM1":
                nm1 = _padded(segment, 10)
                field = CLAIM_NAMES.get(nm1[1])
                if field is not None:
                    names[field] = (
                        f'{{"entity": "{nm1[1]}", "entity_type": "{nm1[2]}", '
                        f'"last_name": "{nm1[3]}", "first_name": "{nm1[4]}", '
                        f'"middle_name": "{nm1[5]}", "suffix": "{nm1[7]}", '
                        f'"id_qualifier": "{nm1[8]}", "id": "{nm1[9]}"}}'
                    )
            elif tag == "MIA":
                mia = _padded(segment, 25)
                inpatient = _strings([code for code in (mia[5], *mia[20:25]) if code])
            elif tag == "MOA":
                outpatient = _strings([code for code in _padded(segment, 8)[3:8] if code])
            elif len(segment) <= 2:
                continue
            elif tag == "DTM":
                field = CLAIM_DATES.get(segment[1])
                if field is not None:
                    dates[field] = self._date(segment[2])
            elif tag == "REF":
                references.append(f'{{"qualifier": "{segment[1]}", "value": "{segment[2]}"}}')
            elif tag == "AMT" and segment[2]:  # checked money when the set was read
                amounts.append(
                    f'{{"qualifier": "{segment[1]}", "amount": "{Decimal(segment[2])}"}}'
                )
        lines = ", ".join([self._line(line) for line in claim.lines])
        return (
            f'{{"patient_control_number": "{claim.patient_control_number}", '
            f'"status_code": "{claim.status_code}", "charge": "{claim.charge}", '
            f'"paid": "{claim.paid}", '
            f'"patient_responsibility": {_quoted(claim.patient_responsibility)}, '
            f'"filing_code": "{claim.filing_code}", '
            f'"payer_claim_control_number": "{claim.payer_claim_control_number}", '
            f'"facility_code": {_quoted(claim.facility_code)}, '
            f'"frequency_code": {_quoted(claim.frequency_code)}, '
            f'"adjustments": {_list(adjustments)}, '
            f'"patient": {names.get("patient", "null")}, '
            f'"insured": {names.get("insured", "null")}, '
            f'"corrected_insured": {names.get("corrected_insured", "null")}, '
            f'"rendering_provider": {names.get("rendering_provider", "null")}, '
            f'"crossover_carrier": {names.get("crossover_carrier", "null")}, '
            f'"inpatient_remark_codes": {inpatient}, "outpatient_remark_codes": {outpatient}, '
            f'"statement_start": {dates.get("statement_start", "null")}, '
            f'"statement_end": {dates.get("statement_end", "null")}, '
            f'"received_date": {dates.get("received_date", "null")}, '
            f'"amounts": [{", ".join(amounts)}], "references": [{", ".join(references)}], '
            f'"lines": [{lines}], "segment_index": {claim.segment_index}}}'
        )


def _quoted(value: str | Decimal | None) -> str:
    return "null" if value is None else f'"{value}"'


def render_remittance_json(remittance: Remittance) -> Iterator[str]:
    """`json.dumps(remittance.as_dict())` in pieces, a claim at a time: the same text."""
    before, after = remittance.around_claims()
    yield json.dumps(before)[:-1] + ', "claims": ['
    if remittance.claims:
        writer = _Writer(remittance.claims[0].syntax)
        separator = ""
        for claim in remittance.claims:
            yield separator + writer.claim(claim)
            separator = ", "
    yield "], " + json.dumps(after)[1:]
