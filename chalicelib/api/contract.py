"""The public claim contract: the request schema of the API in the JSON 837P shape of the
large clearinghouse APIs ("professional claims v3"). It validates requests and generates the
OpenAPI document, so the two cannot drift; `to_claim` turns a valid request into the domain
claim and `request_from_claim` the other way (claims read from 837 files, secondary claims).
The wire names live here and nowhere else: the domain claim is snake_case.

Structural problems (a missing required field, a date that is not a real CCYYMMDD date,
an amount that is not a number) are reported here; business edits run afterwards on the
domain claim (chalicelib.claims.scrub).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.claims import model

from .contract_values import BirthDate, Money, Quantity, Text, X12Date


class Schema(BaseModel):
    """camelCase on the wire; unknown fields are refused so a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AddressIn(Schema):
    address1: Annotated[str, Field(min_length=1, max_length=55)]
    address2: Annotated[str | None, Field(default=None, max_length=55)] = None
    city: Annotated[str, Field(min_length=1, max_length=30)]
    state: Annotated[str, Field(min_length=2, max_length=2)]
    postalCode: Annotated[str, Field(min_length=3, max_length=15)]

    def to_domain(self) -> model.Address:
        return model.Address(
            address1=self.address1,
            address2=self.address2,
            city=self.city,
            state=self.state,
            postal_code=self.postalCode,
        )


class ContactIn(Schema):
    name: Text
    phoneNumber: Annotated[str | None, Field(default=None, max_length=20)] = None
    email: Annotated[str | None, Field(default=None, max_length=80)] = None

    def to_domain(self) -> model.Contact:
        return model.Contact(name=self.name, phone_number=self.phoneNumber, email=self.email)


class SubmitterIn(Schema):
    organizationName: Text
    contactInformation: ContactIn | None = None


class ReceiverIn(Schema):
    organizationName: Text


class SubscriberIn(Schema):
    memberId: Annotated[str, Field(min_length=1, max_length=80)]
    paymentResponsibilityLevelCode: Literal[
        "P", "S", "T", "A", "B", "C", "D", "E", "F", "G", "H", "U"
    ] = "P"
    firstName: Annotated[str, Field(min_length=1, max_length=35)]
    lastName: Annotated[str, Field(min_length=1, max_length=60)]
    gender: Annotated[str | None, Field(default=None, max_length=1)] = None
    dateOfBirth: BirthDate
    groupNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    address: AddressIn | None = None

    def to_domain(self) -> model.Subscriber:
        return model.Subscriber(
            member_id=self.memberId,
            payment_responsibility_level_code=self.paymentResponsibilityLevelCode,
            first_name=self.firstName,
            last_name=self.lastName,
            gender=self.gender,
            date_of_birth=self.dateOfBirth,
            group_number=self.groupNumber,
            address=self.address.to_domain() if self.address else None,
        )


class DependentIn(Schema):
    firstName: Annotated[str, Field(min_length=1, max_length=35)]
    lastName: Annotated[str, Field(min_length=1, max_length=60)]
    gender: Annotated[str | None, Field(default=None, max_length=1)] = None
    dateOfBirth: BirthDate
    relationshipToSubscriberCode: Annotated[str, Field(min_length=2, max_length=2)]
    address: AddressIn | None = None

    def to_domain(self) -> model.Dependent:
        return model.Dependent(
            first_name=self.firstName,
            last_name=self.lastName,
            relationship_to_subscriber_code=self.relationshipToSubscriberCode,
            gender=self.gender,
            date_of_birth=self.dateOfBirth,
            address=self.address.to_domain() if self.address else None,
        )


