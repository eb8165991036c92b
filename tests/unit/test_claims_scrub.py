from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims import model
from chalicelib.claims.model import Claim
from chalicelib.claims.paths import text_fields
from chalicelib.claims.scrub import (
    EDITS,
    SEVERITIES,
    ScrubFinding,
    has_errors,
    scrub_claim,
)

CONTRACT = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 27)
LINE = "claimInformation.serviceLines"
SERVICE0 = f"{LINE}[0].professionalService"
SERVICE1 = f"{LINE}[1].professionalService"
POINTERS = "compositeDiagnosisCodePointers.diagnosisCodePointers"
DX = "claimInformation.healthCareCodeInformation"
OTHER0 = "claimInformation.otherSubscriberInformation[0]"


@cache
def contract_json(name: str) -> str:
    return (CONTRACT / f"claim-{name}.json").read_text(encoding="utf-8")


@cache
def load(name: str) -> Claim:
    return ClaimRequest.model_validate_json(contract_json(name)).to_claim()


def found(claim: Claim) -> list[tuple[str, str]]:
    return [(f.field, f.code) for f in scrub_claim(claim, today=TODAY)]


# ---- builders: variants of a contract claim ------------------------------------------------


def with_info(claim: Claim, info: model.ClaimInformation) -> Claim:
    return replace(claim, claim_information=info)


def with_line(claim: Claim, index: int, line: model.ServiceLine) -> Claim:
    lines = list(claim.claim_information.service_lines)
    lines[index] = line
    return with_info(claim, replace(claim.claim_information, service_lines=tuple(lines)))


def line(claim: Claim, index: int) -> model.ServiceLine:
    return claim.claim_information.service_lines[index]


def with_provider(claim: Claim, index: int, provider: model.Provider) -> Claim:
    providers = list(claim.providers)
    providers[index] = provider
    return replace(claim, providers=tuple(providers))


def provider(claim: Claim, index: int) -> model.Provider:
    return claim.providers[index]


def with_billing_address(claim: Claim, address: model.Address) -> Claim:
    return with_provider(claim, 0, replace(provider(claim, 0), address=address))


def billing_address(claim: Claim) -> model.Address:
    address = provider(claim, 0).address
    assert address is not None
    return address


def with_diagnoses(claim: Claim, *diagnoses: tuple[str, str]) -> Claim:
    built = tuple(model.Diagnosis(type_code=t, code=c) for t, c in diagnoses)
    return with_info(claim, replace(claim.claim_information, diagnoses=built))


def with_subscriber_address(claim: Claim, **changes: str) -> Claim:
    address = claim.subscriber.address
    assert address is not None
    return replace(claim, subscriber=replace(claim.subscriber, address=replace(address, **changes)))


def other(claim: Claim) -> model.OtherSubscriberInformation:
    return claim.claim_information.other_subscribers[0]


def with_other(claim: Claim, info: model.OtherSubscriberInformation) -> Claim:
    return with_info(claim, replace(claim.claim_information, other_subscribers=(info,)))


def dependent(claim: Claim) -> model.Dependent:
    assert claim.dependent is not None
    return claim.dependent


def priced(claim: Claim, lines: tuple[model.ServiceLine, ...]) -> Claim:
    """Replace the lines and keep the claim total equal to them."""
    total = sum((ln.charge_amount for ln in lines), Decimal(0))
    info = replace(claim.claim_information, service_lines=lines, claim_charge_amount=total)
    return with_info(claim, info)


def adjudicated_by(claim: Claim, payer_id: str) -> Claim:
    adjudication = model.LineAdjudication(
        other_payer_primary_identifier=payer_id,
        paid_amount=Decimal("120.00"),
        procedure_code="99214",
        paid_unit_count=Decimal(1),
        adjudication_date=date(2026, 11, 20),
    )
    return with_line(claim, 0, replace(line(claim, 0), line_adjudications=(adjudication,)))


# ---- the contract examples -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["basic", "dependent", "medicare-with-secondary"])
def test_scrub_contract_claims_have_no_findings(name: str) -> None:
    assert scrub_claim(load(name), today=TODAY) == ()


