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

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.claims import model
from chalicelib.claims.claim_v3 import CLAIM_DATE_QUALIFIERS

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
    submitterIdentification: Annotated[str | None, Field(default=None, max_length=80)] = None


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
    policyNumber: Annotated[str | None, Field(default=None, max_length=50)] = None
    subscriberGroupName: Annotated[str | None, Field(default=None, max_length=60)] = None
    middleName: Annotated[str | None, Field(default=None, max_length=25)] = None
    suffix: Annotated[str | None, Field(default=None, max_length=10)] = None
    address: AddressIn | None = None

    @model_validator(mode="after")
    def _one_group_or_policy_number(self) -> SubscriberIn:
        if self.groupNumber and self.policyNumber and self.groupNumber != self.policyNumber:
            raise PydanticCustomError(
                "conflicting_values",
                "groupNumber and policyNumber are one 837P element (SBR03): give one",
            )
        return self

    def to_domain(self) -> model.Subscriber:
        return model.Subscriber(
            member_id=self.memberId,
            payment_responsibility_level_code=self.paymentResponsibilityLevelCode,
            first_name=self.firstName,
            last_name=self.lastName,
            gender=self.gender,
            date_of_birth=self.dateOfBirth,
            group_number=self.groupNumber or self.policyNumber,
            group_name=self.subscriberGroupName,
            middle_name=self.middleName,
            suffix=self.suffix,
            address=self.address.to_domain() if self.address else None,
        )


class DependentIn(Schema):
    firstName: Annotated[str, Field(min_length=1, max_length=35)]
    lastName: Annotated[str, Field(min_length=1, max_length=60)]
    gender: Annotated[str | None, Field(default=None, max_length=1)] = None
    dateOfBirth: BirthDate
    relationshipToSubscriberCode: Annotated[str, Field(min_length=2, max_length=2)]
    middleName: Annotated[str | None, Field(default=None, max_length=25)] = None
    suffix: Annotated[str | None, Field(default=None, max_length=10)] = None
    address: AddressIn | None = None

    def to_domain(self) -> model.Dependent:
        return model.Dependent(
            first_name=self.firstName,
            last_name=self.lastName,
            relationship_to_subscriber_code=self.relationshipToSubscriberCode,
            gender=self.gender,
            date_of_birth=self.dateOfBirth,
            middle_name=self.middleName,
            suffix=self.suffix,
            address=self.address.to_domain() if self.address else None,
        )


ProviderType = Literal[
    "BillingProvider",
    "RenderingProvider",
    "ReferringProvider",
    "ServiceFacility",
    "SupervisingProvider",
    "OrderingProvider",
]