class ProviderIn(Schema):
    providerType: Literal[
        "BillingProvider", "RenderingProvider", "ReferringProvider", "ServiceFacility"
    ]
    npi: Annotated[str, Field(min_length=1, max_length=15)]
    employerId: Annotated[str | None, Field(default=None, max_length=15)] = None
    ssn: Annotated[str | None, Field(default=None, max_length=11)] = None
    taxonomyCode: Annotated[str | None, Field(default=None, max_length=10)] = None
    organizationName: Annotated[str | None, Field(default=None, max_length=60)] = None
    firstName: Annotated[str | None, Field(default=None, max_length=35)] = None
    lastName: Annotated[str | None, Field(default=None, max_length=60)] = None
    address: AddressIn | None = None
    contactInformation: ContactIn | None = None

    def to_domain(self) -> model.Provider:
        return model.Provider(
            provider_type=self.providerType,
            npi=self.npi,
            organization_name=self.organizationName,
            first_name=self.firstName,
            last_name=self.lastName,
            employer_id=self.employerId,
            ssn=self.ssn,
            taxonomy_code=self.taxonomyCode,
            address=self.address.to_domain() if self.address else None,
            contact=self.contactInformation.to_domain() if self.contactInformation else None,
        )


class DiagnosisIn(Schema):
    diagnosisTypeCode: Literal["ABK", "ABF", "BK", "BF"]
    diagnosisCode: Annotated[str, Field(min_length=1, max_length=30)]


_POINTER = re.compile(r"[0-9]{1,2}")  # ASCII: str.isdigit() takes "²", which int() refuses


class DiagnosisPointersIn(Schema):
    diagnosisCodePointers: Annotated[list[Annotated[str, Field(max_length=2)]], Field(min_length=0)]


class AdjustmentDetailIn(Schema):
    adjustmentReasonCode: Annotated[str, Field(min_length=1, max_length=5)]
    adjustmentAmount: Money
    adjustmentQuantity: Quantity | None = None


class AdjustmentIn(Schema):
    adjustmentGroupCode: Literal["CO", "CR", "OA", "PI", "PR"]
    adjustmentDetails: Annotated[list[AdjustmentDetailIn], Field(min_length=1, max_length=6)]

    def to_domain(self) -> tuple[model.Adjustment, ...]:
        return tuple(
            model.Adjustment(
                group_code=self.adjustmentGroupCode,
                reason_code=d.adjustmentReasonCode,
                amount=d.adjustmentAmount,
                quantity=d.adjustmentQuantity,
            )
            for d in self.adjustmentDetails
        )


class LineAdjudicationIn(Schema):
    """Loop 2430: a prior payer's adjudication of one line (secondary claims)."""

    otherPayerPrimaryIdentifier: Text
    serviceLinePaidAmount: Money
    serviceIdQualifier: Literal["HC", "ER", "IV", "WK"] = "HC"
    procedureCode: Annotated[str, Field(min_length=1, max_length=48)]
    procedureModifier: Annotated[list[str], Field(max_length=4)] = []
    paidServiceUnitCount: Quantity
    bundledOrUnbundledLineNumber: Annotated[int | None, Field(default=None, ge=1, le=999_999)] = (
        None  # SVD06: N0 1/6
    )
    claimAdjustmentInformation: list[AdjustmentIn] = []
    adjudicationOrPaymentDate: X12Date

    def to_domain(self) -> model.LineAdjudication:
        return model.LineAdjudication(
            other_payer_primary_identifier=self.otherPayerPrimaryIdentifier,
            paid_amount=self.serviceLinePaidAmount,
            procedure_identifier=self.serviceIdQualifier,
            procedure_code=self.procedureCode,
            procedure_modifiers=tuple(self.procedureModifier),
            paid_unit_count=self.paidServiceUnitCount,
            adjudication_date=self.adjudicationOrPaymentDate,
            adjustments=tuple(
                a for adj in self.claimAdjustmentInformation for a in adj.to_domain()
            ),
            bundled_line_number=self.bundledOrUnbundledLineNumber,
        )


class ProfessionalServiceIn(Schema):
    procedureIdentifier: Literal["HC", "ER", "IV", "WK"] = "HC"
    procedureCode: Annotated[str, Field(min_length=1, max_length=48)]
    procedureModifiers: list[Annotated[str, Field(max_length=8)]] = []
    lineItemChargeAmount: Money
    measurementUnit: Literal["UN", "MJ"] = "UN"
    serviceUnitCount: Quantity
    placeOfServiceCode: Annotated[str | None, Field(default=None, max_length=2)] = None
    compositeDiagnosisCodePointers: DiagnosisPointersIn