def test_scrub_invalid_claim_names_each_of_its_four_problems_once() -> None:
    findings = scrub_claim(load("invalid"), today=TODAY)

    assert sorted((f.field, f.code) for f in findings) == sorted(
        [
            ("providers[0].npi", "npi_invalid"),
            ("claimInformation.claimChargeAmount", "claim_charge_mismatch"),
            (f"{DX}[1].diagnosisCode", "icd10_invalid"),
            (f"{SERVICE1}.{POINTERS}[0]", "diagnosis_pointer_invalid"),
        ]
    )
    assert all(f.severity == "error" for f in findings)
    assert has_errors(findings)


def test_scrub_invalid_claim_fields_exist_in_the_request() -> None:
    request = json.loads(contract_json("invalid"))
    for finding in scrub_claim(load("invalid"), today=TODAY):
        resolve(request, finding.field)  # raises when the path names nothing


def test_scrub_charge_mismatch_message_gives_both_amounts() -> None:
    (finding,) = scrub_claim(
        with_info(
            load("basic"),
            replace(load("basic").claim_information, claim_charge_amount=Decimal("999.00")),
        ),
        today=TODAY,
    )
    assert "999.00" in finding.message
    assert "245.00" in finding.message


# ---- one case per edit: it fires, alone, naming the field -----------------------------------


@dataclass(frozen=True)
class Case:
    code: str
    field: str
    mutate: Callable[[Claim], Claim]
    base: str = "basic"