class ProviderIn(Schema):
    """A provider in `providers[]`, where providerType says which loop it is; the same object
    as `billing`, `rendering` ..., where the field name says it (providerType may repeat it)."""

    providerType: ProviderType | None = None
    npi: Annotated[str, Field(min_length=1, max_length=15)]
    employerId: Annotated[str | None, Field(default=None, max_length=15)] = None
    ssn: Annotated[str | None, Field(default=None, max_length=11)] = None
    taxonomyCode: Annotated[str | None, Field(default=None, max_length=10)] = None
    organizationName: Annotated[str | None, Field(default=None, max_length=60)] = None
    firstName: Annotated[str | None, Field(default=None, max_length=35)] = None
    lastName: Annotated[str | None, Field(default=None, max_length=60)] = None
    address: AddressIn | None = None
    contactInformation: ContactIn | None = None

    def to_domain(self, provider_type: str | None = None) -> model.Provider:
        return model.Provider(
            provider_type=provider_type or self.providerType or "",
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


class ListedProviderIn(ProviderIn):
    """An entry of `providers[]`: its providerType names the loop."""

    providerType: ProviderType


class ServiceFacilityIn(Schema):
    """claimInformation.serviceFacilityLocation: loop 2310C (NM1*77, N3/N4)."""

    organizationName: Annotated[str, Field(min_length=1, max_length=60)]
    npi: Annotated[str | None, Field(default=None, max_length=15)] = None
    address: AddressIn

    def to_domain(self) -> model.Provider:
        return model.Provider(
            provider_type=model.SERVICE_FACILITY,
            npi=self.npi or "",
            organization_name=self.organizationName,
            address=self.address.to_domain(),
        )


Reference = Annotated[str, Field(min_length=1, max_length=50)]  # REF02: AN 1/50


class PriorAuthorizationIn(Schema):
    priorAuthorizationOrReferralNumber: Reference


class ServiceLineReferenceIn(Schema):
    """2400 REF*G1 (prior authorization) and REF*9F (referral), up to five each."""

    priorAuthorization: Annotated[list[PriorAuthorizationIn], Field(max_length=5)] = []
    referralNumber: Annotated[list[Reference], Field(max_length=5)] = []


class DrugIdentificationIn(Schema):
    """Loop 2410: LIN (NDC), CTP (quantity, unit), REF*XZ (prescription number)."""

    serviceIdQualifier: Literal["N4"] = "N4"
    nationalDrugCode: Annotated[str, Field(pattern=r"^[0-9]{11}$")]
    nationalDrugUnitCount: Quantity
    measurementUnitCode: Literal["F2", "GR", "ME", "ML", "UN"]
    pharmacyPrescriptionNumber: Reference | None = None

    def to_domain(self) -> model.Drug:
        return model.Drug(
            ndc=self.nationalDrugCode,
            unit_count=self.nationalDrugUnitCount,
            unit_code=self.measurementUnitCode,
            prescription_number=self.pharmacyPrescriptionNumber,
            qualifier=self.serviceIdQualifier,
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
    serviceLineReferenceInformation: ServiceLineReferenceIn | None = None
    drugIdentification: DrugIdentificationIn | None = None
    renderingProvider: ProviderIn | None = None
    referringProvider: ProviderIn | None = None
    supervisingProvider: ProviderIn | None = None
    orderingProvider: ProviderIn | None = None

    def to_domain(self, claim_ordering: ProviderIn | None = None) -> model.ServiceLine:
        """`claim_ordering`: the claim's ordering provider, which the 837P carries per line
        (2420E) for the lines that name none of their own."""
        references = self.serviceLineReferenceInformation or ServiceLineReferenceIn()
        line_providers = (
            (model.RENDERING, self.renderingProvider),
            (model.REFERRING, self.referringProvider),
            (model.SUPERVISING, self.supervisingProvider),
            (model.ORDERING, self.orderingProvider or claim_ordering),
        )
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
            diagnosis_pointers=tuple(int(p) if _POINTER.fullmatch(p) else 0 for p in pointers),
            provider_control_number=self.providerControlNumber,
            line_adjudications=tuple(a.to_domain() for a in self.lineAdjudicationInformation),
            prior_authorization_numbers=tuple(
                p.priorAuthorizationOrReferralNumber for p in references.priorAuthorization
            ),
            referral_numbers=tuple(references.referralNumber),
            drug=self.drugIdentification.to_domain() if self.drugIdentification else None,
            providers=tuple(p.to_domain(kind) for kind, p in line_providers if p is not None),
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


class ClaimSupplementalInformationIn(Schema):
    """2300 REF: G1 prior authorization, 9F referral, F8 the payer's number of the claim a
    replacement or void refers to (claimNumber, or claimControlNumber), X4 CLIA, EA medical
    record number."""

    priorAuthorizationNumber: Reference | None = None
    referralNumber: Reference | None = None
    claimNumber: Reference | None = None
    claimControlNumber: Reference | None = None
    payerClaimControlNumber: Reference | None = None
    cliaNumber: Reference | None = None
    medicalRecordNumber: Reference | None = None

    def original_claim_number(self) -> str | None:
        given = {
            n
            for n in (self.claimNumber, self.claimControlNumber, self.payerClaimControlNumber)
            if n
        }
        if len(given) > 1:
            raise PydanticCustomError(
                "conflicting_values",
                "claimNumber, claimControlNumber and payerClaimControlNumber are one REF*F8: "
                "give one",
            )
        return next(iter(given), None)


class ClaimDateInformationIn(Schema):
    """2300 DTP, one per kind."""

    symptomDate: X12Date | None = None  # 431 onset of current illness or symptom
    initialTreatmentDate: X12Date | None = None  # 454
    lastSeenDateTime: X12Date | None = None  # 304
    acuteManifestationDate: X12Date | None = None  # 453
    accidentDate: X12Date | None = None  # 439
    lastMenstrualPeriodDate: X12Date | None = None  # 484
    lastXRayDate: X12Date | None = None  # 455
    hearingAndVisionPrescriptionDate: X12Date | None = None  # 471
    lastWorkedDate: X12Date | None = None  # 297
    authorizedReturnToWorkDate: X12Date | None = None  # 296
    admissionDate: X12Date | None = None  # 435
    dischargeDate: X12Date | None = None  # 096

    def to_domain(self) -> tuple[model.ClaimDate, ...]:
        return tuple(
            model.ClaimDate(qualifier=qualifier, on=getattr(self, name))
            for qualifier, name in CLAIM_DATE_QUALIFIERS.items()
            if getattr(self, name) is not None
        )


NoteText = Annotated[str, Field(min_length=1, max_length=80)]  # NTE02: AN 1/80


class ClaimNoteIn(Schema):
    """2300 NTE: the 837P carries one note per claim, of one of these kinds (NTE01)."""

    additionalInformation: NoteText | None = None  # ADD
    certificationNarrative: NoteText | None = None  # CER
    goalRehabOrDischargePlans: NoteText | None = None  # DCP
    diagnosisDescription: NoteText | None = None  # DGN
    thirdPartOrgNotes: NoteText | None = None  # TPO

    @model_validator(mode="after")
    def _one_note(self) -> ClaimNoteIn:
        if len(self._given()) != 1:
            raise PydanticCustomError(
                "one_note", "the 837P carries exactly one claim note (2300 NTE): give one kind"
            )
        return self

    def _given(self) -> list[tuple[str, str]]:
        kinds = (
            ("ADD", self.additionalInformation),
            ("CER", self.certificationNarrative),
            ("DCP", self.goalRehabOrDischargePlans),
            ("DGN", self.diagnosisDescription),
            ("TPO", self.thirdPartOrgNotes),
        )
        return [(code, text) for code, text in kinds if text]

    def to_domain(self) -> model.ClaimNote:
        code, text = self._given()[0]
        return model.ClaimNote(code=code, text=text)


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
    claimSupplementalInformation: ClaimSupplementalInformationIn | None = None
    claimDateInformation: ClaimDateInformationIn | None = None
    claimNote: ClaimNoteIn | None = None
    patientAmountPaid: Money | None = None
    serviceFacilityLocation: ServiceFacilityIn | None = None
    relatedCausesCode: Annotated[
        list[Literal["AA", "EM", "OA"]] | None, Field(default=None, max_length=2)
    ] = None
    autoAccidentStateCode: Annotated[str | None, Field(default=None, max_length=2)] = None

    @model_validator(mode="after")
    def _each_number_once(self) -> ClaimInformationIn:
        """A number given both here and in claimSupplementalInformation must agree."""
        supplemental = self.claimSupplementalInformation
        if supplemental is None:
            return self
        pairs = (
            (self.priorAuthorizationNumber, supplemental.priorAuthorizationNumber),
            (self.referralNumber, supplemental.referralNumber),
            (self.payerClaimControlNumber, supplemental.original_claim_number()),
        )
        if any(a and b and a != b for a, b in pairs):
            raise PydanticCustomError(
                "conflicting_values",
                "a number is given twice with different values (claimInformation and "
                "claimInformation.claimSupplementalInformation)",
            )
        return self

    def reference(self, name: str) -> str | None:
        """A 2300 REF value from wherever the request put it."""
        supplemental = self.claimSupplementalInformation
        if name == "payerClaimControlNumber":
            return self.payerClaimControlNumber or (
                supplemental.original_claim_number() if supplemental else None
            )
        value: str | None = getattr(self, name, None)
        return value or (getattr(supplemental, name) if supplemental else None)


# The claim-level provider objects of the documented shape and the providerType each is.
PROVIDER_OBJECTS = (
    ("billing", model.BILLING),
    ("rendering", model.RENDERING),
    ("referring", model.REFERRING),
    ("supervising", model.SUPERVISING),
)


class ClaimRequest(Schema):
    """POST /v1/claims and /v1/claims/validate."""

    controlNumber: Annotated[str, Field(min_length=1, max_length=9)]
    tradingPartnerServiceId: Annotated[str, Field(min_length=1, max_length=80)]
    tradingPartnerName: Annotated[str | None, Field(default=None, max_length=60)] = None
    usageIndicator: Literal["P", "T"] = "P"
    submitter: SubmitterIn
    receiver: ReceiverIn
    subscriber: SubscriberIn
    providers: list[ListedProviderIn] = []
    claimInformation: ClaimInformationIn
    dependent: DependentIn | None = None
    billing: ProviderIn | None = None
    rendering: ProviderIn | None = None
    referring: ProviderIn | None = None
    supervising: ProviderIn | None = None
    ordering: ProviderIn | None = None
    payToAddress: AddressIn | None = None

    @model_validator(mode="after")
    def _each_provider_once(self) -> ClaimRequest:
        """A loop is given once: as `billing` ... or in `providers[]`, not both; an object's
        providerType, when given, is the one its name says."""
        listed = {p.providerType for p in self.providers}
        for name, kind in (*PROVIDER_OBJECTS, ("ordering", model.ORDERING)):
            given = getattr(self, name)
            if given is None:
                continue
            if given.providerType not in (None, kind):
                raise PydanticCustomError(
                    "conflicting_values", f"{name}.providerType must be {kind} or left out"
                )
            if kind in listed:
                raise PydanticCustomError(
                    "conflicting_values", f"the {kind} is given twice: {name} and providers[]"
                )
        if model.BILLING not in listed and self.billing is None:
            raise PydanticCustomError(
                "billing_required", "a billing provider is required: billing or providers[]"
            )
        facility = self.claimInformation.serviceFacilityLocation
        if facility is not None and model.SERVICE_FACILITY in listed:
            raise PydanticCustomError(
                "conflicting_values",
                "the service facility is given twice: serviceFacilityLocation and providers[]",
            )
        return self

    def claim_providers(self) -> list[tuple[str, model.Provider]]:
        """The claim-level providers with the request path each came from, in the order the
        domain claim keeps them: providers[] first, then the named objects."""
        found = [
            (f"providers[{i}]", p.to_domain())
            for i, p in enumerate(self.providers)
            if p.providerType != model.ORDERING
        ]
        for name, kind in PROVIDER_OBJECTS:
            given = getattr(self, name)
            if given is not None:
                found.append((name, given.to_domain(kind)))
        facility = self.claimInformation.serviceFacilityLocation
        if facility is not None:
            found.append(("claimInformation.serviceFacilityLocation", facility.to_domain()))
        return found

    def domain_paths(self) -> dict[str, str]:
        """Where a domain path of the claim's providers points in this request
        (`providers[2]` -> `billing`): findings name the field the caller sent."""
        return {f"providers[{i}]": path for i, (path, _) in enumerate(self.claim_providers())}

    def _ordering(self) -> ProviderIn | None:
        listed = [p for p in self.providers if p.providerType == model.ORDERING]
        return self.ordering or (listed[0] if listed else None)

    def to_claim(self) -> model.Claim:
        info = self.claimInformation
        return model.Claim(
            control_number=self.controlNumber,
            trading_partner_service_id=self.tradingPartnerServiceId,
            trading_partner_name=self.tradingPartnerName,
            usage_indicator=self.usageIndicator,
            submitter=model.Submitter(
                organization_name=self.submitter.organizationName,
                identification=self.submitter.submitterIdentification,
                contact=(
                    self.submitter.contactInformation.to_domain()
                    if self.submitter.contactInformation
                    else None
                ),
            ),
            receiver_name=self.receiver.organizationName,
            subscriber=self.subscriber.to_domain(),
            providers=tuple(provider for _, provider in self.claim_providers()),
            dependent=self.dependent.to_domain() if self.dependent else None,
            pay_to_address=self.payToAddress.to_domain() if self.payToAddress else None,
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
                prior_authorization_number=info.reference("priorAuthorizationNumber"),
                referral_number=info.reference("referralNumber"),
                payer_claim_control_number=info.reference("payerClaimControlNumber"),
                medical_record_number=info.reference("medicalRecordNumber"),
                clia_number=info.reference("cliaNumber"),
                dates=info.claimDateInformation.to_domain() if info.claimDateInformation else (),
                note=info.claimNote.to_domain() if info.claimNote else None,
                patient_amount_paid=info.patientAmountPaid,
                related_causes=tuple(info.relatedCausesCode or ()),
                auto_accident_state=info.autoAccidentStateCode,
                diagnoses=tuple(
                    model.Diagnosis(type_code=d.diagnosisTypeCode, code=d.diagnosisCode)
                    for d in info.healthCareCodeInformation
                ),
                service_lines=tuple(line.to_domain(self._ordering()) for line in info.serviceLines),
                other_subscribers=tuple(o.to_domain() for o in info.otherSubscriberInformation),
            ),
        )


# Fields of the professional claims v3 shape that claimgate does not write into the 837P yet,
# with the loop or segment each would be: refused by name, never dropped (README "Not
# supported").
NOT_SUPPORTED = {
    "ambulanceTransportInformation": "CR1 ambulance transport",
    "ambulanceCertification": "CRC ambulance certification",
    "ambulancePickUpLocation": "loop 2310E ambulance pick-up location",
    "ambulanceDropOffLocation": "loop 2310F ambulance drop-off location",
    "claimContractInformation": "CN1 contract information",
    "claimPricingRepricingInformation": "HCP claim pricing",
    "conditionInformation": "HI BG condition codes",
    "epsdtReferral": "CRC EPSDT referral",
    "homeboundIndicator": "CRC homebound indicator",
    "patientConditionInformationVision": "CRC vision condition",
    "spinalManipulationServiceInformation": "CR2 spinal manipulation",
    "fileInformation": "K3 file information",
    "anesthesiaRelatedSurgicalProcedure": "HI BP anesthesia related procedure",
    "reportInformation": "PWK claim attachment",
    "reportInformations": "PWK claim attachments",
    "repricedClaimNumber": "REF*9A repriced claim number",
    "adjustedRepricedClaimNumber": "REF*9C adjusted repriced claim number",
    "investigationalDeviceExemptionNumber": "REF*LX investigational device exemption",
    "mammographyCertificationNumber": "REF*EW mammography certification",
    "demoProjectIdentifier": "REF*P4 demonstration project",
    "carePlanOversightNumber": "REF*1J care plan oversight",
    "medicareCrossoverReferenceId": "REF*F5 Medicare crossover indicator",
    "serviceAuthorizationExceptionCode": "REF*4N service authorization exception",
    "payToPlan": "loop 2010AC pay-to plan",
    "durableMedicalEquipmentService": "SV5 durable medical equipment",
    "durableMedicalEquipmentCertificateOfMedicalNecessity": "PWK/CR3 DME certificate",
    "durableMedicalEquipmentCertification": "CR3 DME certification",
    "formIdentification": "loop 2440 form identification (LQ/FRM)",
    "purchasedServiceProvider": "loop 2420B purchased service provider",
    "purchasedServiceInformation": "PS1 purchased service",
    "testResults": "MEA test results",
    "contractInformation": "CN1 line contract information",
    "salesTaxAmount": "AMT*T sales tax",
    "postageTaxAmount": "AMT*F4 postage claimed",
    "additionalNotes": "2400 NTE line note",
    "goalRehabOrDischargePlans": "2400 NTE",
    "thirdPartyOrganizationNotes": "2400 NTE",
    "obstetricAnesthesiaAdditionalUnits": "QTY*FL anesthesia units",
    "lineSupplementalInformation": "2400 PWK line attachment",
    "serviceFacilityLocation": "loop 2420C line service facility",
    "phoneExtension": "PER extension",
    "faxNumber": "PER fax number",
    "secondaryIdentifier": "REF secondary identifier",
}