class ServiceLineIn(Schema):
    serviceDate: X12Date
    serviceDateEnd: X12Date | None = None
    providerControlNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    professionalService: ProfessionalServiceIn
    lineAdjudicationInformation: list[LineAdjudicationIn] = []

    def to_domain(self) -> model.ServiceLine:
        service = self.professionalService
        pointers = service.compositeDiagnosisCodePointers.diagnosisCodePointers
        return model.ServiceLine(
            service_date=self.serviceDate,
            service_date_end=self.serviceDateEnd,
            procedure_identifier=service.procedureIdentifier,
            procedure_code=service.procedureCode,
            procedure_modifiers=tuple(service.procedureModifiers),
            charge_amount=service.lineItemChargeAmount,
            measurement_unit=service.measurementUnit,
            unit_count=service.serviceUnitCount,
            place_of_service_code=service.placeOfServiceCode,
            # A pointer that is not a number points nowhere: 0 makes the scrub name it.
            diagnosis_pointers=tuple(
                int(p) if _POINTER.fullmatch(p) else 0 for p in pointers
            ),
            provider_control_number=self.providerControlNumber,
            line_adjudications=tuple(a.to_domain() for a in self.lineAdjudicationInformation),
        )


class OtherSubscriberNameIn(Schema):
    otherInsuredQualifier: Literal["1", "2"] = "1"
    otherInsuredLastName: Annotated[str, Field(min_length=1, max_length=60)]
    otherInsuredFirstName: Annotated[str | None, Field(default=None, max_length=35)] = None
    otherInsuredIdentifierTypeCode: Literal["MI", "II"] = "MI"
    otherInsuredIdentifier: Annotated[str, Field(min_length=1, max_length=80)]


class OtherPayerNameIn(Schema):
    otherPayerOrganizationName: Text
    otherPayerIdentifierTypeCode: Literal["PI", "XV"] = "PI"
    otherPayerIdentifier: Annotated[str, Field(min_length=1, max_length=80)]
    otherPayerClaimControlNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    otherPayerAdjudicationOrPaymentDate: X12Date | None = None


class OtherSubscriberInformationIn(Schema):
    paymentResponsibilityLevelCode: Literal[
        "P", "S", "T", "A", "B", "C", "D", "E", "F", "G", "H", "U"
    ]
    individualRelationshipCode: Annotated[str, Field(min_length=2, max_length=2)]
    claimFilingIndicatorCode: Annotated[str, Field(min_length=1, max_length=2)]
    benefitsAssignmentCertificationIndicator: Literal["Y", "N", "W"] = "Y"
    releaseOfInformationCode: Literal["Y", "I"] = "Y"
    insuredGroupOrPolicyNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    payerPaidAmount: Money | None = None
    remainingPatientLiability: Money | None = None
    claimLevelAdjustments: list[AdjustmentIn] = []
    otherSubscriberName: OtherSubscriberNameIn
    otherPayerName: OtherPayerNameIn

    def to_domain(self) -> model.OtherSubscriberInformation:
        name, payer = self.otherSubscriberName, self.otherPayerName
        return model.OtherSubscriberInformation(
            payment_responsibility_level_code=self.paymentResponsibilityLevelCode,
            individual_relationship_code=self.individualRelationshipCode,
            claim_filing_indicator_code=self.claimFilingIndicatorCode,
            benefits_assignment_certification_indicator=self.benefitsAssignmentCertificationIndicator,
            release_of_information_code=self.releaseOfInformationCode,
            group_number=self.insuredGroupOrPolicyNumber,
            payer_paid_amount=self.payerPaidAmount,
            remaining_patient_liability=self.remainingPatientLiability,
            claim_adjustments=tuple(
                a for adj in self.claimLevelAdjustments for a in adj.to_domain()
            ),
            insured=model.OtherInsured(
                qualifier=name.otherInsuredQualifier,
                last_name=name.otherInsuredLastName,
                first_name=name.otherInsuredFirstName,
                identifier_type_code=name.otherInsuredIdentifierTypeCode,
                identifier=name.otherInsuredIdentifier,
            ),
            payer=model.OtherPayer(
                organization_name=payer.otherPayerOrganizationName,
                identifier_type_code=payer.otherPayerIdentifierTypeCode,
                identifier=payer.otherPayerIdentifier,
                claim_control_number=payer.otherPayerClaimControlNumber,
                adjudication_date=payer.otherPayerAdjudicationOrPaymentDate,
            ),
        )