CASES = [
    Case(
        "npi_invalid",
        "providers[1].npi",
        lambda c: with_provider(c, 1, replace(provider(c, 1), npi="1245319598")),
    ),
    Case(
        "npi_invalid",
        "providers[1].npi",
        lambda c: with_provider(c, 1, replace(provider(c, 1), npi="124531959")),
    ),
    Case(
        "ein_invalid",
        "providers[0].employerId",
        lambda c: with_provider(c, 0, replace(provider(c, 0), employer_id="37-12345")),
    ),
    Case(
        "taxonomy_invalid",
        "providers[1].taxonomyCode",
        lambda c: with_provider(c, 1, replace(provider(c, 1), taxonomy_code="207Q0000")),
    ),
    Case(
        "billing_provider_missing",
        "providers",
        lambda c: replace(c, providers=c.providers[1:]),
    ),
    Case(
        "provider_repeated",
        "providers[2].providerType",
        lambda c: replace(c, providers=(*c.providers, provider(c, 1))),
    ),
    Case(
        "provider_repeated",
        "providers[2].providerType",
        lambda c: replace(c, providers=(*c.providers, provider(c, 0))),
    ),
    Case(
        "provider_name_missing",
        "providers[0].organizationName",
        lambda c: with_provider(c, 0, replace(provider(c, 0), organization_name=" ")),
    ),
    Case(
        "provider_name_missing",
        "providers[0].firstName",
        lambda c: with_provider(
            c, 0, replace(provider(c, 0), organization_name=None, last_name="Ortiz")
        ),
    ),
    Case(
        "provider_name_missing",
        "providers[1].lastName",
        lambda c: with_provider(c, 1, replace(provider(c, 1), last_name=None)),
    ),
    Case(
        "provider_name_missing",
        "providers[2].organizationName",
        lambda c: replace(
            c,
            providers=(
                *c.providers,
                model.Provider(provider_type=model.SERVICE_FACILITY, npi="1234567893"),
            ),
        ),
    ),
    Case(
        "provider_name_missing",
        "providers[2].lastName",
        lambda c: replace(
            c,
            providers=(
                *c.providers,
                model.Provider(
                    provider_type=model.REFERRING, npi="1234567893", organization_name="Clinic"
                ),
            ),
        ),
    ),
    Case(
        "billing_address_missing",
        "providers[0].address",
        lambda c: with_provider(c, 0, replace(provider(c, 0), address=None)),
    ),
    Case(
        "billing_address_po_box",
        "providers[0].address.address1",
        lambda c: with_billing_address(c, replace(billing_address(c), address1="P.O. Box 12")),
    ),
    Case(
        "billing_address_po_box",
        "providers[0].address.address2",
        lambda c: with_billing_address(c, replace(billing_address(c), address2="Lockbox 7781")),
    ),
    Case(
        "billing_tax_id_missing",
        "providers[0].employerId",
        lambda c: with_provider(c, 0, replace(provider(c, 0), employer_id=None)),
    ),
    Case(
        "billing_zip_not_nine_digits",
        "providers[0].address.postalCode",
        lambda c: with_billing_address(c, replace(billing_address(c), postal_code="62701")),
    ),
    Case(
        "zip_invalid",
        "subscriber.address.postalCode",
        lambda c: with_subscriber_address(c, postal_code="62701-1234"),
    ),
    Case(
        "zip_invalid",
        "dependent.address.postalCode",
        lambda c: replace(
            c,
            dependent=replace(
                dependent(c),
                address=model.Address("12 Elm St", "Springfield", "IL", "6270"),
            ),
        ),
        base="dependent",
    ),
    Case(
        "state_invalid",
        "subscriber.address.state",
        lambda c: with_subscriber_address(c, state="XX"),
    ),
    Case(
        "required_field_missing",
        "subscriber.memberId",
        lambda c: replace(c, subscriber=replace(c.subscriber, member_id="  ")),
    ),
    Case(
        "required_field_missing",
        "subscriber.dateOfBirth",
        lambda c: replace(c, subscriber=replace(c.subscriber, date_of_birth=None)),
    ),
    Case(
        "required_field_missing",
        "dependent.firstName",
        lambda c: replace(c, dependent=replace(dependent(c), first_name="")),
        base="dependent",
    ),
    Case(
        "gender_invalid",
        "subscriber.gender",
        lambda c: replace(c, subscriber=replace(c.subscriber, gender="X")),
    ),
    Case(
        "birth_date_in_future",
        "subscriber.dateOfBirth",
        lambda c: replace(c, subscriber=replace(c.subscriber, date_of_birth=date(2026, 11, 28))),
        base="dependent",
    ),
    Case(
        "patient_relationship_invalid",
        "dependent.relationshipToSubscriberCode",
        lambda c: replace(c, dependent=replace(dependent(c), relationship_to_subscriber_code="18")),
        base="dependent",
    ),
    Case(
        "patient_relationship_invalid",
        "dependent.relationshipToSubscriberCode",
        lambda c: replace(c, dependent=replace(dependent(c), relationship_to_subscriber_code="02")),
        base="dependent",
    ),
    Case(
        "other_insured_relationship_invalid",
        f"{OTHER0}.individualRelationshipCode",
        lambda c: with_other(c, replace(other(c), individual_relationship_code="02")),
        base="medicare-with-secondary",
    ),
    Case(
        "medicare_id_invalid",
        "subscriber.memberId",
        lambda c: replace(c, subscriber=replace(c.subscriber, member_id="123456789A")),
        base="medicare-with-secondary",
    ),
    Case(
        "medicare_id_invalid",
        f"{OTHER0}.otherSubscriberName.otherInsuredIdentifier",
        lambda c: with_other(c, replace(other(c), claim_filing_indicator_code="MB")),
        base="medicare-with-secondary",
    ),
    Case(
        "claim_filing_code_invalid",
        "claimInformation.claimFilingCode",
        lambda c: with_info(c, replace(c.claim_information, claim_filing_code="XX")),
    ),
    Case(
        "claim_filing_code_invalid",
        f"{OTHER0}.claimFilingIndicatorCode",
        lambda c: with_other(c, replace(other(c), claim_filing_indicator_code="M")),
        base="medicare-with-secondary",
    ),
    Case(
        "place_of_service_invalid",
        "claimInformation.placeOfServiceCode",
        lambda c: with_info(c, replace(c.claim_information, place_of_service_code="30")),
    ),
    Case(
        "place_of_service_invalid",
        f"{SERVICE1}.placeOfServiceCode",
        lambda c: with_line(c, 1, replace(line(c, 1), place_of_service_code="00")),
    ),
    Case(
        "original_claim_reference_missing",
        "claimInformation.payerClaimControlNumber",
        lambda c: with_info(c, replace(c.claim_information, claim_frequency_code="7")),
    ),
    Case(
        "original_claim_reference_unused",
        "claimInformation.payerClaimControlNumber",
        lambda c: with_info(c, replace(c.claim_information, payer_claim_control_number="PCN1")),
    ),
    Case(
        "diagnosis_count",
        DX,
        lambda c: with_diagnoses(
            c, ("ABK", "A000"), *(("ABF", f"A0{n:02d}") for n in range(1, 13))
        ),
    ),
    Case(
        "icd10_invalid",
        f"{DX}[1].diagnosisCode",
        lambda c: with_diagnoses(c, ("ABK", "E119"), ("ABF", "I10.")),
    ),
    Case(
        "icd10_invalid",
        f"{DX}[0].diagnosisCode",
        lambda c: with_diagnoses(c, ("ABK", "e119"), ("ABF", "I10")),
    ),
    Case(
        "diagnosis_qualifier_icd9",
        f"{DX}[1].diagnosisTypeCode",
        lambda c: with_diagnoses(c, ("ABK", "E119"), ("BF", "I10")),
    ),
    Case(
        "diagnosis_duplicate",
        f"{DX}[1].diagnosisCode",
        lambda c: with_diagnoses(c, ("ABK", "E119"), ("ABF", "E11.9")),
    ),
    Case(
        "principal_diagnosis_invalid",
        f"{DX}[0].diagnosisTypeCode",
        lambda c: with_diagnoses(c, ("ABF", "E119"), ("ABF", "I10")),
    ),
    Case(
        "principal_diagnosis_invalid",
        f"{DX}[1].diagnosisTypeCode",
        lambda c: with_diagnoses(c, ("ABK", "E119"), ("ABK", "I10")),
    ),
    Case(
        "service_line_count",
        LINE,
        lambda c: priced(c, (line(c, 1),) * 51),
    ),
    Case(
        "service_line_count",
        LINE,
        lambda c: priced(c, ()),
    ),
    Case(
        "procedure_code_invalid",
        f"{SERVICE1}.procedureCode",
        lambda c: with_line(c, 1, replace(line(c, 1), procedure_code="8303")),
    ),
    Case(
        "procedure_code_invalid",
        f"{SERVICE1}.procedureCode",
        lambda c: with_line(c, 1, replace(line(c, 1), procedure_code="W1234")),
    ),
    Case(
        "modifier_count",
        f"{SERVICE0}.procedureModifiers",
        lambda c: with_line(
            c, 0, replace(line(c, 0), procedure_modifiers=("25", "59", "GT", "XE", "76"))
        ),
    ),
    Case(
        "modifier_invalid",
        f"{SERVICE0}.procedureModifiers[1]",
        lambda c: with_line(c, 0, replace(line(c, 0), procedure_modifiers=("25", "5"))),
    ),
    Case(
        "diagnosis_pointer_count",
        f"{SERVICE1}.{POINTERS}",
        lambda c: with_line(c, 1, replace(line(c, 1), diagnosis_pointers=())),
    ),
    Case(
        "diagnosis_pointer_count",
        f"{SERVICE1}.{POINTERS}",
        lambda c: with_line(c, 1, replace(line(c, 1), diagnosis_pointers=(1, 2, 1, 2, 1))),
    ),
    Case(
        "diagnosis_pointer_invalid",
        f"{SERVICE0}.{POINTERS}[1]",
        lambda c: with_line(c, 0, replace(line(c, 0), diagnosis_pointers=(1, 0))),
    ),
    Case(
        "diagnosis_pointer_invalid",
        f"{SERVICE0}.{POINTERS}[0]",
        lambda c: with_line(c, 0, replace(line(c, 0), diagnosis_pointers=(3,))),
    ),
    Case(
        "units_not_positive",
        f"{SERVICE1}.serviceUnitCount",
        lambda c: with_line(c, 1, replace(line(c, 1), unit_count=Decimal(0))),
    ),
    Case(
        "amount_invalid",
        f"{SERVICE1}.lineItemChargeAmount",
        lambda c: with_line(c, 1, replace(line(c, 1), charge_amount=Decimal("NaN"))),
    ),
    Case(
        "charge_negative",
        f"{SERVICE1}.lineItemChargeAmount",
        lambda c: priced(c, (line(c, 0), replace(line(c, 1), charge_amount=Decimal("-60.00")))),
    ),
    Case(
        "claim_charge_mismatch",
        "claimInformation.claimChargeAmount",
        lambda c: with_info(c, replace(c.claim_information, claim_charge_amount=Decimal("250"))),
    ),
    Case(
        "service_date_in_future",
        f"{LINE}[1].serviceDate",
        lambda c: with_line(c, 1, replace(line(c, 1), service_date=date(2026, 11, 28))),
    ),
    Case(
        "service_date_in_future",
        f"{LINE}[1].serviceDateEnd",
        lambda c: with_line(c, 1, replace(line(c, 1), service_date_end=date(2026, 11, 28))),
    ),
    Case(
        "service_date_before_birth",
        f"{LINE}[0].serviceDate",
        lambda c: replace(c, dependent=replace(dependent(c), date_of_birth=date(2026, 11, 19))),
        base="dependent",
    ),
    Case(
        "service_date_end_before_start",
        f"{LINE}[1].serviceDateEnd",
        lambda c: with_line(c, 1, replace(line(c, 1), service_date_end=date(2026, 11, 15))),
    ),
    Case(
        "service_date_too_old",
        f"{LINE}[1].serviceDate",
        lambda c: with_line(c, 1, replace(line(c, 1), service_date=date(2025, 11, 26))),
    ),
    Case(
        "other_payer_same_as_primary",
        f"{OTHER0}.otherPayerName.otherPayerIdentifier",
        lambda c: with_other(
            c, replace(other(c), payer=replace(other(c).payer, identifier="sbxmcr"))
        ),
        base="medicare-with-secondary",
    ),
    Case(
        "payer_responsibility_repeated",
        f"{OTHER0}.paymentResponsibilityLevelCode",
        lambda c: with_other(c, replace(other(c), payment_responsibility_level_code="P")),
        base="medicare-with-secondary",
    ),
    Case(
        "line_adjudication_payer_unknown",
        f"{LINE}[0].lineAdjudicationInformation[0].otherPayerPrimaryIdentifier",
        lambda c: adjudicated_by(c, "SBXBCBS"),
        base="medicare-with-secondary",
    ),
    Case(
        "x12_delimiter_in_text",
        "subscriber.lastName",
        lambda c: replace(c, subscriber=replace(c.subscriber, last_name="Qu*ill")),
    ),
    Case(
        "x12_text_transliterated",
        "subscriber.lastName",
        lambda c: replace(c, subscriber=replace(c.subscriber, last_name="Nuñez")),
    ),
    Case(
        "x12_text_transliterated",
        "subscriber.address.city",
        lambda c: with_subscriber_address(c, city="Đà Nẵng"),
    ),
    Case(
        "x12_text_unwritable",
        "subscriber.firstName",
        lambda c: replace(c, subscriber=replace(c.subscriber, first_name="李")),
    ),
    Case(
        "x12_delimiter_in_text",
        "receiver.organizationName",
        lambda c: replace(c, receiver_name="Sandbox ~ PPO"),
    ),
    Case(
        "x12_delimiter_in_text",
        "subscriber.address.address1",
        lambda c: with_subscriber_address(c, address1="12 Elm St\r\nApt 2"),
    ),
    Case(
        "x12_delimiter_in_text",
        f"{SERVICE1}.measurementUnit",
        lambda c: with_line(c, 1, replace(line(c, 1), measurement_unit="U|")),
    ),
    Case(
        "x12_delimiter_in_text",
        f"{OTHER0}.otherSubscriberName.otherInsuredFirstName",
        lambda c: with_other(
            c, replace(other(c), insured=replace(other(c).insured, first_name="Wal^ter"))
        ),
        base="medicare-with-secondary",
    ),
    Case(
        "x12_delimiter_in_text",
        f"{OTHER0}.claimLevelAdjustments[1].adjustmentDetails[0].adjustmentReasonCode",
        lambda c: with_other(
            c,
            replace(
                other(c),
                claim_adjustments=(
                    model.Adjustment("CO", "45", Decimal("10.00")),
                    model.Adjustment("PR", "1:", Decimal("5.00")),
                ),
            ),
        ),
        base="medicare-with-secondary",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}:{c.field}" for c in CASES])
def test_scrub_edit_fires_alone_and_names_the_field(case: Case) -> None:
    claim = case.mutate(load(case.base))

    findings = scrub_claim(claim, today=TODAY)

    assert [(f.field, f.code) for f in findings] == [(case.field, case.code)]
    assert findings[0].severity == SEVERITIES[case.code]
    assert findings[0].message


def test_scrub_every_edit_has_a_case() -> None:
    assert {c.code for c in CASES} == set(EDITS)


def test_scrub_only_timely_filing_unused_reference_and_transliteration_are_warnings() -> None:
    warnings = {code for code, severity in SEVERITIES.items() if severity == "warning"}
    assert warnings == {
        "service_date_too_old",
        "original_claim_reference_unused",
        "x12_text_transliterated",
    }
    assert set(SEVERITIES) == set(EDITS)


def test_scrub_warnings_do_not_block() -> None:
    claim = with_line(
        load("basic"), 1, replace(line(load("basic"), 1), service_date=date(2025, 1, 2))
    )

    findings = scrub_claim(claim, today=TODAY)

    assert [f.code for f in findings] == ["service_date_too_old"]
    assert not has_errors(findings)


def test_scrub_service_exactly_365_days_old_is_timely() -> None:
    claim = with_line(
        load("basic"), 1, replace(line(load("basic"), 1), service_date=date(2025, 11, 27))
    )
    assert found(claim) == []


def test_scrub_reports_every_problem_not_just_the_first() -> None:
    base = load("basic")
    claim = with_provider(base, 1, replace(provider(base, 1), npi="1"))
    claim = with_line(claim, 1, replace(line(claim, 1), unit_count=Decimal(0), procedure_code="X"))
    claim = replace(claim, subscriber=replace(claim.subscriber, gender="Q"))

    assert sorted(code for _, code in found(claim)) == [
        "gender_invalid",
        "npi_invalid",
        "procedure_code_invalid",
        "units_not_positive",
    ]


def test_scrub_negative_claim_and_line_charges_each_named() -> None:
    base = load("basic")
    lines = tuple(
        replace(ln, charge_amount=-ln.charge_amount) for ln in base.claim_information.service_lines
    )

    assert sorted(found(priced(base, lines))) == [
        ("claimInformation.claimChargeAmount", "charge_negative"),
        (f"{SERVICE0}.lineItemChargeAmount", "charge_negative"),
        (f"{SERVICE1}.lineItemChargeAmount", "charge_negative"),
    ]


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("E11.9", True),
        ("E119", True),
        ("I10", True),
        ("S06.0X0A", True),
        ("Z3A.01", True),
        ("U07.1", True),
        ("M1A.0110", True),
        ("I1O", False),
        ("E11.", False),
        ("E1.19", False),
        ("11E9", False),
        ("E119000X", False),
        ("E11 9", False),
    ],
)
def test_scrub_icd10_shape(code: str, valid: bool) -> None:
    claim = with_diagnoses(load("basic"), ("ABK", code), ("ABF", "R69"))
    assert ("icd10_invalid" in {c for _, c in found(claim)}) is not valid


