"""Reader for the 837P professional claim (ASC X12 005010X222A1): claims in.

`parse_837p` turns each 2300 loop of a transaction set back into a `Claim`, so claims
uploaded as 837 files go through the same scrub as JSON claims. Real files are messy; the rule
per defect is: when the claim can still be built without guessing, it is built and the defect
becomes a located `Finding`; when a value the claim cannot exist without is missing or
unreadable (a charge, a date, CLM05, the billing provider, the member id), that claim carries
a located `X12ReadError` instead and the other claims are still read. Only a transaction that
is not an 837P, or whose header is unreadable, raises.

Finding codes: `not_carried` (valid 837P data the claim model has no place for, so it would be
lost on re-submission), `unexpected_segment`, `element_missing`, `element_invalid`,
`segment_missing`, `segment_repeated`, `hl_structure`, `hi_composite_malformed`,
`implementation_reference`. A claim's findings cover every segment it was built from,
including the shared header and HL loops; envelope findings (SE01 ...) stay on the
`TransactionSet`.

The reader is three modules: `claim837p_base` (parts, helpers, building), `claim837p_claim`
(loops 2300-2430) and this one (header, HL levels, the driver). The writer is
`write.claim837p`.
"""

from __future__ import annotations

from ...claims.model import (
    BILLING,
    Dependent,
    Subscriber,
)
from ..envelope import Finding, TransactionSet
from ..errors import X12ReadError
from ..write.claim837p_base import IMPLEMENTATION_REFERENCE
from .claim837p_base import (
    _IGNORED_LOOPS,
    Claim837,
    _Billing,
    _el,
    _PatientLevel,
    _SubscriberLevel,
)
from .claim837p_claim import _ClaimLoops

__all__ = ["Claim837", "parse_837p"]


_TEXT_FINDINGS = frozenset(("invalid_character", "unknown_segment"))


