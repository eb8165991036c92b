"""Claim items of schema 1 read into today's record: the migration on read.

Schema 1 (until December 2026) kept the claim as the API request body (camelCase, dates
CCYYMMDD, as the contract had validated and dumped it) and each flag with its contract row in
the fee-schedule upload's camelCase shape. This reader is frozen: it maps exactly what schema 1
wrote, so the API's request schema can change without making old items unreadable. Values were
validated when written; a missing required key is a KeyError the caller reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.claims import model

Json = Mapping[str, Any]


def claim_from_body(body: Json) -> model.Claim:
    """The domain claim a schema-1 body (ClaimRequest dump) describes."""
    info = body["claimInformation"]
    submitter = body["submitter"]
    return model.Claim(
        control_number=body["controlNumber"],
        trading_partner_service_id=body["tradingPartnerServiceId"],
        trading_partner_name=body.get("tradingPartnerName"),
        usage_indicator=body.get("usageIndicator", "P"),
        submitter=model.Submitter(
            organization_name=submitter["organizationName"],
            contact=_contact(submitter.get("contactInformation")),
        ),
        receiver_name=body["receiver"]["organizationName"],
        subscriber=_subscriber(body["subscriber"]),
        providers=tuple(_provider(p) for p in body["providers"]),
        dependent=_dependent(body.get("dependent")),
        claim_information=model.ClaimInformation(
            claim_filing_code=info["claimFilingCode"],
            patient_control_number=info["patientControlNumber"],
            claim_charge_amount=Decimal(info["claimChargeAmount"]),
            place_of_service_code=info["placeOfServiceCode"],
            claim_frequency_code=info.get("claimFrequencyCode", "1"),
            signature_indicator=info.get("signatureIndicator", "Y"),
            plan_participation_code=info.get("planParticipationCode", "A"),
            benefits_assignment_certification_indicator=info.get(
                "benefitsAssignmentCertificationIndicator", "Y"
            ),
            release_information_code=info.get("releaseInformationCode", "Y"),
            prior_authorization_number=info.get("priorAuthorizationNumber"),
            referral_number=info.get("referralNumber"),
            payer_claim_control_number=info.get("payerClaimControlNumber"),
            diagnoses=tuple(
                model.Diagnosis(type_code=d["diagnosisTypeCode"], code=d["diagnosisCode"])
                for d in info["healthCareCodeInformation"]
            ),
            service_lines=tuple(_line(line) for line in info["serviceLines"]),
            other_subscribers=tuple(_other(o) for o in info.get("otherSubscriberInformation", ())),
        ),
    )


def flag_fields(flag: Json) -> dict[str, Any]:
    """A schema-1 flag in the field names of today's VarianceFlag: only its contract row
    was stored in the upload's camelCase shape."""
    contract = flag.get("contract")
    if not contract:
        return dict(flag)
    row = contract["row"]
    return {
        **flag,
        "contract": {
            **contract,
            "row": {
                "procedure_code": row["procedureCode"],
                "modifier": row.get("modifier"),
                "place_of_service": row.get("placeOfService"),
                "amount": row["amount"],
                "effective_from": row["effectiveFrom"],
                "effective_to": row.get("effectiveTo"),
            },
        },
    }


def _day(text: str | None) -> date | None:
    if not text:
        return None
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _required_day(text: str) -> date:
    day = _day(text)
    if day is None:
        raise KeyError("date")
    return day


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _address(data: Json | None) -> model.Address | None:
    if not data:
        return None
    return model.Address(
        address1=data["address1"],
        address2=data.get("address2"),
        city=data["city"],
        state=data["state"],
        postal_code=data["postalCode"],
    )


def _contact(data: Json | None) -> model.Contact | None:
    if not data:
        return None
    return model.Contact(
        name=data["name"], phone_number=data.get("phoneNumber"), email=data.get("email")
    )


def _subscriber(data: Json) -> model.Subscriber:
    return model.Subscriber(
        member_id=data["memberId"],
        payment_responsibility_level_code=data.get("paymentResponsibilityLevelCode", "P"),
        first_name=data["firstName"],
        last_name=data["lastName"],
        gender=data.get("gender"),
        date_of_birth=_day(data.get("dateOfBirth")),
        group_number=data.get("groupNumber"),
        address=_address(data.get("address")),
    )