@pytest.mark.parametrize("code", ["99214", "0001F", "0042T", "0001U", "J3490", "G0438", "A0425"])
def test_scrub_procedure_code_shapes_accepted(code: str) -> None:
    claim = with_line(load("basic"), 1, replace(line(load("basic"), 1), procedure_code=code))
    assert found(claim) == []


def test_scrub_procedure_code_shape_checked_only_for_hcpcs_qualifier() -> None:
    base = load("basic")
    claim = with_line(
        base, 1, replace(line(base, 1), procedure_identifier="WK", procedure_code="ABC1")
    )
    assert found(claim) == []


@pytest.mark.parametrize("ein", ["371234567", "37-1234567"])
def test_scrub_ein_with_or_without_hyphen_accepted(ein: str) -> None:
    base = load("basic")
    assert found(with_provider(base, 0, replace(provider(base, 0), employer_id=ein))) == []


def test_scrub_billing_provider_may_be_a_person() -> None:
    base = load("basic")
    person = replace(
        provider(base, 0), organization_name=None, first_name="Lena", last_name="Ortiz"
    )
    assert found(with_provider(base, 0, person)) == []


def test_scrub_line_adjudication_from_a_listed_payer_passes() -> None:
    assert found(adjudicated_by(load("medicare-with-secondary"), "SBXMCD")) == []


