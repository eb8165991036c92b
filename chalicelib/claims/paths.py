"""Where each text field of a domain claim sits in the claim request: the request path a
scrub finding names (`subscriber.lastName`, `claimInformation.serviceLines[0].
professionalService.procedureCode`). The domain is snake_case; most request names are its
camelCase, and the exceptions are listed here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass
from types import MappingProxyType

from chalicelib.claims.model import (
    Adjustment,
    Claim,
    ClaimInformation,
    Diagnosis,
    Drug,
    LineAdjudication,
    OtherInsured,
    OtherPayer,
    OtherSubscriberInformation,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
)

# Request names that are not the camelCase of the domain field (see chalicelib.api.contract);
# a dotted name steps into a nested request object. Every other field is plain camelCase.
_WIRE_NAMES: Mapping[type, Mapping[str, str]] = MappingProxyType(
    {
        Claim: {"receiver_name": "receiver.organizationName"},
        Submitter: {"contact": "contactInformation", "identification": "submitterIdentification"},
        Subscriber: {"group_name": "subscriberGroupName"},
        Provider: {"contact": "contactInformation"},
        ClaimInformation: {
            "diagnoses": "healthCareCodeInformation",
            "other_subscribers": "otherSubscriberInformation",
            "medical_record_number": "claimSupplementalInformation.medicalRecordNumber",
            "clia_number": "claimSupplementalInformation.cliaNumber",
            "related_causes": "relatedCausesCode",
            "auto_accident_state": "autoAccidentStateCode",
            "note": "claimNote",
            "dates": "claimDateInformation",
        },
        Drug: {
            "ndc": "nationalDrugCode",
            "unit_code": "measurementUnitCode",
            "prescription_number": "pharmacyPrescriptionNumber",
            "qualifier": "serviceIdQualifier",
        },
        Diagnosis: {"type_code": "diagnosisTypeCode", "code": "diagnosisCode"},
        ServiceLine: {
            "procedure_identifier": "professionalService.procedureIdentifier",
            "procedure_code": "professionalService.procedureCode",
            "procedure_modifiers": "professionalService.procedureModifiers",
            "charge_amount": "professionalService.lineItemChargeAmount",
            "measurement_unit": "professionalService.measurementUnit",
            "unit_count": "professionalService.serviceUnitCount",
            "place_of_service_code": "professionalService.placeOfServiceCode",
            "diagnosis_pointers": (
                "professionalService.compositeDiagnosisCodePointers.diagnosisCodePointers"
            ),
            "line_adjudications": "lineAdjudicationInformation",
            "prior_authorization_numbers": "serviceLineReferenceInformation.priorAuthorization",
            "referral_numbers": "serviceLineReferenceInformation.referralNumber",
            "drug": "drugIdentification",
        },
        LineAdjudication: {
            "paid_amount": "serviceLinePaidAmount",
            "paid_unit_count": "paidServiceUnitCount",
            "adjudication_date": "adjudicationOrPaymentDate",
            "procedure_modifiers": "procedureModifier",
            "procedure_identifier": "serviceIdQualifier",
            "adjustments": "claimAdjustmentInformation",
            "bundled_line_number": "bundledOrUnbundledLineNumber",
        },
        OtherSubscriberInformation: {
            "insured": "otherSubscriberName",
            "payer": "otherPayerName",
            "group_number": "insuredGroupOrPolicyNumber",
            "claim_adjustments": "claimLevelAdjustments",
        },
        OtherInsured: {
            "last_name": "otherInsuredLastName",
            "first_name": "otherInsuredFirstName",
            "identifier": "otherInsuredIdentifier",
            "qualifier": "otherInsuredQualifier",
            "identifier_type_code": "otherInsuredIdentifierTypeCode",
        },
        OtherPayer: {
            "organization_name": "otherPayerOrganizationName",
            "identifier": "otherPayerIdentifier",
            "identifier_type_code": "otherPayerIdentifierTypeCode",
            "claim_control_number": "otherPayerClaimControlNumber",
            "adjudication_date": "otherPayerAdjudicationOrPaymentDate",
        },
    }
)
_ADJUSTMENT_DETAILS = 6  # CAS carries up to 6 reason/amount/quantity triplets per group


def text_fields(claim: Claim) -> Iterator[tuple[str, str]]:
    """(request path, value) for every text field of the claim, in request order."""
    for path, value in _fields(claim, ""):
        if isinstance(value, str):
            yield path, value


def changed_fields(before: Claim, after: Claim) -> list[str]:
    """The request paths whose value differs between two versions of a claim (a field only
    one of them has counts as changed), in request order: what a correction changed."""
    old = {path: value for path, value in _fields(before, "")}
    new = {path: value for path, value in _fields(after, "")}
    return [path for path in dict.fromkeys([*old, *new]) if old.get(path) != new.get(path)]


def _fields(value: object, path: str) -> Iterator[tuple[str, object]]:
    """(request path, value) for every leaf value: text, amounts, dates, numbers, flags."""
    if isinstance(value, tuple):
        if value and isinstance(value[0], Adjustment):
            yield from _adjustment_fields(value, path)
            return
        for i, item in enumerate(value):
            yield from _fields(item, f"{path}[{i}]")
    elif is_dataclass(value) and not isinstance(value, type):
        names = _WIRE_NAMES.get(type(value), {})
        for field in fields(value):
            wire = names.get(field.name) or _camel(field.name)
            yield from _fields(getattr(value, field.name), f"{path}.{wire}" if path else wire)
    elif value is not None:
        yield path, value


def _adjustment_fields(adjustments: tuple[object, ...], path: str) -> Iterator[tuple[str, object]]:
    """The domain flattens CAS groups into triplets; the request nests details under a group.
    Consecutive triplets of one group code are one group, as X12 sends them (one CAS per
    group code, at most 6 triplets each)."""
    group, detail, previous = -1, 0, None
    for adjustment in adjustments:
        if not isinstance(adjustment, Adjustment):
            continue
        if adjustment.group_code != previous or detail == _ADJUSTMENT_DETAILS:
            group, detail, previous = group + 1, 0, adjustment.group_code
            yield f"{path}[{group}].adjustmentGroupCode", adjustment.group_code
        at = f"{path}[{group}].adjustmentDetails[{detail}]"
        yield f"{at}.adjustmentReasonCode", adjustment.reason_code
        yield f"{at}.adjustmentAmount", adjustment.amount
        if adjustment.quantity is not None:
            yield f"{at}.adjustmentQuantity", adjustment.quantity
        detail += 1


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