class ClaimInformationIn(Schema):
    claimFilingCode: Annotated[str, Field(min_length=1, max_length=2)]
    patientControlNumber: Annotated[str, Field(min_length=1, max_length=38)]
    claimChargeAmount: Money
    placeOfServiceCode: Annotated[str, Field(min_length=1, max_length=2)]
    claimFrequencyCode: Literal["1", "7", "8"] = "1"
    signatureIndicator: Literal["Y", "N"] = "Y"
    planParticipationCode: Literal["A", "B", "C"] = "A"
    benefitsAssignmentCertificationIndicator: Literal["Y", "N", "W"] = "Y"
    releaseInformationCode: Literal["Y", "I"] = "Y"
    priorAuthorizationNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    referralNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    payerClaimControlNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    healthCareCodeInformation: Annotated[list[DiagnosisIn], Field(min_length=1)]
    serviceLines: Annotated[list[ServiceLineIn], Field(min_length=1)]
    otherSubscriberInformation: list[OtherSubscriberInformationIn] = []


class ClaimRequest(Schema):
    """POST /v1/claims and /v1/claims/validate."""

    controlNumber: Annotated[str, Field(min_length=1, max_length=9)]
    tradingPartnerServiceId: Annotated[str, Field(min_length=1, max_length=80)]
    tradingPartnerName: Annotated[str | None, Field(default=None, max_length=60)] = None
    usageIndicator: Literal["P", "T"] = "P"
    submitter: SubmitterIn
    receiver: ReceiverIn
    subscriber: SubscriberIn
    providers: Annotated[list[ProviderIn], Field(min_length=1)]
    claimInformation: ClaimInformationIn
    dependent: DependentIn | None = None

    def to_claim(self) -> model.Claim:
        info = self.claimInformation
        return model.Claim(
            control_number=self.controlNumber,
            trading_partner_service_id=self.tradingPartnerServiceId,
            trading_partner_name=self.tradingPartnerName,
            usage_indicator=self.usageIndicator,
            submitter=model.Submitter(
                organization_name=self.submitter.organizationName,
                contact=(
                    self.submitter.contactInformation.to_domain()
                    if self.submitter.contactInformation
                    else None
                ),
            ),
            receiver_name=self.receiver.organizationName,
            subscriber=self.subscriber.to_domain(),
            providers=tuple(p.to_domain() for p in self.providers),
            dependent=self.dependent.to_domain() if self.dependent else None,
            claim_information=model.ClaimInformation(
                claim_filing_code=info.claimFilingCode,
                patient_control_number=info.patientControlNumber,
                claim_charge_amount=info.claimChargeAmount,
                place_of_service_code=info.placeOfServiceCode,
                claim_frequency_code=info.claimFrequencyCode,
                signature_indicator=info.signatureIndicator,
                plan_participation_code=info.planParticipationCode,
                benefits_assignment_certification_indicator=(
                    info.benefitsAssignmentCertificationIndicator
                ),
                release_information_code=info.releaseInformationCode,
                prior_authorization_number=info.priorAuthorizationNumber,
                referral_number=info.referralNumber,
                payer_claim_control_number=info.payerClaimControlNumber,
                diagnoses=tuple(
                    model.Diagnosis(type_code=d.diagnosisTypeCode, code=d.diagnosisCode)
                    for d in info.healthCareCodeInformation
                ),
                service_lines=tuple(line.to_domain() for line in info.serviceLines),
                other_subscribers=tuple(o.to_domain() for o in info.otherSubscriberInformation),
            ),
        )