def _dependent(data: Json | None) -> model.Dependent | None:
    if not data:
        return None
    return model.Dependent(
        first_name=data["firstName"],
        last_name=data["lastName"],
        relationship_to_subscriber_code=data["relationshipToSubscriberCode"],
        gender=data.get("gender"),
        date_of_birth=_day(data.get("dateOfBirth")),
        address=_address(data.get("address")),
    )


def _provider(data: Json) -> model.Provider:
    return model.Provider(
        provider_type=data["providerType"],
        npi=data["npi"],
        organization_name=data.get("organizationName"),
        first_name=data.get("firstName"),
        last_name=data.get("lastName"),
        employer_id=data.get("employerId"),
        ssn=data.get("ssn"),
        taxonomy_code=data.get("taxonomyCode"),
        address=_address(data.get("address")),
        contact=_contact(data.get("contactInformation")),
    )


def _adjustments(groups: list[Json]) -> tuple[model.Adjustment, ...]:
    return tuple(
        model.Adjustment(
            group_code=group["adjustmentGroupCode"],
            reason_code=d["adjustmentReasonCode"],
            amount=Decimal(d["adjustmentAmount"]),
            quantity=_amount(d.get("adjustmentQuantity")),
        )
        for group in groups
        for d in group["adjustmentDetails"]
    )


def _line(data: Json) -> model.ServiceLine:
    service = data["professionalService"]
    pointers = service["compositeDiagnosisCodePointers"]["diagnosisCodePointers"]
    return model.ServiceLine(
        service_date=_required_day(data["serviceDate"]),
        service_date_end=_day(data.get("serviceDateEnd")),
        procedure_identifier=service.get("procedureIdentifier", "HC"),
        procedure_code=service["procedureCode"],
        procedure_modifiers=tuple(service.get("procedureModifiers", ())),
        charge_amount=Decimal(service["lineItemChargeAmount"]),
        measurement_unit=service.get("measurementUnit", "UN"),
        unit_count=Decimal(service["serviceUnitCount"]),
        place_of_service_code=service.get("placeOfServiceCode"),
        diagnosis_pointers=tuple(int(p) for p in pointers),
        provider_control_number=data.get("providerControlNumber"),
        line_adjudications=tuple(
            model.LineAdjudication(
                other_payer_primary_identifier=a["otherPayerPrimaryIdentifier"],
                paid_amount=Decimal(a["serviceLinePaidAmount"]),
                procedure_identifier=a.get("serviceIdQualifier", "HC"),
                procedure_code=a["procedureCode"],
                procedure_modifiers=tuple(a.get("procedureModifier", ())),
                paid_unit_count=Decimal(a["paidServiceUnitCount"]),
                adjudication_date=_required_day(a["adjudicationOrPaymentDate"]),
                adjustments=_adjustments(a.get("claimAdjustmentInformation", [])),
                bundled_line_number=a.get("bundledOrUnbundledLineNumber"),
            )
            for a in data.get("lineAdjudicationInformation", ())
        ),
    )


def _other(data: Json) -> model.OtherSubscriberInformation:
    name, payer = data["otherSubscriberName"], data["otherPayerName"]
    return model.OtherSubscriberInformation(
        payment_responsibility_level_code=data["paymentResponsibilityLevelCode"],
        individual_relationship_code=data["individualRelationshipCode"],
        claim_filing_indicator_code=data["claimFilingIndicatorCode"],
        benefits_assignment_certification_indicator=data.get(
            "benefitsAssignmentCertificationIndicator", "Y"
        ),
        release_of_information_code=data.get("releaseOfInformationCode", "Y"),
        group_number=data.get("insuredGroupOrPolicyNumber"),
        payer_paid_amount=_amount(data.get("payerPaidAmount")),
        remaining_patient_liability=_amount(data.get("remainingPatientLiability")),
        claim_adjustments=_adjustments(data.get("claimLevelAdjustments", [])),
        insured=model.OtherInsured(
            qualifier=name.get("otherInsuredQualifier", "1"),
            last_name=name["otherInsuredLastName"],
            first_name=name.get("otherInsuredFirstName"),
            identifier_type_code=name.get("otherInsuredIdentifierTypeCode", "MI"),
            identifier=name["otherInsuredIdentifier"],
        ),
        payer=model.OtherPayer(
            organization_name=payer["otherPayerOrganizationName"],
            identifier_type_code=payer.get("otherPayerIdentifierTypeCode", "PI"),
            identifier=payer["otherPayerIdentifier"],
            claim_control_number=payer.get("otherPayerClaimControlNumber"),
            adjudication_date=_day(payer.get("otherPayerAdjudicationOrPaymentDate")),
        ),
    )
