"""Reading the 837P (005010X222A1), part 2 of 3: the claim loops, one method per loop group:
2300 (CLM and the claim-level segments, HI), 2310 providers, 2320/2330 other subscribers,
2400/2430 service lines and their adjudication."""

from __future__ import annotations

from ...claims.model import (
    REFERRING,
    RENDERING,
    SERVICE_FACILITY,
    Diagnosis,
    OtherInsured,
)
from ..elements import QUANTITY, parse_integer
from ..write.claim837p_base import OTHER_QUALIFIERS, PRINCIPAL_QUALIFIERS
from .claim837p_base import (
    _2310_NM1,
    _2330_NM1,
    _2420_NM1,
    _CLAIM_NOT_CARRIED,
    _DIAGNOSIS_QUALIFIERS,
    _IGNORED_LOOPS,
    _LINE_NOT_CARRIED,
    _LINE_NUMBER,
    _OTHER_HI_QUALIFIERS,
    _POINTER,
    _AdjudicationParts,
    _ClaimParts,
    _el,
    _LineParts,
    _OtherParts,
    _ReaderBase,
)


class _ClaimLoops(_ReaderBase):
    """Loops 2300 to 2430."""

    # -- 2300 ----------------------------------------------------------------------------

    def start_claim(self, seg: list[str], index: int) -> None:
        claim = _ClaimParts(
            index=index, billing=self.billing, subscriber=self.subscriber, patient=self.patient
        )
        self.claim = claim
        self.claims.append(claim)
        self.line = self.other = self.adjudication = None
        self.provider = None
        self.enter("2300", index)
        claim.pcn = _el(seg, 1)
        if self.subscriber is None:
            claim.error = self.error_at("CLM outside an HL 22 or HL 23 loop", index, "CLM")
            return
        self.require(seg, 1, index, "CLM01 patient control number")
        claim.charge = self.decimal(seg, 2, index, "CLM02 claim charge amount")
        facility = self.components(self.require(seg, 5, index, "CLM05 place of service"))
        facility += ["", "", ""]
        if not facility[0]:
            raise self.error_at("CLM05-1 place of service is missing", index, "CLM", 5)
        if not facility[2]:
            raise self.error_at("CLM05-3 claim frequency code is missing", index, "CLM", 5)
        if facility[1] != "B":
            self.note(
                "element_invalid",
                f"CLM05-2 {facility[1]!r} is not B (place of service code)",
                index,
                "CLM",
                5,
            )
        claim.place, claim.frequency = facility[0], facility[2]
        for position, name, attribute in (
            (6, "CLM06 provider signature indicator", "signature"),
            (7, "CLM07 assignment or plan participation code", "plan"),
            (8, "CLM08 benefits assignment certification indicator", "benefits"),
            (9, "CLM09 release of information code", "release"),
        ):
            value = _el(seg, position)
            if value:
                setattr(claim, attribute, value)
            else:
                self.note(
                    "element_missing",
                    f"{name} is missing; read as {getattr(claim, attribute)!r}",
                    index,
                    "CLM",
                    position,
                )
        self.extra_elements(
            seg, index, {1, 2, 5, 6, 7, 8, 9}, "signature source, related causes, delay reason"
        )

    def claim_segment(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        tag = seg[0]
        if claim.error is not None and claim.subscriber is None:
            return
        if tag == "LX":
            self.start_line(seg, index)
        elif self.line is not None:
            self.line_segment(seg, index)
        elif tag == "SBR":
            self.start_other(seg, index)
        elif self.other is not None:
            self.other_segment(seg, index)
        else:
            self.claim_level_segment(seg, index)

    def claim_level_segment(self, seg: list[str], index: int) -> None:
        """2300 itself and its 2310A-F provider loops."""
        claim = self.claim
        assert claim is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "NM1":
            loop = _2310_NM1.get(qualifier)
            if loop is None:
                self.enter("2310?", index)
                self.note(
                    "element_missing" if not qualifier else "unexpected_segment",
                    f"NM101 entity {qualifier!r} is not a 2310 provider; the loop is ignored",
                    index,
                    tag,
                    1,
                )
                return
            self.enter(loop, index)
            if loop in _IGNORED_LOOPS:
                self.not_carried(seg, index, f"loop {loop} {_IGNORED_LOOPS[loop]}")
                return
            provider_type = {"2310A": REFERRING, "2310B": RENDERING, "2310C": SERVICE_FACILITY}[
                loop
            ]
            if provider_type in claim.providers or qualifier == "P3":
                what = "primary care provider" if qualifier == "P3" else f"a second {loop}"
                self.not_carried(seg, index, what)
                self.enter("2310?", index)
                return
            read = self.name_to_provider(seg, index, provider_type, required_npi=False)
            claim.providers[provider_type] = read
            self.provider = read
            return
        if self.loop == "2310?" or self.loop in _IGNORED_LOOPS:
            if tag not in ("N3", "N4", "REF", "PER", "PRV"):
                self.unexpected(seg, index)
            return
        if self.loop in ("2310A", "2310B", "2310C"):
            provider = self.provider
            assert provider is not None
            if tag == "PRV" and self.loop == "2310B":
                if qualifier != "PE":
                    self.note("element_invalid", f"PRV01 {qualifier!r} is not PE", index, tag, 1)
                if self.once("PRV", seg, index):
                    provider.taxonomy_code = self.soft(seg, 3, index, "PRV03 taxonomy") or None
            elif tag in ("N3", "N4") and self.loop == "2310C":
                self.address(provider.address, seg, index)
            elif tag in ("REF", "PER"):
                self.not_carried(seg, index, f"loop {self.loop} secondary id or contact")
            else:
                self.unexpected(seg, index)
            return
        # Loop 2300 proper.
        if tag == "REF":
            self.claim_ref(seg, index)
        elif tag == "HI":
            self.hi(seg, index)
        elif tag in _CLAIM_NOT_CARRIED:
            self.not_carried(seg, index, "claim-level detail")
        else:
            self.unexpected(seg, index)

    def claim_ref(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        qualifier = _el(seg, 1)
        attribute = {"9F": "referral", "G1": "prior_authorization", "F8": "payer_ccn"}.get(
            qualifier
        )
        if attribute is None:
            self.not_carried(seg, index, "claim reference")
        elif self.once(f"REF*{qualifier}", seg, index):
            setattr(claim, attribute, self.soft(seg, 2, index, f"REF02 ({qualifier})") or None)

    def hi(self, seg: list[str], index: int) -> None:
        """2300 HI: ABK/BK principal then ABF/BF others. The imsweb files write composites
        with the element separator ("HI*BK*8901*BF*87200"); a bare qualifier followed by a
        bare code is read as the composite it was meant to be, with a located finding, so
        positions (and so SV107 pointers) stay right. Anything else malformed is left out."""
        claim = self.claim
        assert claim is not None
        elements = [value.strip() for value in seg[1:]]
        first = self.components(elements[0])[0] if elements else ""
        if first in _OTHER_HI_QUALIFIERS:
            self.not_carried(seg, index, "anesthesia or condition information")
            return
        if claim.diagnoses is not None:
            self.note(
                "segment_repeated",
                "a second diagnosis HI is ignored (HI01-HI12 hold all diagnoses)",
                index,
                "HI",
            )
            return
        diagnoses: list[Diagnosis] = []
        i = 0
        while i < len(elements):
            position, raw = i + 1, elements[i]
            parts = self.components(raw)
            if not raw:
                i += 1
                continue
            if len(parts) >= 2 and parts[0] and parts[1]:
                qualifier, code = parts[0], parts[1]
                if any(parts[2:]):
                    self.note(
                        "not_carried",
                        f"HI{position:02d} components after the code are not carried",
                        index,
                        "HI",
                        position,
                    )
                i += 1
            elif (
                len(parts) == 1
                and raw in _DIAGNOSIS_QUALIFIERS
                and i + 1 < len(elements)
                and elements[i + 1]
                and self.component not in elements[i + 1]
                and elements[i + 1] not in _DIAGNOSIS_QUALIFIERS
            ):
                qualifier, code = raw, elements[i + 1]
                self.note(
                    "hi_composite_malformed",
                    f"HI{position:02d}-HI{position + 1:02d} {raw!r}, {code!r} is a composite "
                    f"written with the element separator; read as {raw}{self.component}{code}",
                    index,
                    "HI",
                    position,
                )
                i += 2
            else:
                self.note(
                    "hi_composite_malformed",
                    f"HI{position:02d} {raw!r} is not a qualifier{self.component}code "
                    "composite; not read",
                    index,
                    "HI",
                    position,
                )
                i += 1
                continue
            expected = PRINCIPAL_QUALIFIERS if not diagnoses else OTHER_QUALIFIERS
            if qualifier not in expected:
                self.note(
                    "element_invalid",
                    f"HI{position:02d}-1 {qualifier!r}: expected {' or '.join(expected)}",
                    index,
                    "HI",
                    position,
                )
            diagnoses.append(Diagnosis(type_code=qualifier, code=code))
        claim.diagnoses = diagnoses

    # -- 2320 / 2330 ---------------------------------------------------------------------

    def start_other(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        self.enter("2320", index)
        self.other = _OtherParts(index=index, sbr=seg)
        claim.others.append(self.other)
        for position, what in ((1, "SBR01"), (2, "SBR02"), (9, "SBR09")):
            self.require(seg, position, index, f"{what} of the other subscriber")
        self.extra_elements(seg, index, {1, 2, 3, 9}, "group name, insurance type")

    def other_segment(self, seg: list[str], index: int) -> None:
        other = self.other
        assert other is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "NM1":
            loop = _2330_NM1.get(qualifier)
            if loop is None:
                self.enter("2330?", index)
                self.note(
                    "element_missing" if not qualifier else "unexpected_segment",
                    f"NM101 entity {qualifier!r} is not a 2330 loop; ignored",
                    index,
                    tag,
                    1,
                )
                return
            self.enter(loop, index)
            if loop in _IGNORED_LOOPS:
                self.not_carried(seg, index, f"loop {loop} {_IGNORED_LOOPS[loop]}")
            elif loop == "2330A":
                if other.insured is not None:
                    self.note("segment_repeated", "a second 2330A is ignored", index, tag)
                    self.enter("2330?", index)
                    return
                other.insured = OtherInsured(
                    qualifier=self.soft(seg, 2, index, "NM102 entity type") or "1",
                    last_name=self.require(seg, 3, index, "NM103 other insured last name"),
                    first_name=_el(seg, 4) or None,
                    identifier_type_code=self.soft(seg, 8, index, "NM108") or "MI",
                    identifier=self.require(seg, 9, index, "NM109 other insured id"),
                )
                self.extra_elements(seg, index, {1, 2, 3, 4, 8, 9}, "middle name, suffix")
            else:
                if other.payer_id is not None:
                    self.note("segment_repeated", "a second 2330B is ignored", index, tag)
                    self.enter("2330?", index)
                    return
                other.payer_name = self.require(seg, 3, index, "NM103 other payer name")
                other.payer_id = self.require(seg, 9, index, "NM109 other payer id")
                other.payer_id_type = self.soft(seg, 8, index, "NM108") or "PI"
                self.extra_elements(seg, index, {1, 2, 3, 8, 9}, "payer name")
            return
        if self.loop == "2320":
            if tag == "CAS":
                other.adjustments += self.cas(seg, index)
            elif tag == "AMT" and qualifier in ("D", "EAF"):
                if self.once(f"AMT*{qualifier}", seg, index):
                    amount = self.decimal(seg, 2, index, f"AMT02 ({qualifier})")
                    if qualifier == "D":
                        other.paid = amount
                    else:
                        other.remaining = amount
            elif tag == "AMT":
                self.not_carried(seg, index, "other payer amount")
            elif tag == "OI":
                if self.once("OI", seg, index):
                    other.benefits = self.soft(seg, 3, index, "OI03") or other.benefits
                    other.release = self.soft(seg, 6, index, "OI06") or other.release
                    self.extra_elements(seg, index, {3, 6}, "patient signature source")
            elif tag == "MOA":
                self.not_carried(seg, index, "outpatient adjudication")
            else:
                self.unexpected(seg, index)
        elif self.loop == "2330B":
            if tag == "DTP" and qualifier == "573":
                if self.once("DTP*573", seg, index):
                    other.payer_date = self.dtp_d8(seg, index)
            elif tag == "REF" and qualifier == "F8":
                if self.once("REF*F8", seg, index):
                    other.payer_ccn = self.soft(seg, 2, index, "REF02 (F8)") or None
            elif tag in ("N3", "N4", "REF"):
                self.not_carried(seg, index, "other payer address or reference")
            else:
                self.unexpected(seg, index)
        elif self.loop == "2330A":
            if tag in ("N3", "N4", "REF"):
                self.not_carried(seg, index, "other insured address or secondary id")
            else:
                self.unexpected(seg, index)
        elif tag not in ("REF",):
            self.unexpected(seg, index)

    # -- 2400 / 2430 ---------------------------------------------------------------------

    def start_line(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        self.enter("2400", index)
        self.other = self.adjudication = None
        self.line = _LineParts(index=index)
        claim.lines.append(self.line)
        number = _el(seg, 1)
        if number != str(len(claim.lines)):
            self.note(
                "element_invalid",
                f"LX01 {number!r}: lines are numbered from 1 within a claim, expected "
                f"{len(claim.lines)}",
                index,
                "LX",
                1,
            )

    def line_segment(self, seg: list[str], index: int) -> None:
        line = self.line
        assert line is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "SVD":
            self.enter("2430", index)
            self.adjudication = None  # an unreadable SVD fails the claim; its loop is skipped
            self.adjudication = self.svd(seg, index)
            line.adjudications.append(self.adjudication)
            return
        if tag == "LIN":
            self.enter("2410", index)
            self.not_carried(seg, index, f"loop 2410 {_IGNORED_LOOPS['2410']}")
            return
        if tag == "NM1":
            if qualifier in _2420_NM1:
                self.enter("2420", index)
                self.not_carried(seg, index, f"loop 2420 {_IGNORED_LOOPS['2420']}")
            else:
                self.enter("2420", index)
                self.unexpected(seg, index)
            return
        if tag == "LQ":
            self.enter("2440", index)
            self.not_carried(seg, index, f"loop 2440 {_IGNORED_LOOPS['2440']}")
            return
        if self.loop == "2430":
            adjudication = self.adjudication
            if adjudication is None:
                return
            if tag == "CAS":
                adjudication.adjustments += self.cas(seg, index)
            elif tag == "DTP" and qualifier == "573":
                if self.once("DTP*573", seg, index):
                    adjudication.adjudicated = self.dtp_d8(seg, index)
            elif tag == "AMT":
                self.not_carried(seg, index, "remaining patient liability of the line")
            else:
                self.unexpected(seg, index)
            return
        if self.loop in ("2410", "2420", "2440"):
            if tag not in ("CTP", "REF", "PRV", "N3", "N4", "PER", "FRM"):
                self.unexpected(seg, index)
            return
        if tag == "SV1":
            if self.once("SV1", seg, index):
                self.sv1(line, seg, index)
        elif tag == "DTP" and qualifier == "472":
            if self.once("DTP*472", seg, index):
                self.service_date(line, seg, index)
        elif tag == "REF" and qualifier == "6R":
            if self.once("REF*6R", seg, index):
                line.control_number = self.soft(seg, 2, index, "REF02 (6R)") or None
        elif tag in ("DTP", "REF") or tag in _LINE_NOT_CARRIED:
            self.not_carried(seg, index, "line detail")
        else:
            self.unexpected(seg, index)

    def sv1(self, line: _LineParts, seg: list[str], index: int) -> None:
        """SV1: HC:code:modifiers, charge, unit, count, place of service, pointers."""
        line.sv1 = seg
        procedure = self.components(self.require(seg, 1, index, "SV101 procedure"))
        if len(procedure) < 2 or not procedure[1]:
            raise self.error_at("SV101-2 procedure code is missing", index, "SV1", 1)
        if any(procedure[6:]):
            self.note("not_carried", "SV101-7 description is not carried", index, "SV1", 1)
        line.procedure = procedure[:6]
        line.charge = self.decimal(seg, 2, index, "SV102 line charge")
        line.unit = self.soft(seg, 3, index, "SV103 unit of measure") or "UN"
        line.units = self.decimal(seg, 4, index, "SV104 service unit count", QUANTITY)
        line.place = _el(seg, 5) or None
        raw = seg[7] if _el(seg, 7) else ""  # as sent: N0 has no spaces
        if not raw:
            self.note("element_missing", "SV107 diagnosis pointers are missing", index, "SV1", 7)
        pointers: list[int] = []
        for part in raw.split(self.component) if raw else []:
            pointer = parse_integer(part, _POINTER)
            if pointer is not None:
                pointers.append(pointer)
            elif part:
                # Like the API: a pointer that is not a number points nowhere, the scrub names it.
                self.note("element_invalid", _POINTER.describe("SV107 pointer"), index, "SV1", 7)
                pointers.append(0)
        line.pointers = tuple(pointers)
        self.extra_elements(
            seg, index, {1, 2, 3, 4, 5, 7}, "emergency, EPSDT, family planning indicators"
        )

    def service_date(self, line: _LineParts, seg: list[str], index: int) -> None:
        kind, value = _el(seg, 2), _el(seg, 3)
        if kind == "D8":
            line.service_date = self.d8(value, index, "DTP", 3, "DTP03 service date")
        elif kind == "RD8":
            start, _, end = value.partition("-")
            line.service_date = self.d8(start, index, "DTP", 3, "DTP03 service date")
            line.service_date_end = self.d8(end, index, "DTP", 3, "DTP03 service end date")
        else:
            raise self.error_at(f"DTP02 {kind!r} is not D8 or RD8", index, "DTP", 2)

    def svd(self, seg: list[str], index: int) -> _AdjudicationParts:
        """SVD: payer id, paid amount, procedure composite, (SVD04 unused), units, bundled
        line number."""
        procedure = self.components(self.require(seg, 3, index, "SVD03 procedure"))
        if len(procedure) < 2 or not procedure[1]:
            raise self.error_at("SVD03-2 procedure code is missing", index, "SVD", 3)
        raw = seg[6] if _el(seg, 6) else ""
        bundled = parse_integer(raw, _LINE_NUMBER) if raw else None
        if raw and bundled is None:
            raise self.error_at(_LINE_NUMBER.describe("SVD06"), index, "SVD", 6)
        self.extra_elements(seg, index, {1, 2, 3, 5, 6}, "revenue code")
        return _AdjudicationParts(
            index=index,
            payer_id=self.require(seg, 1, index, "SVD01 other payer id"),
            paid=self.decimal(seg, 2, index, "SVD02 paid amount"),
            procedure=procedure[:6],
            units=self.decimal(seg, 5, index, "SVD05 paid units", QUANTITY),
            bundled=bundled,
        )
