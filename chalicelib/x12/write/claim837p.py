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
from datetime import datetime

from ...claims.model import (
    BILLING,
    CLAIM_DATE_QUALIFIERS,
    REFERRING,
    RENDERING,
    SERVICE_FACILITY,
    SUPERVISING,
    Address,
    Claim,
    ClaimDate,
    ClaimInformation,
    Dependent,
    Diagnosis,
    OtherSubscriberInformation,
    Provider,
)
from ..errors import X12WriteError
from ..tokenizer import Delimiters
from ..writer import (
    DEFAULT_DELIMITERS,
    EnvelopeValues,
    X12Builder,
    check_value,
    format_date8,
    format_time,
)
from .claim837p_base import (
    FREQUENCIES_NEEDING_PAYER_CCN,
    FUNCTIONAL_ID,
    IMPLEMENTATION_REFERENCE,
    MAX_DIAGNOSES,
    MAX_LINES,
    MAX_OTHER_SUBSCRIBERS,
    OTHER_QUALIFIERS,
    PRINCIPAL_QUALIFIERS,
    Out,
    claim_prefix,
    name_elements,
    write_address,
    write_cas,
    write_contact,
    write_dmg,
    write_person_provider,
)
from .claim837p_line import write_line


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
        prefix = claim_prefix(i, count)
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
    out = Out(builder, claim_prefix(0, count))
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
        billing_out = out.at(claim_prefix(first_index, count))
        billing_out.add("HL", str(billing_hl), "", "20", "1")  # 2000A: always has a 22 child
        position = first_claim.providers.index(billing)
        _write_billing_provider(billing_out, billing, f"providers[{position}]")
        if first_claim.pay_to_address is not None:
            # 2010AB: where payments go, when not the billing provider's address.
            billing_out.add("NM1", "87", "2")
            write_address(billing_out, first_claim.pay_to_address, "payToAddress", "2010AB")
        for group in subscriber_groups:
            index, claim = group[0]
            group_out = out.at(claim_prefix(index, count))
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
                _write_claim(out.at(claim_prefix(index, count)), claim)

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
    """Claims grouped by billing provider and pay-to address (HL 20), then by subscriber +
    payer + patient (HL 22 / 23), both in order of first appearance; claims keep their order
    inside a group."""
    count = len(claims)
    by_billing: dict[tuple[Provider, Address | None], dict[object, list[tuple[int, Claim]]]] = {}
    for i, claim in enumerate(claims):
        out_prefix = claim_prefix(i, count)
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
        by_billing.setdefault((billing, claim.pay_to_address), {}).setdefault(key, []).append(
            (i, claim)
        )
    return [(billing, list(groups.values())) for (billing, _), groups in by_billing.items()]


def _write_submitter(out: Out, claim: Claim, submitter_id: str) -> None:
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
        out.text(submitter.identification, "submitter.submitterIdentification")
        or check_value(submitter_id, field="submitter_id", delimiters=out.b.delimiters),
    )
    write_contact(out, submitter.contact, "submitter.contactInformation", required=True)


def _write_receiver(out: Out, claim: Claim, receiver_id: str) -> None:
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


def _write_billing_provider(out: Out, billing: Provider, path: str) -> None:
    """2000A PRV*BI and loop 2010AA: NM1*85 with the NPI, N3/N4 (required), the tax id
    (REF*EI or REF*SY, one of them required) and the optional PER."""
    if billing.taxonomy_code:
        out.add("PRV", "BI", "PXC", out.text(billing.taxonomy_code, f"{path}.taxonomyCode"))
    out.add(
        "NM1",
        "85",
        *name_elements(out, billing, path),
        "",
        "",
        "XX",
        out.required(billing.npi, f"{path}.npi", "the NPI"),
    )
    write_address(out, billing.address, f"{path}.address", "2010AA")
    if billing.employer_id:
        out.add("REF", "EI", out.text(billing.employer_id, f"{path}.employerId"))
    elif billing.ssn:
        out.add("REF", "SY", out.text(billing.ssn, f"{path}.ssn"))
    else:
        raise out.fail("an employerId or ssn is required (loop 2010AA REF)", f"{path}.employerId")
    write_contact(out, billing.contact, f"{path}.contactInformation", required=False)


def _write_subscriber(out: Out, claim: Claim) -> None:
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
        out.text(subscriber.group_name, "subscriber.subscriberGroupName"),
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
        out.text(subscriber.middle_name, "subscriber.middleName"),
        "",
        out.text(subscriber.suffix, "subscriber.suffix"),
        "MI",
        out.required(subscriber.member_id, "subscriber.memberId", "member id"),
    )
    if patient or subscriber.address is not None:
        write_address(out, subscriber.address, "subscriber.address", "2010BA")
    write_dmg(
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


def _write_patient(out: Out, dependent: Dependent) -> None:
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
        out.text(dependent.middle_name, "dependent.middleName"),
        "",
        out.text(dependent.suffix, "dependent.suffix"),
    )
    write_address(out, dependent.address, "dependent.address", "2010CA")
    write_dmg(
        out, dependent.date_of_birth, dependent.gender, "dependent", required=True, loop="2010CA"
    )


