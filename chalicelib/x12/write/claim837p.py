"""Writer for the 837P professional claim (ASC X12 005010X222A1): domain claims out.

`render_837p` puts one or more claims in one interchange / group / transaction set,
grouped the way the TR3 nests them: billing provider (HL 20) > subscriber and payer (HL 22) >
patient when not the subscriber (HL 23) > claims (2300). Everything that would make the EDI
invalid raises `X12WriteError` naming the request field (contract camelCase path, the way a
scrub finding names it): a delimiter inside a value, a loop the TR3 requires but the claim
lacks, more codes than the segment holds. The envelope (ISA/GS/ST/SE/GE/IEA, counts,
padding) is `writer.X12Builder`'s job. The reader is `read.claim837p`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from ...claims.model import (
    BILLING,
    REFERRING,
    RENDERING,
    SERVICE_FACILITY,
    Address,
    Adjustment,
    Claim,
    ClaimInformation,
    Contact,
    Dependent,
    Diagnosis,
    LineAdjudication,
    OtherSubscriberInformation,
    Provider,
    ServiceLine,
)
from ..errors import X12WriteError
from ..tokenizer import Delimiters
from ..writer import (
    DEFAULT_DELIMITERS,
    EnvelopeValues,
    X12Builder,
    check_value,
    format_date8,
    format_date_range,
    format_r,
    format_time,
)

IMPLEMENTATION_REFERENCE = "005010X222A1"
FUNCTIONAL_ID = "HC"  # GS01 for every 837

PRINCIPAL_QUALIFIERS = ("ABK", "BK")  # HI01-1: ICD-10-CM / ICD-9-CM principal diagnosis
OTHER_QUALIFIERS = ("ABF", "BF")  # HI02-1 .. HI12-1: other diagnoses
MAX_DIAGNOSES = 12  # 2300 HI01..HI12
MAX_LINES = 50  # 2400 repeat
MAX_OTHER_SUBSCRIBERS = 10  # 2320 repeat
MAX_MODIFIERS = 4  # SV101-3..6, SVD03-3..6
MAX_POINTERS = 4  # SV107-1..4
MAX_CAS = 5  # 2320 / 2430 CAS repeat
MAX_CAS_TRIPLETS = 6  # CAS02..CAS19
FREQUENCIES_NEEDING_PAYER_CCN = ("7", "8")  # 2300 REF*F8: replacement / void


class _Out:
    """The builder plus the request path of the claim being written, so every value is
    checked under its business name before the builder sees it."""

    def __init__(self, builder: X12Builder, prefix: str) -> None:
        self.b = builder
        self.prefix = prefix

    def at(self, prefix: str) -> _Out:
        return _Out(self.b, prefix)

    def name(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def fail(self, message: str, path: str) -> X12WriteError:
        return X12WriteError(message, field=self.name(path))

    def text(self, value: str | None, path: str) -> str:
        if value is None:
            return ""
        return check_value(value, field=self.name(path), delimiters=self.b.delimiters)

    def required(self, value: str | None, path: str, what: str) -> str:
        if not value:
            raise self.fail(f"{what} is required", path)
        return self.text(value, path)

    def amount(self, value: Decimal | None, path: str) -> str:
        return "" if value is None else format_r(value, field=self.name(path))

    def add(self, segment_id: str, *elements: str | tuple[str, ...]) -> None:
        """A segment; a tuple element is a composite (already checked values)."""
        self.b.add(
            segment_id,
            *(self.b.composite(*e) if isinstance(e, tuple) else e for e in elements),
        )


def _claim_prefix(index: int, count: int) -> str:
    return f"claims[{index}]." if count > 1 else ""


def render_837p(
    claims: Sequence[Claim],
    envelope: EnvelopeValues,
    *,
    submitter_id: str,
    receiver_id: str,
    transaction_control_number: int | str,
    reference_id: str,
    created_at: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    line_breaks: bool = False,
) -> str:
    """One interchange holding one 837P transaction set with every claim in `claims`.

    `submitter_id` / `receiver_id` are the 1000A / 1000B NM109 (ETIN) agreed with the
    clearinghouse; `transaction_control_number` is ST02 (the reader hands it back as each
    claim's `control_number`); `reference_id` is BHT03, the batch id the 999 and 277CA echo;
    `created_at` is BHT04/BHT05 (the caller's clock, never ours). All claims must share the
    submitter, the receiver and the envelope's usage indicator, as one ST has one 1000A/1000B.
    Errors name the field as `claims[i].<path>` when there are several claims.
    """
    if not claims:
        raise X12WriteError("an 837P needs at least one claim", field="claims")
    if envelope.functional_id != FUNCTIONAL_ID:
        raise X12WriteError(
            f"GS01 must be {FUNCTIONAL_ID!r} for an 837", field="envelope.functional_id"
        )
    if envelope.implementation_reference != IMPLEMENTATION_REFERENCE:
        raise X12WriteError(
            f"GS08 must be {IMPLEMENTATION_REFERENCE!r} for an 837P",
            field="envelope.implementation_reference",
        )
    for name, value, where in (
        ("submitter_id", submitter_id, "1000A NM109"),
        ("receiver_id", receiver_id, "1000B NM109"),
        ("reference_id", reference_id, "BHT03"),
    ):
        if not value:
            raise X12WriteError(f"is required ({where})", field=name)
    count = len(claims)
    first = claims[0]
    for i, claim in enumerate(claims):
        prefix = _claim_prefix(i, count)
        if claim.usage_indicator != envelope.usage_indicator:
            raise X12WriteError(
                f"usage indicator {claim.usage_indicator!r} differs from the interchange's "
                f"ISA15 {envelope.usage_indicator!r}",
                field=f"{prefix}usageIndicator",
            )
        if claim.submitter != first.submitter:
            raise X12WriteError(
                "all claims in one transaction set share one submitter (loop 1000A)",
                field=f"{prefix}submitter",
            )
        if claim.receiver_name != first.receiver_name:
            raise X12WriteError(
                "all claims in one transaction set share one receiver (loop 1000B)",
                field=f"{prefix}receiver.organizationName",
            )

    builder = X12Builder(delimiters)
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("837", transaction_control_number, IMPLEMENTATION_REFERENCE)
    out = _Out(builder, _claim_prefix(0, count))
    # BHT01 0019: information source > subscriber > dependent; BHT02 00 original; BHT06 CH
    # chargeable (a claim, not an encounter).
    out.add(
        "BHT",
        "0019",
        "00",
        check_value(reference_id, field="reference_id", delimiters=delimiters),
        format_date8(created_at.date()),
        format_time(created_at.time()),
        "CH",
    )
    _write_submitter(out, first, submitter_id)
    _write_receiver(out, first, receiver_id)

    hl = 0
    for billing, subscriber_groups in _group(claims):
        hl += 1
        billing_hl = hl
        first_index, first_claim = subscriber_groups[0][0]
        billing_out = out.at(_claim_prefix(first_index, count))
        billing_out.add("HL", str(billing_hl), "", "20", "1")  # 2000A: always has a 22 child
        position = first_claim.providers.index(billing)
        _write_billing_provider(billing_out, billing, f"providers[{position}]")
        for group in subscriber_groups:
            index, claim = group[0]
            group_out = out.at(_claim_prefix(index, count))
            hl += 1
            subscriber_hl = hl
            child = "1" if claim.dependent is not None else "0"
            group_out.add("HL", str(subscriber_hl), str(billing_hl), "22", child)
            _write_subscriber(group_out, claim)
            if claim.dependent is not None:
                hl += 1
                group_out.add("HL", str(hl), str(subscriber_hl), "23", "0")
                _write_patient(group_out, claim.dependent)
            for index, claim in group:
                _write_claim(out.at(_claim_prefix(index, count)), claim)

    builder.se()
    builder.ge()
    builder.iea()
    return builder.render(line_breaks=line_breaks)


def _provider_index(claim: Claim, provider_type: str, prefix: str) -> int | None:
    """Index of the claim's provider of that type; the 837P has one loop per type here."""
    found = [i for i, p in enumerate(claim.providers) if p.provider_type == provider_type]
    if len(found) > 1:
        raise X12WriteError(
            f"more than one {provider_type}: the 837P carries one",
            field=f"{prefix}providers[{found[1]}]",
        )
    return found[0] if found else None


def _group(
    claims: Sequence[Claim],
) -> list[tuple[Provider, list[list[tuple[int, Claim]]]]]:
    """Claims grouped by billing provider (HL 20), then by subscriber + payer + patient
    (HL 22 / 23), both in order of first appearance; claims keep their order inside a group."""
    count = len(claims)
    by_billing: dict[Provider, dict[object, list[tuple[int, Claim]]]] = {}
    for i, claim in enumerate(claims):
        out_prefix = _claim_prefix(i, count)
        billing_index = _provider_index(claim, BILLING, out_prefix)
        if billing_index is None:
            raise X12WriteError(
                "a BillingProvider is required (loop 2010AA)", field=f"{out_prefix}providers"
            )
        billing = claim.providers[billing_index]
        key = (
            claim.subscriber,
            claim.trading_partner_service_id,
            claim.trading_partner_name or claim.receiver_name,
            claim.claim_information.claim_filing_code,
            claim.dependent,
        )
        by_billing.setdefault(billing, {}).setdefault(key, []).append((i, claim))
    return [(billing, list(groups.values())) for billing, groups in by_billing.items()]


def _write_contact(out: _Out, contact: Contact | None, path: str, *, required: bool) -> None:
    """PER*IC: name, then telephone and email (1000A PER is required, 2010AA PER optional)."""
    if contact is None:
        if required:
            raise out.fail("a contact with a phone number or email is required (PER)", path)
        return
    if not contact.phone_number and not contact.email:
        raise out.fail("PER needs a phone number or an email", path)
    elements: list[str] = ["IC", out.text(contact.name, f"{path}.name")]
    if contact.phone_number:
        elements += ["TE", out.text(contact.phone_number, f"{path}.phoneNumber")]
    if contact.email:
        elements += ["EM", out.text(contact.email, f"{path}.email")]
    out.add("PER", *elements)


def _write_address(out: _Out, address: Address | None, path: str, loop: str) -> None:
    """N3/N4; every loop we write an address in requires both (2010AA, 2010BA for the
    patient, 2010CA, 2310C)."""
    if address is None:
        raise out.fail(f"an address is required (loop {loop} N3/N4)", path)
    out.add(
        "N3",
        out.required(address.address1, f"{path}.address1", "address1"),
        out.text(address.address2, f"{path}.address2"),
    )
    out.add(
        "N4",
        out.required(address.city, f"{path}.city", "city"),
        out.text(address.state, f"{path}.state"),
        out.text(address.postal_code, f"{path}.postalCode"),
    )


def _write_submitter(out: _Out, claim: Claim, submitter_id: str) -> None:
    """Loop 1000A: NM1*41 (non-person, ETIN qualifier 46) and the required PER*IC."""
    submitter = claim.submitter
    out.add(
        "NM1",
        "41",
        "2",
        out.required(submitter.organization_name, "submitter.organizationName", "name"),
        "",
        "",
        "",
        "",
        "46",
        check_value(submitter_id, field="submitter_id", delimiters=out.b.delimiters),
    )
    _write_contact(out, submitter.contact, "submitter.contactInformation", required=True)


def _write_receiver(out: _Out, claim: Claim, receiver_id: str) -> None:
    """Loop 1000B: NM1*40, the clearinghouse or payer receiving the interchange."""
    out.add(
        "NM1",
        "40",
        "2",
        out.required(claim.receiver_name, "receiver.organizationName", "name"),
        "",
        "",
        "",
        "",
        "46",
        check_value(receiver_id, field="receiver_id", delimiters=out.b.delimiters),
    )


def _name_elements(out: _Out, provider: Provider, path: str) -> list[str]:
    """NM102..NM105 of a provider: an organization name wins over a person's names."""
    if provider.organization_name:
        return ["2", out.text(provider.organization_name, f"{path}.organizationName"), "", ""]
    return [
        "1",
        out.required(provider.last_name, f"{path}.lastName", "an organization or last name"),
        out.text(provider.first_name, f"{path}.firstName"),
        "",
    ]


def _write_billing_provider(out: _Out, billing: Provider, path: str) -> None:
    """2000A PRV*BI and loop 2010AA: NM1*85 with the NPI, N3/N4 (required), the tax id
    (REF*EI or REF*SY, one of them required) and the optional PER."""
    if billing.taxonomy_code:
        out.add("PRV", "BI", "PXC", out.text(billing.taxonomy_code, f"{path}.taxonomyCode"))
    out.add(
        "NM1",
        "85",
        *_name_elements(out, billing, path),
        "",
        "",
        "XX",
        out.required(billing.npi, f"{path}.npi", "the NPI"),
    )
    _write_address(out, billing.address, f"{path}.address", "2010AA")
    if billing.employer_id:
        out.add("REF", "EI", out.text(billing.employer_id, f"{path}.employerId"))
    elif billing.ssn:
        out.add("REF", "SY", out.text(billing.ssn, f"{path}.ssn"))
    else:
        raise out.fail("an employerId or ssn is required (loop 2010AA REF)", f"{path}.employerId")
    _write_contact(out, billing.contact, f"{path}.contactInformation", required=False)


def _write_dmg(
    out: _Out, birth: date | None, gender: str | None, path: str, *, required: bool, loop: str
) -> None:
    """DMG*D8: birth date and gender (F, M, U); a missing gender is written U (unknown)."""
    if birth is None:
        if required:
            raise out.fail(f"a date of birth is required (loop {loop} DMG)", f"{path}.dateOfBirth")
        return
    out.add("DMG", "D8", format_date8(birth), out.text(gender, f"{path}.gender") or "U")


def _write_subscriber(out: _Out, claim: Claim) -> None:
    """2000B SBR, 2010BA subscriber (NM1*IL, address and DMG required when the subscriber is
    the patient) and 2010BB payer (NM1*PR, PI = the clearinghouse payer id)."""
    subscriber = claim.subscriber
    info = claim.claim_information
    patient = claim.patient_is_subscriber
    out.add(
        "SBR",
        out.required(
            subscriber.payment_responsibility_level_code,
            "subscriber.paymentResponsibilityLevelCode",
            "payment responsibility",
        ),
        "18" if patient else "",  # SBR02: 18 = self, only when the subscriber is the patient
        out.text(subscriber.group_number, "subscriber.groupNumber"),
        "",
        "",
        "",
        "",
        "",
        out.required(info.claim_filing_code, "claimInformation.claimFilingCode", "SBR09"),
    )
    out.add(
        "NM1",
        "IL",
        "1",
        out.required(subscriber.last_name, "subscriber.lastName", "last name"),
        out.text(subscriber.first_name, "subscriber.firstName"),
        "",
        "",
        "",
        "MI",
        out.required(subscriber.member_id, "subscriber.memberId", "member id"),
    )
    if patient or subscriber.address is not None:
        _write_address(out, subscriber.address, "subscriber.address", "2010BA")
    _write_dmg(
        out,
        subscriber.date_of_birth,
        subscriber.gender,
        "subscriber",
        required=patient,
        loop="2010BA",
    )
    out.add(
        "NM1",
        "PR",
        "2",
        out.required(
            claim.trading_partner_name or claim.receiver_name, "tradingPartnerName", "payer name"
        ),
        "",
        "",
        "",
        "",
        "PI",
        out.required(claim.trading_partner_service_id, "tradingPartnerServiceId", "payer id"),
    )


def _write_patient(out: _Out, dependent: Dependent) -> None:
    """2000C PAT and 2010CA: NM1*QC (no id in 5010), N3/N4 and DMG, all required."""
    out.add(
        "PAT",
        out.required(
            dependent.relationship_to_subscriber_code,
            "dependent.relationshipToSubscriberCode",
            "relationship",
        ),
    )
    out.add(
        "NM1",
        "QC",
        "1",
        out.required(dependent.last_name, "dependent.lastName", "last name"),
        out.text(dependent.first_name, "dependent.firstName"),
    )
    _write_address(out, dependent.address, "dependent.address", "2010CA")
    _write_dmg(
        out, dependent.date_of_birth, dependent.gender, "dependent", required=True, loop="2010CA"
    )


def _write_claim(out: _Out, claim: Claim) -> None:
    """Loop 2300 with its 2310A-C providers, 2320/2330 other payers and 2400 lines."""
    info = claim.claim_information
    base = "claimInformation"
    out.add(
        "CLM",
        out.required(info.patient_control_number, f"{base}.patientControlNumber", "CLM01"),
        out.amount(info.claim_charge_amount, f"{base}.claimChargeAmount"),
        "",
        "",
        (
            out.required(info.place_of_service_code, f"{base}.placeOfServiceCode", "CLM05-1"),
            "B",  # CLM05-2: place of service codes for professional services
            out.required(info.claim_frequency_code, f"{base}.claimFrequencyCode", "CLM05-3"),
        ),
        out.text(info.signature_indicator, f"{base}.signatureIndicator"),
        out.text(info.plan_participation_code, f"{base}.planParticipationCode"),
        out.text(
            info.benefits_assignment_certification_indicator,
            f"{base}.benefitsAssignmentCertificationIndicator",
        ),
        out.text(info.release_information_code, f"{base}.releaseInformationCode"),
    )
    # 2300 REF order in the TR3: 9F referral, G1 prior authorization, F8 payer claim control.
    if info.referral_number:
        out.add("REF", "9F", out.text(info.referral_number, f"{base}.referralNumber"))
    if info.prior_authorization_number:
        out.add(
            "REF",
            "G1",
            out.text(info.prior_authorization_number, f"{base}.priorAuthorizationNumber"),
        )
    if info.claim_frequency_code in FREQUENCIES_NEEDING_PAYER_CCN:
        # REF*F8 is required for a replacement or void, and "do not send" otherwise.
        out.add(
            "REF",
            "F8",
            out.required(
                info.payer_claim_control_number,
                f"{base}.payerClaimControlNumber",
                "the payer claim control number of the claim replaced or voided",
            ),
        )
    _write_diagnoses(out, info.diagnoses)
    _write_claim_providers(out, claim)
    if len(info.other_subscribers) > MAX_OTHER_SUBSCRIBERS:
        raise out.fail(
            f"at most {MAX_OTHER_SUBSCRIBERS} other payers (loop 2320)",
            f"{base}.otherSubscriberInformation",
        )
    for i, other in enumerate(info.other_subscribers):
        _write_other_subscriber(out, other, f"{base}.otherSubscriberInformation[{i}]")
    payer_ids = {o.payer.identifier for o in info.other_subscribers}
    if not info.service_lines:
        raise out.fail("at least one service line is required (loop 2400)", f"{base}.serviceLines")
    if len(info.service_lines) > MAX_LINES:
        raise out.fail(f"at most {MAX_LINES} service lines (loop 2400)", f"{base}.serviceLines")
    for number, line in enumerate(info.service_lines, 1):
        _write_line(out, info, line, number, payer_ids, f"{base}.serviceLines[{number - 1}]")


def _write_diagnoses(out: _Out, diagnoses: tuple[Diagnosis, ...]) -> None:
    """2300 HI: the principal diagnosis (ABK) first, then others (ABF); codes without the
    decimal point. Order is never changed, as SV107 pointers count positions in it."""
    path = "claimInformation.healthCareCodeInformation"
    if not diagnoses:
        raise out.fail("at least one diagnosis is required (2300 HI)", path)
    if len(diagnoses) > MAX_DIAGNOSES:
        raise out.fail(f"at most {MAX_DIAGNOSES} diagnoses fit in HI01-HI12", path)
    composites: list[tuple[str, ...]] = []
    for i, diagnosis in enumerate(diagnoses):
        allowed = PRINCIPAL_QUALIFIERS if i == 0 else OTHER_QUALIFIERS
        if diagnosis.type_code not in allowed:
            raise out.fail(
                f"diagnosis {i + 1} must have type {' or '.join(allowed)}: the principal "
                "diagnosis comes first, exactly once",
                f"{path}[{i}].diagnosisTypeCode",
            )
        code = out.required(diagnosis.code.replace(".", ""), f"{path}[{i}].diagnosisCode", "code")
        composites.append((diagnosis.type_code, code))
    out.add("HI", *composites)


def _write_claim_providers(out: _Out, claim: Claim) -> None:
    """2310A referring (person), 2310B rendering (+ PRV*PE), 2310C service facility
    (organization, N3/N4 required). Fields those loops cannot carry (a rendering provider's
    address, a referring provider's taxonomy ...) are not written."""
    referring = _provider_index(claim, REFERRING, out.prefix)
    if referring is not None:
        provider, path = claim.providers[referring], f"providers[{referring}]"
        out.add(
            "NM1",
            "DN",
            "1",  # 2310A NM102: person only
            out.required(provider.last_name, f"{path}.lastName", "a referring provider's name"),
            out.text(provider.first_name, f"{path}.firstName"),
            "",
            "",
            "",
            "XX",
            out.required(provider.npi, f"{path}.npi", "the NPI"),
        )
    rendering = _provider_index(claim, RENDERING, out.prefix)
    if rendering is not None:
        provider, path = claim.providers[rendering], f"providers[{rendering}]"
        out.add(
            "NM1",
            "82",
            *_name_elements(out, provider, path),
            "",
            "",
            "XX",
            out.required(provider.npi, f"{path}.npi", "the NPI"),
        )
        if provider.taxonomy_code:
            out.add("PRV", "PE", "PXC", out.text(provider.taxonomy_code, f"{path}.taxonomyCode"))
    facility = _provider_index(claim, SERVICE_FACILITY, out.prefix)
    if facility is not None:
        provider, path = claim.providers[facility], f"providers[{facility}]"
        out.add(
            "NM1",
            "77",
            "2",  # 2310C NM102: organization only
            out.required(provider.organization_name, f"{path}.organizationName", "a facility name"),
            "",
            "",
            "",
            "",
            "XX",
            out.required(provider.npi, f"{path}.npi", "the NPI"),
        )
        _write_address(out, provider.address, f"{path}.address", "2310C")


def _adjustment_paths(adjustments: tuple[Adjustment, ...], path: str) -> list[str]:
    """Contract path of each flattened adjustment: group g (by first appearance), detail d."""
    groups: list[str] = []
    seen: dict[str, int] = {}
    paths: list[str] = []
    for adjustment in adjustments:
        if adjustment.group_code not in groups:
            groups.append(adjustment.group_code)
        g = groups.index(adjustment.group_code)
        d = seen.get(adjustment.group_code, 0)
        seen[adjustment.group_code] = d + 1
        paths.append(f"{path}[{g}].adjustmentDetails[{d}]")
    return paths


def _write_cas(out: _Out, adjustments: tuple[Adjustment, ...], path: str) -> None:
    """CAS per group code (CO, PR, OA, PI, CR), in order of first appearance, each with up
    to 6 reason/amount/quantity triplets (2320 and 2430 CAS, repeat 5)."""
    paths = _adjustment_paths(adjustments, path)
    by_group: dict[str, list[tuple[Adjustment, str]]] = {}
    for adjustment, adjustment_path in zip(adjustments, paths, strict=True):
        by_group.setdefault(adjustment.group_code, []).append((adjustment, adjustment_path))
    segments: list[tuple[str, int, list[tuple[Adjustment, str]]]] = []
    for number, (group, items) in enumerate(by_group.items()):
        for start in range(0, len(items), MAX_CAS_TRIPLETS):
            segments.append((group, number, items[start : start + MAX_CAS_TRIPLETS]))
    if len(segments) > MAX_CAS:
        raise out.fail(f"adjustments need more than {MAX_CAS} CAS segments", path)
    for group, number, items in segments:
        elements = [out.required(group, f"{path}[{number}].adjustmentGroupCode", "the group code")]
        for adjustment, item_path in items:
            elements += [
                out.required(adjustment.reason_code, f"{item_path}.adjustmentReasonCode", "CARC"),
                out.amount(adjustment.amount, f"{item_path}.adjustmentAmount"),
                out.amount(adjustment.quantity, f"{item_path}.adjustmentQuantity"),
            ]
        out.add("CAS", *elements)


def _write_other_subscriber(out: _Out, other: OtherSubscriberInformation, path: str) -> None:
    """Loop 2320 (SBR, CAS, AMT*D, AMT*EAF, OI) with 2330A other insured (NM1*IL) and 2330B
    other payer (NM1*PR, DTP*573 adjudication date, REF*F8 its claim control number)."""
    out.add(
        "SBR",
        out.required(
            other.payment_responsibility_level_code,
            f"{path}.paymentResponsibilityLevelCode",
            "SBR01",
        ),
        out.required(
            other.individual_relationship_code, f"{path}.individualRelationshipCode", "SBR02"
        ),
        out.text(other.group_number, f"{path}.insuredGroupOrPolicyNumber"),
        "",
        "",
        "",
        "",
        "",
        out.required(
            other.claim_filing_indicator_code, f"{path}.claimFilingIndicatorCode", "SBR09"
        ),
    )
    _write_cas(out, other.claim_adjustments, f"{path}.claimLevelAdjustments")
    if other.payer_paid_amount is not None:
        out.add("AMT", "D", out.amount(other.payer_paid_amount, f"{path}.payerPaidAmount"))
    if other.remaining_patient_liability is not None:
        out.add(
            "AMT",
            "EAF",
            out.amount(other.remaining_patient_liability, f"{path}.remainingPatientLiability"),
        )
    out.add(
        "OI",
        "",
        "",
        out.text(
            other.benefits_assignment_certification_indicator,
            f"{path}.benefitsAssignmentCertificationIndicator",
        ),
        "",
        "",
        out.text(other.release_of_information_code, f"{path}.releaseOfInformationCode"),
    )
    insured, name = other.insured, f"{path}.otherSubscriberName"
    out.add(
        "NM1",
        "IL",
        out.text(insured.qualifier, f"{name}.otherInsuredQualifier"),
        out.required(insured.last_name, f"{name}.otherInsuredLastName", "last name"),
        out.text(insured.first_name, f"{name}.otherInsuredFirstName"),
        "",
        "",
        "",
        out.text(insured.identifier_type_code, f"{name}.otherInsuredIdentifierTypeCode"),
        out.required(insured.identifier, f"{name}.otherInsuredIdentifier", "identifier"),
    )
    payer, name = other.payer, f"{path}.otherPayerName"
    out.add(
        "NM1",
        "PR",
        "2",
        out.required(payer.organization_name, f"{name}.otherPayerOrganizationName", "name"),
        "",
        "",
        "",
        "",
        out.text(payer.identifier_type_code, f"{name}.otherPayerIdentifierTypeCode"),
        out.required(payer.identifier, f"{name}.otherPayerIdentifier", "identifier"),
    )
    if payer.adjudication_date is not None:
        out.add("DTP", "573", "D8", format_date8(payer.adjudication_date))
    if payer.claim_control_number:
        out.add(
            "REF",
            "F8",
            out.text(payer.claim_control_number, f"{name}.otherPayerClaimControlNumber"),
        )


def _procedure(
    out: _Out, identifier: str, code: str, modifiers: tuple[str, ...], path: str, names: str
) -> tuple[str, ...]:
    """SV101 / SVD03 composite: qualifier : code : up to four modifiers."""
    ident_name, code_name, modifier_name = names.split(",")
    if len(modifiers) > MAX_MODIFIERS:
        raise out.fail(f"at most {MAX_MODIFIERS} procedure modifiers", f"{path}.{modifier_name}")
    return (
        out.required(identifier, f"{path}.{ident_name}", "the code qualifier"),
        out.required(code, f"{path}.{code_name}", "the procedure code"),
        *(out.text(m, f"{path}.{modifier_name}[{i}]") for i, m in enumerate(modifiers)),
    )


def _write_line(
    out: _Out,
    info: ClaimInformation,
    line: ServiceLine,
    number: int,
    payer_ids: set[str],
    path: str,
) -> None:
    """Loop 2400: LX, SV1, DTP*472, REF*6R, then a 2430 per prior payer adjudication."""
    service = f"{path}.professionalService"
    pointers = line.diagnosis_pointers
    if not 1 <= len(pointers) <= MAX_POINTERS:
        raise out.fail(
            f"SV107 needs 1 to {MAX_POINTERS} diagnosis pointers",
            f"{service}.compositeDiagnosisCodePointers.diagnosisCodePointers",
        )
    out.add("LX", str(number))
    # SV105 only when the line's place of service differs from CLM05-1 (TR3 2400 SV105 note).
    place = line.place_of_service_code
    out.add(
        "SV1",
        _procedure(
            out,
            line.procedure_identifier,
            line.procedure_code,
            line.procedure_modifiers,
            service,
            "procedureIdentifier,procedureCode,procedureModifiers",
        ),
        out.amount(line.charge_amount, f"{service}.lineItemChargeAmount"),
        out.text(line.measurement_unit, f"{service}.measurementUnit"),
        out.amount(line.unit_count, f"{service}.serviceUnitCount"),
        out.text(place, f"{service}.placeOfServiceCode")
        if place and place != info.place_of_service_code
        else "",
        "",
        tuple(str(p) for p in pointers),
    )
    if line.service_date_end is None:
        out.add("DTP", "472", "D8", format_date8(line.service_date))
    else:
        try:
            period = format_date_range(line.service_date, line.service_date_end)
        except X12WriteError as error:
            raise out.fail(error.message, f"{path}.serviceDateEnd") from None
        out.add("DTP", "472", "RD8", period)
    if line.provider_control_number:
        out.add(
            "REF", "6R", out.text(line.provider_control_number, f"{path}.providerControlNumber")
        )
    for i, adjudication in enumerate(line.line_adjudications):
        _write_line_adjudication(
            out, adjudication, payer_ids, f"{path}.lineAdjudicationInformation[{i}]"
        )


def _write_line_adjudication(
    out: _Out, adjudication: LineAdjudication, payer_ids: set[str], path: str
) -> None:
    """Loop 2430: SVD (SVD01 must match a 2330B NM109), CAS per group, DTP*573."""
    if adjudication.other_payer_primary_identifier not in payer_ids:
        raise out.fail(
            "must match the otherPayerIdentifier of one otherSubscriberInformation (2330B NM109)",
            f"{path}.otherPayerPrimaryIdentifier",
        )
    out.add(
        "SVD",
        out.text(
            adjudication.other_payer_primary_identifier, f"{path}.otherPayerPrimaryIdentifier"
        ),
        out.amount(adjudication.paid_amount, f"{path}.serviceLinePaidAmount"),
        _procedure(
            out,
            adjudication.procedure_identifier,
            adjudication.procedure_code,
            adjudication.procedure_modifiers,
            path,
            "serviceIdQualifier,procedureCode,procedureModifier",
        ),
        "",
        out.amount(adjudication.paid_unit_count, f"{path}.paidServiceUnitCount"),
        "" if adjudication.bundled_line_number is None else str(adjudication.bundled_line_number),
    )
    _write_cas(out, adjudication.adjustments, f"{path}.claimAdjustmentInformation")
    out.add("DTP", "573", "D8", format_date8(adjudication.adjudication_date))