def test_scrub_replacement_claim_with_reference_passes() -> None:
    base = load("basic")
    info = replace(
        base.claim_information, claim_frequency_code="8", payer_claim_control_number="X1"
    )
    assert found(with_info(base, info)) == []


def test_scrub_delimiter_in_a_field_already_failing_is_reported_once() -> None:
    base = load("basic")
    assert found(with_provider(base, 0, replace(provider(base, 0), npi="123*567893"))) == [
        ("providers[0].npi", "npi_invalid")
    ]


def test_scrub_messages_carry_no_phi() -> None:
    base = load("dependent")
    claim = replace(
        base,
        subscriber=replace(base.subscriber, member_id="W1234*789", first_name="Ad|a", gender="Z"),
        dependent=replace(
            dependent(base), last_name="Qu~ill", relationship_to_subscriber_code="18"
        ),
    )
    claim = with_info(claim, replace(claim.claim_information, claim_filing_code="MB"))
    claim = with_line(claim, 0, replace(line(claim, 0), service_date=date(2015, 8, 1)))

    findings = scrub_claim(claim, today=TODAY)

    assert {f.code for f in findings} >= {
        "x12_delimiter_in_text",
        "medicare_id_invalid",
        "gender_invalid",
        "patient_relationship_invalid",
        "service_date_before_birth",
    }
    phi = ["W1234", "789", "Ad", "Qu", "ill", "Milo", "Quill", "2015", "1962", "0901", "Elm"]
    for finding in findings:
        assert not [p for p in phi if p in finding.message], finding