class _Reader(_ClaimLoops):
    """The driver (header, HL levels 2000A-2000C) over the claim loops."""

    # -- driving -------------------------------------------------------------------------

    def run(self) -> list[Claim837]:
        ts = self.ts
        self.check_header()
        # The envelope's text findings (grammar.py) in the loop they were found in, so each
        # claim built from a segment with a foreign character or beside an unknown one says so.
        marked = {f.segment_index: f for f in ts.findings if f.code in _TEXT_FINDINGS}
        for offset, seg in enumerate(ts.segments[1:], 1):
            index = ts.first_index + offset
            tag = seg[0]
            if tag == "SE":
                break
            if index in marked:
                found = marked[index]
                where = found.segment_id or tag
                self.note(found.code, found.message, index, where, found.element_position)
            try:
                self.segment(seg, index)
            except X12ReadError as error:
                context = self.context()
                if context is self.header:
                    raise
                if context.error is None:
                    context.error = error
        self.claim = None
        self.close_subscriber()
        self.close_billing()
        header = self.header
        if self.claims and header.submitter_name is None:
            raise self.error_at("loop 1000A submitter (NM1*41) is missing", ts.first_index, "ST")
        if self.claims and header.receiver_name is None:
            raise self.error_at("loop 1000B receiver (NM1*40) is missing", ts.first_index, "ST")
        return [self.build(parts) for parts in self.claims]

    def check_header(self) -> None:
        ts = self.ts
        st_index = ts.first_index
        if ts.transaction_set_id != "837":
            raise self.error_at(
                f"transaction set {ts.transaction_set_id!r} is not an 837", st_index, "ST", 1
            )
        reference = ts.implementation_reference or ts.group.version
        where = 3 if ts.implementation_reference else None
        if reference.startswith("005010X223"):
            raise self.error_at(
                f"{reference} is an 837I (institutional), not an 837P (005010X222A1)",
                st_index,
                "ST",
                where,
            )
        if reference.startswith("005010X224"):
            raise self.error_at(
                f"{reference} is an 837D (dental), not an 837P (005010X222A1)",
                st_index,
                "ST",
                where,
            )
        if not reference.startswith("005010X222"):
            raise self.error_at(
                f"implementation {reference!r} is not 837P 005010X222A1", st_index, "ST", where
            )
        if reference != IMPLEMENTATION_REFERENCE:
            self.header.findings.append(
                Finding(
                    "implementation_reference",
                    f"{reference} is not the HIPAA-adopted {IMPLEMENTATION_REFERENCE}; "
                    "read with its rules",
                    st_index,
                    "ST",
                    where,
                )
            )

    def segment(self, seg: list[str], index: int) -> None:
        tag = seg[0]
        if tag == "HL":
            self.hl(seg, index)
        elif tag == "CLM":
            self.start_claim(seg, index)
        elif self.claim is not None:
            self.claim_segment(seg, index)
        elif self.patient is not None:
            self.patient_segment(seg, index)
        elif self.subscriber is not None:
            self.subscriber_segment(seg, index)
        elif self.billing is not None:
            self.billing_segment(seg, index)
        else:
            self.header_segment(seg, index)

    # -- header: BHT, 1000A, 1000B -------------------------------------------------------

    def header_segment(self, seg: list[str], index: int) -> None:
        tag, qualifier = seg[0], _el(seg, 1)
        header = self.header
        if tag == "BHT":
            if not self.once("BHT", seg, index):
                return
        elif tag == "NM1" and qualifier == "41":
            self.enter("1000A", index)
            header.submitter_name = self.require(seg, 3, index, "NM103 submitter name")
        elif tag == "PER" and self.loop == "1000A":
            if self.once("PER", seg, index):
                header.contact = self.contact(seg, index)
        elif tag == "NM1" and qualifier == "40":
            self.enter("1000B", index)
            header.receiver_name = self.require(seg, 3, index, "NM103 receiver name")
            if not _el(seg, 2):
                self.note(
                    "element_missing", "NM102 entity type qualifier is missing", index, "NM1", 2
                )
        else:
            self.note(
                "unexpected_segment",
                f"{tag} is not expected in the 837P header; ignored",
                index,
                tag,
            )

    # -- HL ------------------------------------------------------------------------------

    def hl(self, seg: list[str], index: int) -> None:
        self.claim = None
        self.line = self.other = self.adjudication = None
        self.provider = None
        hl_id, parent, level, child = _el(seg, 1), _el(seg, 2), _el(seg, 3), _el(seg, 4)
        if level == "20":
            self.close_subscriber()
            self.close_billing()
            self.billing = _Billing(index=index, hl_id=hl_id, child_code=child)
            self.enter("2000A", index)
            if parent:
                self.note("hl_structure", "HL02 must be empty for HL 20", index, "HL", 2)
        elif level == "22":
            self.close_subscriber()
            billing = self.billing
            self.subscriber = _SubscriberLevel(index=index, hl_id=hl_id, child_code=child)
            self.enter("2000B", index)
            if billing is None:
                self.subscriber.error = self.error_at(
                    "HL 22 (subscriber) before any HL 20 (billing provider)", index, "HL", 3
                )
            elif parent != billing.hl_id:
                self.note(
                    "hl_structure",
                    f"HL02 {parent!r} is not the enclosing HL 20's id {billing.hl_id!r}",
                    index,
                    "HL",
                    2,
                )
        elif level == "23":
            self.close_patient()
            subscriber = self.subscriber
            self.patient = _PatientLevel(index=index, hl_id=hl_id)
            self.enter("2000C", index)
            if subscriber is None:
                self.patient.error = self.error_at(
                    "HL 23 (patient) outside an HL 22 (subscriber)", index, "HL", 3
                )
            else:
                if not subscriber.has_children and subscriber.child_code == "0":
                    subscriber.findings.append(
                        Finding(
                            "hl_structure",
                            "HL04 says 0 (no children) but an HL 23 follows",
                            subscriber.index,
                            "HL",
                            4,
                        )
                    )
                subscriber.has_children = True
                if parent != subscriber.hl_id:
                    self.note(
                        "hl_structure",
                        f"HL02 {parent!r} is not the enclosing HL 22's id {subscriber.hl_id!r}",
                        index,
                        "HL",
                        2,
                    )
            if child not in ("", "0"):
                self.note("hl_structure", "HL04 of an HL 23 must be 0", index, "HL", 4)
        else:
            # An unknown level: whatever follows cannot be placed, so its claims fail.
            self.close_subscriber()
            self.subscriber = _SubscriberLevel(index=index, hl_id=hl_id)
            self.subscriber.error = self.error_at(
                f"HL03 {level!r} is not an 837P level (20, 22, 23)", index, "HL", 3
            )
            self.enter("HL?", index)
            return
        if hl_id in self.hl_ids:
            self.note("hl_structure", f"HL01 {hl_id!r} is used twice", index, "HL", 1)
        self.hl_ids.add(hl_id)

    def close_patient(self) -> None:
        """Build the 2000C/2010CA dependent once, so its findings are not repeated per claim."""
        patient, self.patient = self.patient, None
        if patient is None or patient.error is not None:
            return
        if patient.relationship is None:
            patient.error = self.error_at("loop 2000C has no PAT", patient.index, "HL")
        elif patient.last_name is None:
            patient.error = self.error_at(
                "loop 2010CA patient (NM1*QC) is missing", patient.index, "HL"
            )
        else:
            patient.built = Dependent(
                first_name=patient.first_name or "",
                last_name=patient.last_name,
                relationship_to_subscriber_code=patient.relationship,
                gender=patient.gender,
                date_of_birth=patient.date_of_birth,
                address=self.build_address(patient.address, patient, "2010CA"),
            )

    def close_subscriber(self) -> None:
        """Check HL04 and build the 2000B/2010BA subscriber and 2010BB payer once."""
        self.close_patient()
        subscriber, self.subscriber = self.subscriber, None
        if subscriber is None or subscriber.error is not None:
            return
        if subscriber.child_code == "1" and not subscriber.has_children:
            subscriber.findings.append(
                Finding(
                    "hl_structure",
                    "HL04 says 1 (has children) but no HL 23 follows",
                    subscriber.index,
                    "HL",
                    4,
                )
            )
        sbr = subscriber.sbr
        if sbr is None:
            subscriber.error = self.error_at("loop 2000B has no SBR", subscriber.index, "HL")
            return
        for position, what in ((1, "SBR01 payment responsibility"), (9, "SBR09 claim filing code")):
            if not _el(sbr, position):
                subscriber.error = self.error_at(
                    f"{what} is missing", subscriber.sbr_index, "SBR", position
                )
                return
        if subscriber.member_id is None or subscriber.last_name is None:
            subscriber.error = self.error_at(
                "loop 2010BA subscriber (NM1*IL) is missing", subscriber.index, "HL"
            )
            return
        if subscriber.payer_id is None or subscriber.payer_name is None:
            subscriber.error = self.error_at(
                "loop 2010BB payer (NM1*PR) is missing", subscriber.index, "HL"
            )
            return
        subscriber.filing = _el(sbr, 9)
        subscriber.built = Subscriber(
            member_id=subscriber.member_id,
            first_name=subscriber.first_name or "",
            last_name=subscriber.last_name,
            payment_responsibility_level_code=_el(sbr, 1),
            gender=subscriber.gender,
            date_of_birth=subscriber.date_of_birth,
            group_number=_el(sbr, 3) or None,
            address=self.build_address(subscriber.address, subscriber, "2010BA"),
        )

    def close_billing(self) -> None:
        """Check HL04 and build the 2010AA billing provider once."""
        billing, self.billing = self.billing, None
        if billing is None or billing.error is not None:
            return
        if billing.child_code != "1":
            billing.findings.append(
                Finding("hl_structure", "HL04 of an HL 20 must be 1", billing.index, "HL", 4)
            )
        provider = billing.provider
        if provider is None:
            billing.error = self.error_at(
                "loop 2010AA billing provider (NM1*85) is missing from this HL 20",
                billing.index,
                "HL",
            )
            return
        if provider.employer_id is None and provider.ssn is None:
            billing.findings.append(
                Finding(
                    "segment_missing",
                    "loop 2010AA has no tax id (REF*EI or REF*SY)",
                    provider.index,
                    "NM1",
                )
            )
        if provider.address.n3 is None and provider.address.n4 is None:
            billing.findings.append(
                Finding(
                    "segment_missing", "loop 2010AA has no address (N3/N4)", provider.index, "NM1"
                )
            )
        provider.taxonomy_code = billing.taxonomy_code
        billing.built = self.build_provider(provider, billing, "2010AA")

    # -- 2000A / 2010AA ------------------------------------------------------------------

    def billing_segment(self, seg: list[str], index: int) -> None:
        billing = self.billing
        assert billing is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "NM1":
            if qualifier == "85":
                # Until NM1*85 is read, its N3/N4/REF/PER are skipped: a failed read fails
                # the HL, and they would have nothing to attach to.
                self.enter("2010AA-skip", index)
                if billing.provider is not None:
                    self.note(
                        "segment_repeated",
                        "a second billing provider (NM1*85) in one HL 20 is ignored",
                        index,
                        tag,
                    )
                    return
                billing.provider = self.name_to_provider(seg, index, BILLING, required_npi=True)
                self.provider = billing.provider
                self.enter("2010AA", index)
            elif qualifier in ("87", "PE"):
                loop = "2010AB" if qualifier == "87" else "2010AC"
                self.enter(loop, index)
                self.not_carried(seg, index, f"loop {loop} {_IGNORED_LOOPS[loop]}")
            else:
                self.unexpected(seg, index)
            return
        if self.loop in ("2010AB", "2010AC", "2010AA-skip"):
            if tag not in ("N3", "N4", "REF", "PER"):
                self.unexpected(seg, index)
            return
        if self.loop == "2000A":
            if tag == "PRV":
                if qualifier == "BI" and self.once("PRV", seg, index):
                    billing.taxonomy_code = self.soft(seg, 3, index, "PRV03 taxonomy code") or None
                elif qualifier != "BI":
                    self.note("element_invalid", f"PRV01 {qualifier!r} is not BI", index, tag, 1)
            elif tag == "CUR":
                self.not_carried(seg, index, "currency")
            else:
                self.unexpected(seg, index)
            return
        provider = billing.provider
        assert provider is not None  # loop 2010AA
        if tag in ("N3", "N4"):
            self.address(provider.address, seg, index)
        elif tag == "REF" and qualifier in ("EI", "SY"):
            if self.once("REF tax id", seg, index):
                value = self.soft(seg, 2, index, "REF02 billing provider tax id") or None
                if qualifier == "EI":
                    provider.employer_id = value
                else:
                    provider.ssn = value
        elif tag == "REF":
            self.not_carried(seg, index, "billing provider secondary id")
        elif tag == "PER":
            if self.once("PER", seg, index, valid_repeat=True):  # 2010AA PER repeat 2
                provider.contact = self.contact(seg, index)
        else:
            self.unexpected(seg, index)

    # -- 2000B / 2010BA / 2010BB ---------------------------------------------------------

    def subscriber_segment(self, seg: list[str], index: int) -> None:
        level = self.subscriber
        assert level is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if self.loop == "HL?":
            return
        if tag == "SBR" and self.loop == "2000B":
            if self.once("SBR", seg, index):
                level.sbr, level.sbr_index = seg, index
                self.extra_elements(seg, index, {1, 2, 3, 9}, "group name, insurance type")
        elif tag == "PAT" and self.loop == "2000B":
            self.not_carried(seg, index, "patient information of a subscriber patient")
        elif tag == "NM1" and qualifier == "IL":
            self.enter("2010BA", index)
            if level.name_index:
                self.note("segment_repeated", "a second NM1*IL is ignored", index, tag)
                self.enter("2010BA-skip", index)
                return
            level.name_index = index
            level.last_name = self.require(seg, 3, index, "NM103 subscriber last name")
            level.first_name = _el(seg, 4)
            if _el(seg, 2) == "1" and not level.first_name:
                self.note("element_missing", "NM104 first name is missing", index, tag, 4)
            level.member_id = self.require(seg, 9, index, "NM109 member id")
            if _el(seg, 8) != "MI":
                self.note("element_invalid", f"NM108 {_el(seg, 8)!r} is not MI", index, tag, 8)
            self.extra_elements(seg, index, {1, 2, 3, 4, 8, 9}, "middle name, prefix, suffix")
        elif tag == "NM1" and qualifier == "PR":
            self.enter("2010BB", index)
            if level.payer_id is not None:
                self.note("segment_repeated", "a second NM1*PR is ignored", index, tag)
                self.enter("2010BB-skip", index)
                return
            level.payer_name = self.require(seg, 3, index, "NM103 payer name")
            level.payer_id = self.require(seg, 9, index, "NM109 payer id")
            self.extra_elements(seg, index, {1, 2, 3, 8, 9}, "payer name")
        elif self.loop == "2010BA" and tag in ("N3", "N4"):
            self.address(level.address, seg, index)
        elif self.loop == "2010BA" and tag == "DMG":
            if self.once("DMG", seg, index):
                level.date_of_birth, level.gender = self.dmg(seg, index)
        elif self.loop == "2010BA" and tag in ("REF", "PER"):
            self.not_carried(seg, index, "subscriber secondary id or contact")
        elif self.loop == "2010BB" and tag in ("N3", "N4", "REF"):
            self.not_carried(seg, index, "payer address or secondary id")
        elif self.loop.endswith("-skip"):
            return
        else:
            self.unexpected(seg, index)

    # -- 2000C / 2010CA ------------------------------------------------------------------

    def patient_segment(self, seg: list[str], index: int) -> None:
        level = self.patient
        assert level is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "PAT" and self.loop == "2000C":
            if self.once("PAT", seg, index):
                level.relationship = self.require(seg, 1, index, "PAT01 relationship")
                self.extra_elements(seg, index, {1}, "death date, weight, pregnancy")
        elif tag == "NM1" and qualifier == "QC":
            self.enter("2010CA", index)
            if level.name_index:
                self.note("segment_repeated", "a second NM1*QC is ignored", index, tag)
                self.enter("2010CA-skip", index)
                return
            level.name_index = index
            level.last_name = self.require(seg, 3, index, "NM103 patient last name")
            level.first_name = _el(seg, 4)
            if not level.first_name:
                self.note("element_missing", "NM104 first name is missing", index, tag, 4)
            self.extra_elements(seg, index, {1, 2, 3, 4}, "middle name, prefix, suffix")
        elif self.loop == "2010CA" and tag in ("N3", "N4"):
            self.address(level.address, seg, index)
        elif self.loop == "2010CA" and tag == "DMG":
            if self.once("DMG", seg, index):
                level.date_of_birth, level.gender = self.dmg(seg, index)
        elif self.loop == "2010CA" and tag in ("REF", "PER"):
            self.not_carried(seg, index, "patient secondary id or contact")
        elif self.loop.endswith("-skip"):
            return
        else:
            self.unexpected(seg, index)


def parse_837p(ts: TransactionSet) -> list[Claim837]:
    """Every claim (2300 loop) of one 837P transaction set, in file order.

    Raises X12ReadError (located at the ST) when the set is not an 837P (an 837I or 837D
    included) and when the header cannot be read; a defect inside one HL or claim only
    fails the claims built from it (`Claim837.error`). `Claim.control_number` is ST02,
    `usage_indicator` ISA15."""
    return _Reader(ts).run()
