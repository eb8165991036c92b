"""A domain claim in the professional claims v3 JSON shape (the request the large API
clearinghouses document, and the shape claimgate accepts): pure, so the API shows it and a
JSON clearinghouse gateway sends it from the same code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.claims import model

# 2300 DTP qualifiers and their names in claimInformation.claimDateInformation.
CLAIM_DATE_QUALIFIERS = {
    "431": "symptomDate",
    "454": "initialTreatmentDate",
    "304": "lastSeenDateTime",
    "453": "acuteManifestationDate",
    "439": "accidentDate",
    "484": "lastMenstrualPeriodDate",
    "455": "lastXRayDate",
    "471": "hearingAndVisionPrescriptionDate",
    "297": "lastWorkedDate",
    "296": "authorizedReturnToWorkDate",
    "435": "admissionDate",
    "096": "dischargeDate",
}


def ccyymmdd(day: date) -> str:
    """strftime("%Y") does not pad years before 1000 on every platform: X12 needs 8 digits."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _drop_none(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if v is not None and v not in ([], {})}


def _address(address: model.Address | None) -> dict[str, object] | None:
    if address is None:
        return None
    return _drop_none(
        {
            "address1": address.address1,
            "address2": address.address2,
            "city": address.city,
            "state": address.state,
            "postalCode": address.postal_code,
        }
    )


def _contact(contact: model.Contact | None) -> dict[str, object] | None:
    if contact is None:
        return None
    return _drop_none(
        {"name": contact.name, "phoneNumber": contact.phone_number, "email": contact.email}
    )


def _r(value: Decimal) -> str:
    """Plain notation: str() writes 1E+2 for some Decimals, which no amount field accepts."""
    return format(value, "f")


def _day(value: date | None) -> str | None:
    return ccyymmdd(value) if value else None


def _adjustments(adjustments: tuple[model.Adjustment, ...]) -> list[dict[str, object]]:
    """Consecutive adjustments of one group become one CAS-like entry of up to six details."""
    groups: list[dict[str, object]] = []
    for adjustment in adjustments:
        detail = _drop_none(
            {
                "adjustmentReasonCode": adjustment.reason_code,
                "adjustmentAmount": _r(adjustment.amount),
                "adjustmentQuantity": (
                    _r(adjustment.quantity) if adjustment.quantity is not None else None
                ),
            }
        )
        last = groups[-1] if groups else None
        details = last["adjustmentDetails"] if last else None
        if (
            last is not None
            and last["adjustmentGroupCode"] == adjustment.group_code
            and isinstance(details, list)
            and len(details) < 6
        ):
            details.append(detail)
        else:
            groups.append(
                {"adjustmentGroupCode": adjustment.group_code, "adjustmentDetails": [detail]}
            )
    return groups