def test_scrub_finding_severity_is_checked() -> None:
    with pytest.raises(ValueError, match="severity"):
        ScrubFinding("providers", "npi_invalid", "x", "fatal")  # type: ignore[arg-type]


# ---- the request paths of text fields --------------------------------------------------------


def resolve(document: object, path: str) -> object:
    """The value at `path` (`a.b[0].c`) in a parsed JSON request; KeyError if absent."""
    value = document
    for name, index in re.findall(r"([A-Za-z0-9]+)|\[(\d+)\]", path):
        if name:
            assert isinstance(value, dict), path
            value = value[name]
        else:
            assert isinstance(value, list), path
            value = value[int(index)]
    return value


SECONDARY_WITH_ADJUDICATION = {
    "lineAdjudicationInformation": [
        {
            "otherPayerPrimaryIdentifier": "SBXMCD",
            "serviceLinePaidAmount": "100.00",
            "serviceIdQualifier": "HC",
            "procedureCode": "99214",
            "procedureModifier": ["25"],
            "paidServiceUnitCount": "1",
            "claimAdjustmentInformation": [
                {
                    "adjustmentGroupCode": "CO",
                    "adjustmentDetails": [
                        {"adjustmentReasonCode": "45", "adjustmentAmount": "60.00"},
                        {"adjustmentReasonCode": "253", "adjustmentAmount": "2.00"},
                    ],
                },
                {
                    "adjustmentGroupCode": "PR",
                    "adjustmentDetails": [{"adjustmentReasonCode": "2", "adjustmentAmount": "23"}],
                },
            ],
            "adjudicationOrPaymentDate": "20261120",
        }
    ]
}


