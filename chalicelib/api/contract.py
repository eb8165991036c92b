"""The public claim contract: the request schema of the API in the JSON 837P shape of the
large clearinghouse APIs ("professional claims v3"). It validates requests and generates the
OpenAPI document, so the two cannot drift; `to_claim` turns a valid request into the domain
claim and `request_from_claim` the other way (claims read from 837 files, secondary claims).
It lives outside api/ because the services store and read claims in this shape too.

Structural problems (a missing required field, a date that is not a real CCYYMMDD date,
an amount that is not a number) are reported here; business edits run afterwards on the
domain claim (chalicelib.claims.scrub).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from chalicelib.claims import model

# Every date of the contract is on or after this day: an earlier one is a typo (0001, 0999
# for 1999), and X12 writes four-digit years.
EARLIEST_DATE = date(1900, 1, 1)
_CCYYMMDD = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# R (decimal) as X12 writes it: ASCII digits, an optional minus sign and decimal point, no
# exponent (Decimal() would take "２４５", "1_000" and "1e3"). X12 allows 18 digits (R 1/18);
# Money keeps 12 and 2 decimals, Quantity 10 and 3, so whatever passes fits an 837P.
_DECIMAL_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_LONGEST_DECIMAL_TEXT = 40


def _parse_date(value: object, *, what: str) -> date:
    """X12 dates are CCYYMMDD; ISO dates (YYYY-MM-DD) are accepted too and mean the same
    day. ASCII digits only, a real calendar day, not before EARLIEST_DATE."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        match = _CCYYMMDD.fullmatch(text) or _ISO_DATE.fullmatch(text)
        if match is None:
            raise PydanticCustomError(
                "invalid_date", "a date is CCYYMMDD (or YYYY-MM-DD) with a four-digit year"
            )
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise PydanticCustomError("invalid_date", "not a real calendar date") from None
    if day < EARLIEST_DATE:
        raise PydanticCustomError(
            "date_too_early", f"{what} must be on or after {EARLIEST_DATE.isoformat()}"
        )
    return day


def _ccyymmdd(day: date) -> str:
    """strftime("%Y") does not pad years before 1000 on every platform: X12 needs 8 digits."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _any_date(value: object) -> date:
    return _parse_date(value, what="a date")


def _birth_date(value: object) -> date:
    return _parse_date(value, what="a birth date")


def _ascii_decimal(value: object) -> object:
    """Text amounts in ASCII digits (JSON numbers pass through to the Decimal checks)."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _LONGEST_DECIMAL_TEXT:
            raise PydanticCustomError("decimal_max_digits", "the number has too many digits")
        if not _DECIMAL_TEXT.fullmatch(text):
            raise PydanticCustomError(
                "invalid_amount",
                "write numbers with digits 0-9, an optional minus sign and a decimal point",
            )
        return text
    if isinstance(value, bool):
        raise PydanticCustomError("invalid_amount", "an amount is a number, not true or false")
    # A JSON number too long for int() arrives as a Decimal (chalicelib.api.http), which
    # pydantic would call infinite.
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > _LONGEST_DECIMAL_TEXT:
        raise PydanticCustomError("decimal_max_digits", "the number has too many digits")
    return value


_DateSchema = Field(json_schema_extra={"pattern": "^[0-9]{8}$", "format": "CCYYMMDD"})
X12Date = Annotated[
    date,
    PlainValidator(_any_date, json_schema_input_type=str),
    PlainSerializer(_ccyymmdd, return_type=str, when_used="json"),
    _DateSchema,
]
BirthDate = Annotated[
    date,
    PlainValidator(_birth_date, json_schema_input_type=str),
    PlainSerializer(_ccyymmdd, return_type=str, when_used="json"),
    _DateSchema,
]
Money = Annotated[
    Decimal,
    BeforeValidator(_ascii_decimal),
    Field(max_digits=12, decimal_places=2, allow_inf_nan=False),
]
Quantity = Annotated[
    Decimal,
    BeforeValidator(_ascii_decimal),
    Field(max_digits=10, decimal_places=3, allow_inf_nan=False),
]
Text = Annotated[str, Field(min_length=1, max_length=80)]
OptionalText = Annotated[str | None, Field(default=None, max_length=80)]


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
    return _ccyymmdd(value) if value else None


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


def request_from_claim(claim: model.Claim) -> ClaimRequest:
    """The contract-shape request for a domain claim: how a claim read from an uploaded 837P
    file, or a secondary claim claimgate builds itself, is stored and shown like any other."""
    info = claim.claim_information
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
                    "address": _address(claim.subscriber.address),
                }
            ),
            "providers": [
                _drop_none(
                    {
                        "providerType": p.provider_type,
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
                for p in claim.providers
            ],
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
                }
            ),
        }
    )
    return ClaimRequest.model_validate(data)


def contract_problems(claim: model.Claim) -> list[tuple[str, str, str]]:
    """What the contract refuses in a claim that did not come as a request (one read from an
    837P file): (code, message, request path) for each problem, none when it is valid."""
    try:
        request_from_claim(claim)
    except ValidationError as invalid:
        return [
            ("invalid_value", e["msg"], ".".join(str(p) for p in e["loc"]))
            for e in invalid.errors(include_input=False, include_url=False)
        ]
    return []


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