def claim_v3(claim: model.Claim) -> dict[str, object]:
    """The claim as a professional claims v3 request: what GET /v1/claims/{id} shows and
    what an API clearinghouse is sent. Empty values are left out, amounts in plain notation."""
    info = claim.claim_information
    # A service facility without an NPI cannot stand in providers[] (npi is required there).
    unlisted = [
        p for p in claim.providers if p.provider_type == model.SERVICE_FACILITY and not p.npi
    ]
    data: dict[str, object] = _drop_none(
        {
            "controlNumber": claim.control_number,
            "tradingPartnerServiceId": claim.trading_partner_service_id,
            "tradingPartnerName": claim.trading_partner_name,
            "usageIndicator": claim.usage_indicator,
            "submitter": _drop_none(
                {
                    "organizationName": claim.submitter.organization_name,
                    "contactInformation": _contact(claim.submitter.contact),
                    "submitterIdentification": claim.submitter.identification,
                }
            ),
            "receiver": {"organizationName": claim.receiver_name},
            "subscriber": _drop_none(
                {
                    "memberId": claim.subscriber.member_id,
                    "paymentResponsibilityLevelCode": (
                        claim.subscriber.payment_responsibility_level_code
                    ),
                    "firstName": claim.subscriber.first_name,
                    "lastName": claim.subscriber.last_name,
                    "gender": claim.subscriber.gender,
                    "dateOfBirth": _day(claim.subscriber.date_of_birth),
                    "groupNumber": claim.subscriber.group_number,
                    "subscriberGroupName": claim.subscriber.group_name,
                    "middleName": claim.subscriber.middle_name,
                    "suffix": claim.subscriber.suffix,
                    "address": _address(claim.subscriber.address),
                }
            ),
            "providers": [_provider(p) for p in claim.providers if p not in unlisted],
            "payToAddress": _address(claim.pay_to_address),
            "dependent": (
                _drop_none(
                    {
                        "firstName": claim.dependent.first_name,
                        "lastName": claim.dependent.last_name,
                        "gender": claim.dependent.gender,
                        "dateOfBirth": _day(claim.dependent.date_of_birth),
                        "relationshipToSubscriberCode": (
                            claim.dependent.relationship_to_subscriber_code
                        ),
                        "middleName": claim.dependent.middle_name,
                        "suffix": claim.dependent.suffix,
                        "address": _address(claim.dependent.address),
                    }
                )
                if claim.dependent
                else None
            ),
            "claimInformation": _drop_none(
                {
                    "claimFilingCode": info.claim_filing_code,
                    "patientControlNumber": info.patient_control_number,
                    "claimChargeAmount": _r(info.claim_charge_amount),
                    "placeOfServiceCode": info.place_of_service_code,
                    "claimFrequencyCode": info.claim_frequency_code,
                    "signatureIndicator": info.signature_indicator,
                    "planParticipationCode": info.plan_participation_code,
                    "benefitsAssignmentCertificationIndicator": (
                        info.benefits_assignment_certification_indicator
                    ),
                    "releaseInformationCode": info.release_information_code,
                    "priorAuthorizationNumber": info.prior_authorization_number,
                    "referralNumber": info.referral_number,
                    "payerClaimControlNumber": info.payer_claim_control_number,
                    "healthCareCodeInformation": [
                        {"diagnosisTypeCode": d.type_code, "diagnosisCode": d.code}
                        for d in info.diagnoses
                    ],
                    "serviceLines": [_line(line) for line in info.service_lines],
                    "otherSubscriberInformation": [
                        _other(other) for other in info.other_subscribers
                    ],
                    "claimSupplementalInformation": _drop_none(
                        {
                            "medicalRecordNumber": info.medical_record_number,
                            "cliaNumber": info.clia_number,
                        }
                    )
                    or None,
                    "claimDateInformation": {
                        CLAIM_DATE_QUALIFIERS[d.qualifier]: _day(d.on) for d in info.dates
                    }
                    or None,
                    "claimNote": {_NOTE_NAMES[info.note.code]: info.note.text}
                    if info.note
                    else None,
                    "patientAmountPaid": (
                        _r(info.patient_amount_paid)
                        if info.patient_amount_paid is not None
                        else None
                    ),
                    "relatedCausesCode": list(info.related_causes) or None,
                    "autoAccidentStateCode": info.auto_accident_state,
                    "serviceFacilityLocation": (
                        _drop_none(
                            {
                                "organizationName": unlisted[0].organization_name,
                                "address": _address(unlisted[0].address),
                            }
                        )
                        if unlisted
                        else None
                    ),
                }
            ),
        }
    )
    return data


_NOTE_NAMES = {
    "ADD": "additionalInformation",
    "CER": "certificationNarrative",
    "DCP": "goalRehabOrDischargePlans",
    "DGN": "diagnosisDescription",
    "TPO": "thirdPartOrgNotes",
}
_LINE_PROVIDER_NAMES = {
    model.RENDERING: "renderingProvider",
    model.REFERRING: "referringProvider",
    model.SUPERVISING: "supervisingProvider",
    model.ORDERING: "orderingProvider",
}


def _provider(p: model.Provider, *, listed: bool = True) -> dict[str, object]:
    return _drop_none(
        {
            "providerType": p.provider_type if listed else None,
            "npi": p.npi,
            "employerId": p.employer_id,
            "ssn": p.ssn,
            "taxonomyCode": p.taxonomy_code,
            "organizationName": p.organization_name,
            "firstName": p.first_name,
            "lastName": p.last_name,
            "address": _address(p.address),
            "contactInformation": _contact(p.contact),
        }
    )