def enriched_secondary() -> str:
    """The Medicare claim with every optional text field that has a wire name filled in."""
    request = json.loads(contract_json("medicare-with-secondary"))
    request["claimInformation"]["serviceLines"][0].update(SECONDARY_WITH_ADJUDICATION)
    request["claimInformation"]["serviceLines"][0]["professionalService"]["placeOfServiceCode"] = (
        "11"
    )
    request["claimInformation"]["priorAuthorizationNumber"] = "PA1"
    request["claimInformation"]["referralNumber"] = "RF1"
    other_subscriber = request["claimInformation"]["otherSubscriberInformation"][0]
    other_subscriber["insuredGroupOrPolicyNumber"] = "G1"
    other_subscriber["otherPayerName"]["otherPayerClaimControlNumber"] = "OPCN1"
    other_subscriber["claimLevelAdjustments"] = SECONDARY_WITH_ADJUDICATION[
        "lineAdjudicationInformation"
    ][0]["claimAdjustmentInformation"]
    request["providers"][0]["address"]["address2"] = "Suite 2"
    request["submitter"]["contactInformation"]["email"] = "billing@example.org"
    return json.dumps(request)


@pytest.mark.parametrize(
    "name", ["basic", "dependent", "medicare-with-secondary", "invalid", "enriched"]
)
def test_text_fields_paths_point_at_the_same_value_in_the_request(name: str) -> None:
    text = enriched_secondary() if name == "enriched" else contract_json(name)
    request = json.loads(text)
    claim = ClaimRequest.model_validate_json(text).to_claim()

    paths = list(text_fields(claim))

    assert paths
    for path, value in paths:
        assert resolve(request, path) == value, path


# ---- never raises ----------------------------------------------------------------------------

MAX_EXAMPLES = 25
TEXT = st.text(max_size=12)
CODE = st.one_of(st.sampled_from(["11", "P", "S", "18", "19", "MB", "CI", "ABK", "ABF", "7"]), TEXT)
AMOUNT = st.decimals(places=2, max_value=10**9, min_value=-(10**9)) | st.decimals()
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1))


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