def _write_claim(out: Out, claim: Claim) -> None:
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
        *_related_causes(out, info),
    )
    _write_claim_dates(out, info.dates)
    if info.patient_amount_paid is not None:
        out.add("AMT", "F5", out.amount(info.patient_amount_paid, f"{base}.patientAmountPaid"))
    # 2300 REF order in the TR3: 9F referral, G1 prior authorization, F8 payer claim
    # control, X4 CLIA, EA medical record.
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
    supplemental = f"{base}.claimSupplementalInformation"
    if info.clia_number:
        out.add("REF", "X4", out.text(info.clia_number, f"{supplemental}.cliaNumber"))
    if info.medical_record_number:
        out.add(
            "REF", "EA", out.text(info.medical_record_number, f"{supplemental}.medicalRecordNumber")
        )
    if info.note is not None:
        out.add(
            "NTE",
            out.text(info.note.code, f"{base}.claimNote"),
            out.required(info.note.text, f"{base}.claimNote", "the note's text"),
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
        write_line(out, info, line, number, payer_ids, f"{base}.serviceLines[{number - 1}]")


RELATED_CAUSES = ("AA", "EM", "OA")  # CLM11-1 / CLM11-2


def _related_causes(out: Out, info: ClaimInformation) -> list[str | tuple[str, ...]]:
    """CLM11, only when the claim is related to an accident or employment."""
    path = "claimInformation.relatedCausesCode"
    if not info.related_causes:
        return []
    if len(info.related_causes) > 2 or any(c not in RELATED_CAUSES for c in info.related_causes):
        raise out.fail(f"one or two of {', '.join(RELATED_CAUSES)} (CLM11-1, CLM11-2)", path)
    causes = [*info.related_causes, ""][:2]
    state = out.text(info.auto_accident_state, "claimInformation.autoAccidentStateCode")
    if "AA" in info.related_causes and not state:
        raise out.fail(
            "the state of an auto accident is required (CLM11-4)",
            "claimInformation.autoAccidentStateCode",
        )
    return ["", (*causes, "", state) if state else tuple(c for c in causes if c)]


def _write_claim_dates(out: Out, dates: tuple[ClaimDate, ...]) -> None:
    path = "claimInformation.claimDateInformation"
    by_qualifier = {d.qualifier: d.on for d in dates}
    unknown = [q for q in by_qualifier if q not in CLAIM_DATE_QUALIFIERS]
    if unknown or len(by_qualifier) != len(dates):
        raise out.fail("each claim date at most once, of the kinds the 837P carries", path)
    for qualifier in CLAIM_DATE_QUALIFIERS:
        if qualifier in by_qualifier:
            out.add("DTP", qualifier, "D8", format_date8(by_qualifier[qualifier]))


def _write_diagnoses(out: Out, diagnoses: tuple[Diagnosis, ...]) -> None:
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


def _write_claim_providers(out: Out, claim: Claim) -> None:
    """2310A referring (person), 2310B rendering (+ PRV*PE), 2310C service facility
    (organization, N3/N4 required, NPI when it has one), 2310D supervising (person). Fields
    those loops cannot carry (a rendering provider's address ...) are not written."""
    referring = _provider_index(claim, REFERRING, out.prefix)
    if referring is not None:
        provider, path = claim.providers[referring], f"providers[{referring}]"
        write_person_provider(
            out, "DN", provider, path, what="a referring provider", organization=False
        )
    rendering = _provider_index(claim, RENDERING, out.prefix)
    if rendering is not None:
        provider, path = claim.providers[rendering], f"providers[{rendering}]"
        write_person_provider(out, "82", provider, path, what="the rendering", organization=True)
        if provider.taxonomy_code:
            out.add("PRV", "PE", "PXC", out.text(provider.taxonomy_code, f"{path}.taxonomyCode"))
    facility = _provider_index(claim, SERVICE_FACILITY, out.prefix)
    if facility is not None:
        provider, path = claim.providers[facility], f"providers[{facility}]"
        npi = out.text(provider.npi, f"{path}.npi")
        out.add(
            "NM1",
            "77",
            "2",  # 2310C NM102: organization only
            out.required(provider.organization_name, f"{path}.organizationName", "a facility name"),
            "",
            "",
            "",
            "",
            "XX" if npi else "",
            npi,
        )
        write_address(out, provider.address, f"{path}.address", "2310C")
    supervising = _provider_index(claim, SUPERVISING, out.prefix)
    if supervising is not None:
        provider, path = claim.providers[supervising], f"providers[{supervising}]"
        write_person_provider(
            out, "DQ", provider, path, what="a supervising provider", organization=False
        )


def _write_other_subscriber(out: Out, other: OtherSubscriberInformation, path: str) -> None:
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
    write_cas(out, other.claim_adjustments, f"{path}.claimLevelAdjustments")
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