def _line(line: model.ServiceLine) -> dict[str, object]:
    return _drop_none(
        {
            "serviceDate": _day(line.service_date),
            "serviceDateEnd": _day(line.service_date_end),
            "providerControlNumber": line.provider_control_number,
            "professionalService": _drop_none(
                {
                    "procedureIdentifier": line.procedure_identifier,
                    "procedureCode": line.procedure_code,
                    "procedureModifiers": list(line.procedure_modifiers),
                    "lineItemChargeAmount": _r(line.charge_amount),
                    "measurementUnit": line.measurement_unit,
                    "serviceUnitCount": _r(line.unit_count),
                    "placeOfServiceCode": line.place_of_service_code,
                    "compositeDiagnosisCodePointers": {
                        "diagnosisCodePointers": [str(p) for p in line.diagnosis_pointers]
                    },
                }
            ),
            "serviceLineReferenceInformation": _drop_none(
                {
                    "priorAuthorization": [
                        {"priorAuthorizationOrReferralNumber": n}
                        for n in line.prior_authorization_numbers
                    ],
                    "referralNumber": list(line.referral_numbers),
                }
            )
            or None,
            "drugIdentification": (
                _drop_none(
                    {
                        "serviceIdQualifier": line.drug.qualifier,
                        "nationalDrugCode": line.drug.ndc,
                        "nationalDrugUnitCount": _r(line.drug.unit_count),
                        "measurementUnitCode": line.drug.unit_code,
                        "pharmacyPrescriptionNumber": line.drug.prescription_number,
                    }
                )
                if line.drug
                else None
            ),
            **{
                _LINE_PROVIDER_NAMES[p.provider_type]: _provider(p, listed=False)
                for p in line.providers
            },
            "lineAdjudicationInformation": [
                _drop_none(
                    {
                        "otherPayerPrimaryIdentifier": a.other_payer_primary_identifier,
                        "serviceLinePaidAmount": _r(a.paid_amount),
                        "serviceIdQualifier": a.procedure_identifier,
                        "procedureCode": a.procedure_code,
                        "procedureModifier": list(a.procedure_modifiers),
                        "paidServiceUnitCount": _r(a.paid_unit_count),
                        "bundledOrUnbundledLineNumber": a.bundled_line_number,
                        "claimAdjustmentInformation": _adjustments(a.adjustments),
                        "adjudicationOrPaymentDate": _day(a.adjudication_date),
                    }
                )
                for a in line.line_adjudications
            ],
        }
    )


def _other(other: model.OtherSubscriberInformation) -> dict[str, object]:
    return _drop_none(
        {
            "paymentResponsibilityLevelCode": other.payment_responsibility_level_code,
            "individualRelationshipCode": other.individual_relationship_code,
            "claimFilingIndicatorCode": other.claim_filing_indicator_code,
            "benefitsAssignmentCertificationIndicator": (
                other.benefits_assignment_certification_indicator
            ),
            "releaseOfInformationCode": other.release_of_information_code,
            "insuredGroupOrPolicyNumber": other.group_number,
            "payerPaidAmount": (
                _r(other.payer_paid_amount) if other.payer_paid_amount is not None else None
            ),
            "remainingPatientLiability": (
                _r(other.remaining_patient_liability)
                if other.remaining_patient_liability is not None
                else None
            ),
            "claimLevelAdjustments": _adjustments(other.claim_adjustments),
            "otherSubscriberName": _drop_none(
                {
                    "otherInsuredQualifier": other.insured.qualifier,
                    "otherInsuredLastName": other.insured.last_name,
                    "otherInsuredFirstName": other.insured.first_name,
                    "otherInsuredIdentifierTypeCode": other.insured.identifier_type_code,
                    "otherInsuredIdentifier": other.insured.identifier,
                }
            ),
            "otherPayerName": _drop_none(
                {
                    "otherPayerOrganizationName": other.payer.organization_name,
                    "otherPayerIdentifierTypeCode": other.payer.identifier_type_code,
                    "otherPayerIdentifier": other.payer.identifier,
                    "otherPayerClaimControlNumber": other.payer.claim_control_number,
                    "otherPayerAdjudicationOrPaymentDate": _day(other.payer.adjudication_date),
                }
            ),
        }
    )