ADDRESSES = st.builds(
    model.Address, address1=TEXT, city=TEXT, state=CODE, postal_code=TEXT, address2=optional(TEXT)
)
ADJUSTMENTS = st.lists(
    st.builds(
        model.Adjustment, group_code=st.sampled_from(["CO", "PR"]), reason_code=TEXT, amount=AMOUNT
    ),
    max_size=7,
).map(tuple)
PROVIDERS = st.builds(
    model.Provider,
    provider_type=st.sampled_from(model.PROVIDER_TYPES) | TEXT,
    npi=st.sampled_from(["1234567893", "1234567890"]) | TEXT,
    organization_name=optional(TEXT),
    first_name=optional(TEXT),
    last_name=optional(TEXT),
    employer_id=optional(TEXT),
    ssn=optional(TEXT),
    taxonomy_code=optional(TEXT),
    address=st.none() | ADDRESSES,
)
LINES = st.builds(
    model.ServiceLine,
    service_date=DATES,
    procedure_code=st.sampled_from(["99214", "J3490"]) | TEXT,
    charge_amount=AMOUNT,
    unit_count=AMOUNT,
    diagnosis_pointers=st.lists(st.integers(-3, 15), max_size=6).map(tuple),
    procedure_identifier=st.sampled_from(["HC", "WK"]),
    procedure_modifiers=st.lists(TEXT, max_size=6).map(tuple),
    measurement_unit=CODE,
    place_of_service_code=optional(CODE),
    service_date_end=st.none() | DATES,
    line_adjudications=st.lists(
        st.builds(
            model.LineAdjudication,
            other_payer_primary_identifier=TEXT,
            paid_amount=AMOUNT,
            procedure_code=TEXT,
            paid_unit_count=AMOUNT,
            adjudication_date=DATES,
        ),
        max_size=1,
    ).map(tuple),
)
OTHERS = st.builds(
    model.OtherSubscriberInformation,
    payment_responsibility_level_code=CODE,
    individual_relationship_code=CODE,
    claim_filing_indicator_code=CODE,
    insured=st.builds(
        model.OtherInsured, last_name=TEXT, identifier=TEXT, first_name=optional(TEXT)
    ),
    payer=st.builds(model.OtherPayer, organization_name=TEXT, identifier=TEXT),
    claim_adjustments=ADJUSTMENTS,
)
CLAIMS = st.builds(
    model.Claim,
    control_number=TEXT,
    trading_partner_service_id=TEXT,
    submitter=st.builds(model.Submitter, organization_name=TEXT),
    receiver_name=TEXT,
    subscriber=st.builds(
        model.Subscriber,
        member_id=TEXT,
        first_name=TEXT,
        last_name=TEXT,
        payment_responsibility_level_code=CODE,
        gender=optional(CODE),
        date_of_birth=st.none() | DATES,
        address=st.none() | ADDRESSES,
    ),
    providers=st.lists(PROVIDERS, max_size=3).map(tuple),
    claim_information=st.builds(
        model.ClaimInformation,
        claim_filing_code=CODE,
        patient_control_number=TEXT,
        claim_charge_amount=AMOUNT,
        place_of_service_code=CODE,
        claim_frequency_code=CODE,
        diagnoses=st.lists(st.builds(model.Diagnosis, type_code=CODE, code=TEXT), max_size=14).map(
            tuple
        ),
        service_lines=st.lists(LINES, max_size=3).map(tuple),
        payer_claim_control_number=optional(TEXT),
        other_subscribers=st.lists(OTHERS, max_size=1).map(tuple),
    ),
    dependent=st.none()
    | st.builds(
        model.Dependent,
        first_name=TEXT,
        last_name=TEXT,
        relationship_to_subscriber_code=CODE,
        gender=optional(CODE),
        date_of_birth=st.none() | DATES,
        address=st.none() | ADDRESSES,
    ),
)


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CLAIMS, DATES)
def test_scrub_never_raises_on_arbitrary_claims(claim: Claim, today: date) -> None:
    findings = scrub_claim(claim, today=today)

    for finding in findings:
        assert finding.code in EDITS
        assert finding.severity == SEVERITIES[finding.code]
        assert finding.field
