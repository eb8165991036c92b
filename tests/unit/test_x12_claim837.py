"""837P writer and reader: pyx12 as the oracle for what we write, round trips (contract
examples, hand-built secondary claims, generated claims), and every 837P sample file."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.model import (
    BILLING,
    PROVIDER_TYPES,
    REFERRING,
    RENDERING,
    Adjustment,
    Claim,
    Diagnosis,
    LineAdjudication,
    OtherPayer,
    OtherSubscriberInformation,
    Provider,
)
from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.errors import X12ReadError, X12WriteError
from chalicelib.x12.read.claim837p import Claim837, parse_837p
from chalicelib.x12.tokenizer import Delimiters
from chalicelib.x12.write.claim837p import render_837p
from chalicelib.x12.writer import DEFAULT_DELIMITERS, EnvelopeValues, format_r
from tests.conftest import CONTRACT, X12_SAMPLES
from tests.pyx12_oracle import validate_many
from tests.strategies import claims as generated_claims

SAMPLES = X12_SAMPLES
P837 = SAMPLES / "837P"
CREATED = datetime(2026, 11, 20, 10, 30)
CONTRACT_FILES = (
    "claim-basic.json",
    "claim-dependent.json",
    "claim-medicare-with-secondary.json",
    "claim-invalid.json",
)


# -- helpers ----------------------------------------------------------------------------


def contract_claim(name: str) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / name).read_text()).to_claim()


def envelope(usage: str = "T", implementation: str = "005010X222A1") -> EnvelopeValues:
    return EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id="CLAIMGATE",
        receiver_qualifier="ZZ",
        receiver_id="SANDBOXCH",
        interchange_control_number=101,
        group_control_number=7,
        date=date(2026, 11, 20),
        time="1030",
        usage_indicator=usage,
        functional_id="HC",
        implementation_reference=implementation,
    )


def render(
    claims: list[Claim],
    *,
    control: str | None = None,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    interchange: int = 101,
) -> str:
    return render_837p(
        claims,
        replace(envelope(claims[0].usage_indicator), interchange_control_number=interchange),
        submitter_id="MSFP01",
        receiver_id="SANDBOXCH",
        transaction_control_number=control or claims[0].control_number,
        reference_id="BATCH-0001",
        created_at=CREATED,
        delimiters=delimiters,
    )


def transaction_sets(data: bytes) -> list[TransactionSet]:
    return list(EnvelopeReader(data))


def read(text: str) -> list[Claim837]:
    return [item for ts in transaction_sets(text.encode()) for item in parse_837p(ts)]


def segments(text: str) -> list[str]:
    return [s for s in text.split("~") if s]


def assert_pyx12_clean(verdicts: dict[str, list[str]], key: str, text: str) -> None:
    errors = verdicts[key]
    shown = text.replace("~", "~\n")
    assert errors == [], "pyx12 found errors:\n" + "\n".join(errors) + "\n\nin:\n" + shown


def _regrouped(adjustments: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
    groups = list(dict.fromkeys(a.group_code for a in adjustments))
    return tuple(a for g in groups for a in adjustments if a.group_code == g)


def _carried_provider(provider: Provider) -> Provider:
    organization = provider.organization_name
    first = None if organization else provider.first_name
    last = None if organization else provider.last_name
    if provider.provider_type == BILLING:
        ssn = None if provider.employer_id else provider.ssn
        return replace(provider, first_name=first, last_name=last, ssn=ssn)
    bare = replace(provider, employer_id=None, ssn=None, contact=None)
    if provider.provider_type == RENDERING:
        return replace(bare, first_name=first, last_name=last, address=None)
    if provider.provider_type == REFERRING:
        return replace(bare, organization_name=None, taxonomy_code=None, address=None)
    return replace(bare, first_name=None, last_name=None, taxonomy_code=None)


def as_carried(claim: Claim) -> Claim:
    """What an 837P carries of `claim`, i.e. what reading it back must give. Each rule is a
    place where 005010X222A1 has no room for a domain value, or one canonical way to write it:

    - no trading partner name: 2010BB NM103 is required, the receiver name is written there;
    - providers come back in loop order (2010AA, 2310B, 2310A, 2310C) and only with what their
      loop holds: NM102 is a person or an organization (the organization wins), 2010AA has
      REF*EI or REF*SY (EI wins), 2310A/B/C have no tax id or contact, 2310A/C no PRV,
      2310A/B no address;
    - ICD-10 codes lose their decimal point (HI never has one);
    - a line place of service equal to CLM05-1 is not repeated in SV105 (TR3 2400 SV105);
    - DMG needs the birth date: no date, no gender; a date without gender is written U;
    - REF*F8 is sent for frequency 7 and 8 only ("do not send" otherwise);
    - CAS is one segment per group code, so adjustments come back grouped by group code.
    """
    info = claim.claim_information

    def dmg(birth: date | None, gender: str | None) -> str | None:
        return None if birth is None else gender or "U"

    lines = tuple(
        replace(
            line,
            place_of_service_code=None
            if line.place_of_service_code == info.place_of_service_code
            else line.place_of_service_code,
            line_adjudications=tuple(
                replace(a, adjustments=_regrouped(a.adjustments)) for a in line.line_adjudications
            ),
        )
        for line in claim.claim_information.service_lines
    )
    others = tuple(
        replace(o, claim_adjustments=_regrouped(o.claim_adjustments))
        for o in info.other_subscribers
    )
    order = {kind: i for i, kind in enumerate(PROVIDER_TYPES)}
    providers = sorted(claim.providers, key=lambda p: order[p.provider_type])
    subscriber = claim.subscriber
    dependent = claim.dependent
    return replace(
        claim,
        trading_partner_name=claim.trading_partner_name or claim.receiver_name,
        providers=tuple(_carried_provider(p) for p in providers),
        subscriber=replace(subscriber, gender=dmg(subscriber.date_of_birth, subscriber.gender)),
        dependent=None
        if dependent is None
        else replace(dependent, gender=dmg(dependent.date_of_birth, dependent.gender)),
        claim_information=replace(
            info,
            diagnoses=tuple(replace(d, code=d.code.replace(".", "")) for d in info.diagnoses),
            service_lines=lines,
            other_subscribers=others,
            payer_claim_control_number=info.payer_claim_control_number
            if info.claim_frequency_code in ("7", "8")
            else None,
        ),
    )


def round_trip(claim: Claim, delimiters: Delimiters = DEFAULT_DELIMITERS) -> Claim:
    """Render one claim, read it back; our own output must read without a finding."""
    (item,) = read(render([claim], delimiters=delimiters))
    assert item.error is None
    assert item.findings == ()
    assert item.claim is not None
    return item.claim


def secondary_claim() -> Claim:
    """The Medicare claim after Medicare paid: billed to the Medicaid secondary with the
    primary's adjudication (2320 CAS/AMT, 2330B DTP*573/REF*F8, 2430 per line)."""
    medicare = contract_claim("claim-medicare-with-secondary.json")
    info = medicare.claim_information
    primary = OtherSubscriberInformation(
        payment_responsibility_level_code="P",
        individual_relationship_code="18",
        claim_filing_indicator_code="MB",
        insured=replace(info.other_subscribers[0].insured, identifier="1EG4TE5MK73"),
        payer=OtherPayer(
            organization_name="Sandbox Medicare Part B",
            identifier="SBXMCR",
            claim_control_number="2226330512345",
            adjudication_date=date(2026, 12, 4),
        ),
        payer_paid_amount=Decimal("150.40"),
        claim_adjustments=(
            Adjustment("CO", "45", Decimal("56.20")),
            Adjustment("PR", "2", Decimal("37.60")),
            Adjustment("PR", "1", Decimal("0.80"), Decimal("1")),
        ),
        remaining_patient_liability=Decimal("38.40"),
    )
    paid = (Decimal("110.00"), Decimal("40.40"))
    lines = tuple(
        replace(
            line,
            line_adjudications=(
                LineAdjudication(
                    other_payer_primary_identifier="SBXMCR",
                    paid_amount=amount,
                    procedure_code=line.procedure_code,
                    procedure_modifiers=line.procedure_modifiers,
                    paid_unit_count=line.unit_count,
                    adjudication_date=date(2026, 12, 4),
                    adjustments=(
                        Adjustment("CO", "45", line.charge_amount - amount - Decimal("10.00")),
                        Adjustment("PR", "2", Decimal("10.00")),
                    ),
                ),
            ),
        )
        for line, amount in zip(info.service_lines, paid, strict=True)
    )
    return replace(
        medicare,
        trading_partner_service_id="SBXMCD",
        trading_partner_name="Sandbox State Medicaid",
        subscriber=replace(
            medicare.subscriber, member_id="MCD55512345", payment_responsibility_level_code="S"
        ),
        claim_information=replace(
            info, claim_filing_code="MC", service_lines=lines, other_subscribers=(primary,)
        ),
    )


# -- writing: pyx12 is the oracle -------------------------------------------------------


def contract_text(name: str) -> str:
    return render([contract_claim(name)], interchange=201 + CONTRACT_FILES.index(name))


def secondary_text() -> str:
    return render([secondary_claim()], interchange=211)


def several_claims() -> list[Claim]:
    """Two claims of Ada's, one of her son's, and one billed by another practice (a person
    billing under an SSN, no rendering provider)."""
    basic = contract_claim("claim-basic.json")
    second = replace(
        basic,
        claim_information=replace(basic.claim_information, patient_control_number="MSFP-9"),
    )
    solo = replace(
        basic.providers[0],
        npi="1245319599",
        organization_name=None,
        first_name="Lena",
        last_name="Ortiz",
        employer_id=None,
        ssn="123456789",
        contact=None,
    )
    other_practice = replace(
        basic,
        providers=(solo,),
        claim_information=replace(basic.claim_information, patient_control_number="LO-1"),
    )
    return [basic, contract_claim("claim-dependent.json"), other_practice, second]


def several_text() -> str:
    return render(several_claims(), control="0042", interchange=212)


OTHER_DELIMITERS = Delimiters(element="*", component=">", segment="~", repetition="|")


def other_delimiters_text() -> str:
    return render([secondary_claim()], delimiters=OTHER_DELIMITERS, interchange=213)


def broken_text() -> str:
    """The basic claim without its HI: the oracle must say so, or it proves nothing."""
    return render([contract_claim("claim-basic.json")], interchange=214).replace(
        "HI*ABK:E119*ABF:I10~", ""
    )


CLEAN_SAMPLES = ("demo.example1.837", "demo.cob.example3.B.837")


def clean_sample_text(name: str) -> str:
    """An IG example pyx12 accepts once labelled X222A1; ISA13 made unique for the batch."""
    control = f"{301 + CLEAN_SAMPLES.index(name):09d}"
    text = (P837 / name).read_text().replace("005010X222A2", "005010X222A1")
    return text.replace("*000000907*", f"*{control}*").replace(
        "IEA*1*000000907", f"IEA*1*{control}"
    )


def reread_sample_text(name: str) -> str:
    """The claim we read from a clean sample, written again."""
    (item,) = read(clean_sample_text(name))
    assert item.claim is not None
    return render(
        [replace(item.claim, usage_indicator="T")], interchange=311 + CLEAN_SAMPLES.index(name)
    )


@pytest.fixture(scope="module")
def verdicts() -> dict[str, list[str]]:
    """Everything this module asks pyx12, in one run: pyx12 spends its time loading its XML
    maps, so one run over every interchange costs what one small file does."""
    texts = {name: contract_text(name) for name in CONTRACT_FILES}
    texts |= {
        "secondary": secondary_text(),
        "several": several_text(),
        "delimiters": other_delimiters_text(),
        "broken": broken_text(),
    }
    texts |= {f"sample:{name}": clean_sample_text(name) for name in CLEAN_SAMPLES}
    texts |= {f"reread:{name}": reread_sample_text(name) for name in CLEAN_SAMPLES}
    return validate_many(texts)


def test_claim837_oracle_reports_a_missing_segment(verdicts: dict[str, list[str]]) -> None:
    assert verdicts["broken"] == [
        "ST 000000001: [4] SE count of 32 for SE02=000000001 is wrong. I count 31",
        'segment 21 HI (Health Care Diagnosis Code): [3] Mandatory segment "Health Care '
        'Diagnosis Code" (HI) missing',
    ]


@pytest.mark.parametrize("name", CONTRACT_FILES)
def test_claim837_contract_example_passes_pyx12(name: str, verdicts: dict[str, list[str]]) -> None:
    assert_pyx12_clean(verdicts, name, contract_text(name))


@pytest.mark.parametrize("name", CONTRACT_FILES)
def test_claim837_contract_example_round_trips(name: str) -> None:
    claim = contract_claim(name)
    assert round_trip(claim) == as_carried(claim)
    assert as_carried(claim) == claim  # the contract examples lose nothing


def test_claim837_basic_claim_segments() -> None:
    text = render([contract_claim("claim-basic.json")])
    found = segments(text)
    assert found[2] == "ST*837*000000001*005010X222A1"
    assert found[3] == "BHT*0019*00*BATCH-0001*20261120*1030*CH"
    assert "NM1*85*2*Maple Street Family Practice*****XX*1234567893" in found
    assert "REF*EI*371234567" in found
    assert "SBR*P*18*GRP7781******CI" in found
    assert "NM1*PR*2*Sandbox Commercial PPO*****PI*SBX01" in found
    assert "CLM*MSFP-2026-0001*245***11:B:1*Y*A*Y*Y" in found
    assert "HI*ABK:E119*ABF:I10" in found
    assert "SV1*HC:99214:25*185*UN*1***1:2" in found
    assert "REF*6R*MSFP-0001-2" in found
    st = found.index("ST*837*000000001*005010X222A1")
    se = next(i for i, s in enumerate(found) if s.startswith("SE*"))
    assert found[se] == f"SE*{se - st + 1}*000000001"
    assert found[-2:] == ["GE*1*7", "IEA*1*000000101"]


def test_claim837_dependent_has_hl22_with_child_23() -> None:
    found = segments(render([contract_claim("claim-dependent.json")]))
    hls = [s for s in found if s.startswith("HL*")]
    assert hls == ["HL*1**20*1", "HL*2*1*22*1", "HL*3*2*23*0"]
    at = found.index("HL*2*1*22*1")
    assert (
        found[at + 1] == "SBR*P**GRP7781******CI"
    )  # SBR02 blank: the patient is not the subscriber
    assert found[found.index("HL*3*2*23*0") + 1 : found.index("HL*3*2*23*0") + 6] == [
        "PAT*19",
        "NM1*QC*1*Quill*Milo",
        "N3*12 Elm St",
        "N4*Springfield*IL*627011234",
        "DMG*D8*20150901*M",
    ]


def test_claim837_medicare_with_secondary_has_2320_2330() -> None:
    found = segments(render([contract_claim("claim-medicare-with-secondary.json")]))
    at = found.index("SBR*S*18*******MC")  # 2320
    assert found[at + 1 : at + 4] == [
        "OI***Y***Y",
        "NM1*IL*1*Brandt*Walter****MI*MCD55512345",  # 2330A
        "NM1*PR*2*Sandbox State Medicaid*****PI*SBXMCD",  # 2330B
    ]
    assert found.index("HI*ABK:E119*ABF:I10") < at < found.index("LX*1")


def test_claim837_secondary_claim_carries_prior_adjudication(
    verdicts: dict[str, list[str]],
) -> None:
    claim = secondary_claim()
    text = secondary_text()
    found = segments(text)
    at = found.index("SBR*P*18*******MB")
    assert found[at : at + 9] == [
        "SBR*P*18*******MB",
        "CAS*CO*45*56.2",
        "CAS*PR*2*37.6**1*0.8*1",
        "AMT*D*150.4",
        "AMT*EAF*38.4",
        "OI***Y***Y",
        "NM1*IL*1*Brandt*Walter****MI*1EG4TE5MK73",
        "NM1*PR*2*Sandbox Medicare Part B*****PI*SBXMCR",
        "DTP*573*D8*20261204",
    ]
    assert found[at + 9] == "REF*F8*2226330512345"
    line = found.index("LX*1")
    assert found[line : line + 8] == [
        "LX*1",
        "SV1*HC:99214:25*185*UN*1***1:2",
        "DTP*472*D8*20261116",
        "REF*6R*MSFP-0001-1",
        "SVD*SBXMCR*110*HC:99214:25**1",
        "CAS*CO*45*65",
        "CAS*PR*2*10",
        "DTP*573*D8*20261204",
    ]
    assert_pyx12_clean(verdicts, "secondary", text)
    assert round_trip(claim) == claim


def test_claim837_several_claims_share_hl_loops(verdicts: dict[str, list[str]]) -> None:
    basic, dependent, other_practice, second = several_claims()
    text = several_text()
    found = segments(text)
    assert [s for s in found if s.startswith("HL*")] == [
        "HL*1**20*1",  # Maple Street
        "HL*2*1*22*0",  # Ada, two claims of her own
        "HL*3*1*22*1",  # Ada again, as the subscriber of Milo
        "HL*4*3*23*0",
        "HL*5**20*1",  # Dr Ortiz billing on her own
        "HL*6*5*22*0",
    ]
    assert [s.split("*")[1] for s in found if s.startswith("CLM*")] == [
        "MSFP-2026-0001",
        "MSFP-9",
        "MSFP-2026-0003",
        "LO-1",
    ]
    assert "NM1*85*1*Ortiz*Lena****XX*1245319599" in found
    assert "REF*SY*123456789" in found
    assert_pyx12_clean(verdicts, "several", text)
    items = read(text)
    assert [item.claim for item in items] == [
        replace(c, control_number="0042") for c in (basic, second, dependent, other_practice)
    ]


def test_claim837_other_delimiters_round_trip(verdicts: dict[str, list[str]]) -> None:
    """ISA16 ">" and ISA11 "|" as in the Medicaid sample: the reader follows the ISA."""
    claim = secondary_claim()
    text = other_delimiters_text()
    assert "SV1*HC>99214>25*185*UN*1***1>2" in segments(text)
    assert_pyx12_clean(verdicts, "delimiters", text)
    assert round_trip(claim, OTHER_DELIMITERS) == claim


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("245.00", "245"),
        ("185.50", "185.5"),
        ("0.00", "0"),
        ("-0.00", "0"),
        ("-1.50", "-1.5"),
        ("1E+2", "100"),
        ("0.005", "0.005"),
        ("120", "120"),
    ],
)
def test_claim837_amount_is_x12_decimal(amount: str, written: str) -> None:
    assert format_r(Decimal(amount), field="x") == written


def test_claim837_amount_not_finite_is_refused() -> None:
    with pytest.raises(X12WriteError) as caught:
        format_r(Decimal("NaN"), field="claimInformation.claimChargeAmount")
    assert caught.value.field == "claimInformation.claimChargeAmount"


def _with_info(claim: Claim, **changes: Any) -> Claim:
    return replace(claim, claim_information=replace(claim.claim_information, **changes))


def _with_line(claim: Claim, **changes: Any) -> Claim:
    lines = claim.claim_information.service_lines
    return _with_info(claim, service_lines=(replace(lines[0], **changes), *lines[1:]))


BASIC = contract_claim("claim-basic.json")


@pytest.mark.parametrize(
    ("claim", "field"),
    [
        (
            replace(BASIC, subscriber=replace(BASIC.subscriber, last_name="QUILL*JR")),
            "subscriber.lastName",
        ),
        (
            _with_line(BASIC, procedure_code="99214:59"),
            "claimInformation.serviceLines[0].professionalService.procedureCode",
        ),
        (
            _with_info(BASIC, patient_control_number="MSFP~1"),
            "claimInformation.patientControlNumber",
        ),
        (
            _with_line(BASIC, procedure_modifiers=("25", "5^9")),
            "claimInformation.serviceLines[0].professionalService.procedureModifiers[1]",
        ),
        (
            replace(
                BASIC, providers=(replace(BASIC.providers[0], npi="12345*7893"), BASIC.providers[1])
            ),
            "providers[0].npi",
        ),
        (
            _with_info(BASIC, diagnoses=(Diagnosis("ABK", "E11:9"),)),
            "claimInformation.healthCareCodeInformation[0].diagnosisCode",
        ),
        (
            replace(BASIC, submitter=replace(BASIC.submitter, organization_name="A\nB")),
            "submitter.organizationName",
        ),
    ],
)
def test_claim837_delimiter_in_value_names_the_field(claim: Claim, field: str) -> None:
    with pytest.raises(X12WriteError) as caught:
        render([claim])
    assert caught.value.field == field


def test_claim837_delimiter_error_names_the_claim_in_a_batch() -> None:
    bad = replace(BASIC, subscriber=replace(BASIC.subscriber, first_name="A*B"))
    with pytest.raises(X12WriteError) as caught:
        render([BASIC, bad])
    assert caught.value.field == "claims[1].subscriber.firstName"


DEPENDENT = contract_claim("claim-dependent.json")
MEDICARE = contract_claim("claim-medicare-with-secondary.json")


@pytest.mark.parametrize(
    ("claim", "field"),
    [
        (replace(BASIC, providers=BASIC.providers[1:]), "providers"),
        (
            replace(BASIC, providers=(*BASIC.providers, BASIC.providers[1])),
            "providers[2]",
        ),
        (
            replace(
                BASIC, providers=(replace(BASIC.providers[0], address=None), BASIC.providers[1])
            ),
            "providers[0].address",
        ),
        (
            replace(
                BASIC, providers=(replace(BASIC.providers[0], employer_id=None), BASIC.providers[1])
            ),
            "providers[0].employerId",
        ),
        (
            _with_info(BASIC, diagnoses=(Diagnosis("ABF", "I10"), Diagnosis("ABK", "E119"))),
            "claimInformation.healthCareCodeInformation[0].diagnosisTypeCode",
        ),
        (
            _with_info(
                BASIC, diagnoses=(Diagnosis("ABK", "E119"),) + (Diagnosis("ABF", "I10"),) * 12
            ),
            "claimInformation.healthCareCodeInformation",
        ),
        (_with_info(BASIC, claim_frequency_code="7"), "claimInformation.payerClaimControlNumber"),
        (
            _with_line(BASIC, diagnosis_pointers=()),
            "claimInformation.serviceLines[0].professionalService.compositeDiagnosisCodePointers.diagnosisCodePointers",
        ),
        (
            _with_line(BASIC, procedure_modifiers=("25", "59", "XU", "76", "77")),
            "claimInformation.serviceLines[0].professionalService.procedureModifiers",
        ),
        (
            replace(DEPENDENT, dependent=replace(DEPENDENT.dependent, address=None))
            if DEPENDENT.dependent
            else DEPENDENT,
            "dependent.address",
        ),
        (
            replace(BASIC, subscriber=replace(BASIC.subscriber, date_of_birth=None)),
            "subscriber.dateOfBirth",
        ),
        (
            _with_line(
                MEDICARE,
                line_adjudications=(
                    LineAdjudication("NOPAYER", Decimal(1), "99214", Decimal(1), date(2026, 12, 4)),
                ),
            ),
            "claimInformation.serviceLines[0].lineAdjudicationInformation[0].otherPayerPrimaryIdentifier",
        ),
        (
            _with_line(BASIC, service_date_end=date(2026, 11, 1)),
            "claimInformation.serviceLines[0].serviceDateEnd",
        ),
    ],
    ids=[
        "no-billing-provider",
        "two-rendering-providers",
        "billing-without-address",
        "billing-without-tax-id",
        "principal-not-first",
        "thirteen-diagnoses",
        "replacement-without-payer-ccn",
        "no-diagnosis-pointer",
        "five-modifiers",
        "dependent-without-address",
        "patient-subscriber-without-birth-date",
        "svd-payer-not-in-2330b",
        "service-period-backwards",
    ],
)
def test_claim837_refuses_what_would_be_invalid(claim: Claim, field: str) -> None:
    with pytest.raises(X12WriteError) as caught:
        render([claim], control="0001")
    assert caught.value.field == field


def test_claim837_refuses_a_test_claim_in_a_production_interchange() -> None:
    with pytest.raises(X12WriteError) as caught:
        render_837p(
            [BASIC],
            envelope("P"),
            submitter_id="S",
            receiver_id="R",
            transaction_control_number="0001",
            reference_id="B",
            created_at=CREATED,
        )
    assert caught.value.field == "usageIndicator"


def test_claim837_refuses_mixed_submitters_and_wrong_envelope() -> None:
    other = replace(BASIC, submitter=replace(BASIC.submitter, organization_name="Other"))
    with pytest.raises(X12WriteError) as caught:
        render([BASIC, other])
    assert caught.value.field == "claims[1].submitter"
    with pytest.raises(X12WriteError) as caught:
        render_837p(
            [BASIC],
            envelope(implementation="005010X223A2"),
            submitter_id="S",
            receiver_id="R",
            transaction_control_number=1,
            reference_id="B",
            created_at=CREATED,
        )
    assert caught.value.field == "envelope.implementation_reference"


def test_claim837_splits_more_than_six_adjustments_of_a_group() -> None:
    info = MEDICARE.claim_information
    reasons = ("45", "42", "94", "97", "B7", "253", "59")
    other = replace(
        info.other_subscribers[0],
        payer_paid_amount=Decimal("1"),
        claim_adjustments=tuple(Adjustment("CO", r, Decimal("1")) for r in reasons),
    )
    claim = _with_info(MEDICARE, other_subscribers=(other,))
    found = segments(render([claim]))
    assert [s for s in found if s.startswith("CAS")] == [
        "CAS*CO*45*1**42*1**94*1**97*1**B7*1**253*1",
        "CAS*CO*59*1",
    ]
    assert round_trip(claim) == claim


# -- round trips of generated claims ----------------------------------------------------


def test_claim837_generated_claims_round_trip_and_pass_pyx12() -> None:
    """Generated claims read back as `as_carried` says; the first 25 of them also go through
    pyx12, in one run (generating claims costs far more than validating them)."""
    rendered: dict[str, str] = {}

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(generated_claims())
    def round_trips(claim: Claim) -> None:
        assert round_trip(claim) == as_carried(claim)
        if len(rendered) < 25:
            rendered[str(len(rendered))] = render([claim], interchange=700 + len(rendered))

    round_trips()
    failures = {key: errors for key, errors in validate_many(rendered).items() if errors}
    shown = "\n\n".join(
        "\n".join(errors) + "\nin:\n" + rendered[key].replace("~", "~\n")
        for key, errors in failures.items()
    )
    assert not failures, "pyx12 found errors:\n" + shown


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_claim837_damaged_file_reads_or_raises_x12_read_error(data: st.DataObject) -> None:
    """Delete, repeat or blank out segments and elements of a good file: the reader still only
    returns claims (with findings or a located error) or raises X12ReadError."""
    text = render([secondary_claim()])
    found = segments(text)
    body = list(range(3, len(found) - 3))  # keep ISA/GS/ST and SE/GE/IEA
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.sampled_from(body))
        action = data.draw(st.sampled_from(["drop", "repeat", "blank"]))
        elements = found[at].split("*")
        if action == "drop":
            found[at] = "NTE*ADD*DROPPED"
        elif action == "repeat":
            found[at + 1] = found[at]
        elif len(elements) > 1:
            elements[data.draw(st.integers(1, len(elements) - 1))] = ""
            found[at] = "*".join(elements)
    damaged = "~".join(found) + "~"
    try:
        items = read(damaged)
    except X12ReadError:
        return
    for item in items:
        assert (item.claim is None) == (item.error is not None)


# -- reading: the 837P samples ----------------------------------------------------------


def sample(name: str) -> tuple[list[TransactionSet], list[Claim837]]:
    sets = transaction_sets((P837 / name).read_bytes())
    return sets, [item for ts in sets for item in parse_837p(ts)]


def codes(item: Claim837) -> Counter[str]:
    return Counter(f.code for f in item.findings)


def located(item: Claim837, code: str) -> list[tuple[int | None, str | None, int | None]]:
    return [
        (f.segment_index, f.segment_id, f.element_position) for f in item.findings if f.code == code
    ]


# file: (transaction sets, claims, claims that fail)
SAMPLE_COUNTS = {
    "Example1_2_And_3_Combined.txt": (2, 3, 1),
    "MedicaidExample.txt": (1, 5, 0),
    "MissingEntityCode.txt": (1, 5, 0),
    "ST1309-XX.txt": (1, 1, 0),
    "demo.cob.example3.B.837": (1, 1, 0),
    "demo.example1.837": (1, 1, 0),
    "x12_complex.txt": (2, 6, 0),
    "x12_loop_errors3_missing_loops.txt": (1, 1, 1),
    "x12_many_claims.txt": (1, 820, 0),
    "x12_missing_elements.txt": (1, 2, 1),
    "x12_multiple_gs.txt": (3, 6, 0),
    "x12_segment_errors.txt": (1, 1, 0),
}


def test_claim837_every_837p_sample_is_listed() -> None:
    assert sorted(p.name for p in P837.iterdir()) == sorted(SAMPLE_COUNTS)


@pytest.mark.parametrize("name", sorted(SAMPLE_COUNTS))
def test_claim837_sample_counts(name: str) -> None:
    sets, items = sample(name)
    expected_sets, expected_claims, expected_failures = SAMPLE_COUNTS[name]
    assert (len(sets), len(items)) == (expected_sets, expected_claims)
    assert sum(item.error is not None for item in items) == expected_failures
    for item in items:
        assert (item.claim is None) == (item.error is not None)
        if item.claim is not None:
            assert (
                item.claim.claim_information.patient_control_number == item.patient_control_number
            )


def test_claim837_sample_many_claims() -> None:
    sets, items = sample("x12_many_claims.txt")
    assert Counter(item.patient_control_number for item in items) == {
        "A37YH556": 410,
        "A37YH667": 410,
    }
    claims = [item.claim for item in items if item.claim is not None]
    assert sum(c.claim_information.claim_charge_amount for c in claims) == Decimal("410000")
    assert all(codes(item)["hi_composite_malformed"] == 2 for item in items)
    assert [f.code for f in sets[0].findings] == ["se_count_mismatch"]


def test_claim837_sample_malformed_hi_is_read_as_meant_with_findings() -> None:
    _, items = sample("x12_complex.txt")
    first = items[0]
    assert first.claim is not None
    assert first.claim.claim_information.diagnoses == (
        Diagnosis("BK", "8901"),
        Diagnosis("BF", "87200"),
        Diagnosis("BF", "5559"),
    )
    assert located(first, "hi_composite_malformed") == [(28, "HI", 1), (28, "HI", 3)]
    assert [item.patient_control_number for item in items] == [
        "A37YH556",
        "A37YH667",
        "A37YH668",
    ] * 2
    last = items[-1].claim
    assert last is not None
    assert last.claim_information.diagnoses[0] == Diagnosis("BK", "1989")
    # Three 2320 loops on the first claim; line-level COB on the second.
    assert [o.payer.organization_name for o in first.claim.claim_information.other_subscribers] == [
        "2330B1",
        "2330B3",
        "2330B4",
    ]
    second = items[1].claim
    assert second is not None and second.dependent is not None
    (adjudication,) = second.claim_information.service_lines[0].line_adjudications
    assert (adjudication.other_payer_primary_identifier, adjudication.paid_amount) == (
        "43",
        Decimal("55"),
    )
    assert ("element_invalid", 127) in {(f.code, f.segment_index) for f in items[1].findings}
    assert ("hl_structure", 66) in {(f.code, f.segment_index) for f in items[1].findings}


def test_claim837_sample_missing_elements() -> None:
    _, (first, second) = sample("x12_missing_elements.txt")
    assert first.claim is not None
    assert located(first, "element_missing") == [(7, "NM1", 2)]  # 1000B NM102
    assert second.claim is None and second.error is not None
    assert (second.error.segment_index, second.error.segment_id) == (31, "CLM")
    assert second.error.element_position == 5
    assert second.patient_control_number == "A37YH667"


def test_claim837_sample_segment_errors() -> None:
    sets, (item,) = sample("x12_segment_errors.txt")
    assert item.claim is not None
    billing = item.claim.provider(BILLING)
    assert billing is not None and billing.address is None and billing.employer_id == "123456789"
    assert located(item, "segment_missing") == [(10, "N4", None), (21, "CLM", None)]
    assert located(item, "segment_repeated") == [(12, "REF", None)]
    assert item.claim.claim_information.diagnoses == ()
    assert [f.code for f in sets[0].findings] == ["se_count_mismatch"]


def test_claim837_sample_missing_billing_provider_loop() -> None:
    _, (item,) = sample("x12_loop_errors3_missing_loops.txt")
    assert item.claim is None and item.error is not None
    assert (item.error.segment_index, item.error.segment_id) == (8, "HL")
    assert "2010AA" in item.error.message


def test_claim837_sample_medicaid_uses_the_isa16_component_separator() -> None:
    _, items = sample("MedicaidExample.txt")
    claims = [item.claim for item in items if item.claim is not None]
    assert len(claims) == 5
    info = claims[0].claim_information
    assert (info.place_of_service_code, info.claim_frequency_code) == ("99", "9")
    assert [(line.procedure_identifier, line.procedure_code) for line in info.service_lines] == [
        ("XX", "99999"),
        ("XX", "X9999"),
    ]
    assert info.service_lines[0].service_date_end == info.service_lines[0].service_date
    assert info.referral_number == "99999999"
    for item in items:
        assert codes(item)["segment_missing"] == 1  # no HI
        assert codes(item)["element_missing"] == 2  # no SV107 on either line
    _, missing = sample("MissingEntityCode.txt")
    assert (25, "NM1", 1) in located(missing[0], "element_missing")
    assert [i.claim for i in missing] == [i.claim for i in items]


def test_claim837_sample_cr_terminated() -> None:
    _, (item,) = sample("ST1309-XX.txt")
    claim = item.claim
    assert claim is not None
    assert claim.claim_information.claim_charge_amount == Decimal("360")
    assert claim.dependent is not None and claim.dependent.last_name == "JONES"
    assert [line.provider_control_number for line in claim.claim_information.service_lines] == [
        "17053",
        "17054",
    ]
    (other,) = claim.claim_information.other_subscribers
    assert (other.individual_relationship_code, other.payer.identifier) == ("19", "11111")
    assert set(codes(item)) == {"not_carried"}


def test_claim837_sample_ig_cob_example() -> None:
    _, (item,) = sample("demo.cob.example3.B.837")
    claim = item.claim
    assert claim is not None
    (other,) = claim.claim_information.other_subscribers
    assert other.claim_adjustments == (
        Adjustment("PR", "1", Decimal("21.89")),
        Adjustment("PR", "2", Decimal("15.00")),
    )
    assert (other.payer_paid_amount, other.remaining_patient_liability) == (
        Decimal("39.15"),
        Decimal("36.89"),
    )
    lines = claim.claim_information.service_lines
    assert [line.line_adjudications[0].paid_amount for line in lines] == [
        Decimal("40"),
        Decimal("15"),
        Decimal("21.04"),
    ]
    assert lines[0].line_adjudications[0].adjustments == (Adjustment("CO", "42", Decimal("3")),)
    assert located(item, "implementation_reference") == [(3, "ST", 3)]


def test_claim837_sample_ig_examples_combined() -> None:
    _, items = sample("Example1_2_And_3_Combined.txt")
    assert [item.patient_control_number for item in items] == ["26463774", "26407789", "26462967"]
    failed = items[1]
    assert failed.error is not None
    # SBR*P*******CI puts CI in SBR08 (pyx12: "SBR08 is marked as Not Used").
    assert (failed.error.segment_index, failed.error.element_position) == (54, 9)
    assert items[0].claim is not None and items[2].claim is not None
    assert items[2].claim.dependent is None
    assert items[2].claim.control_number == "0022"


@pytest.mark.parametrize("name", CLEAN_SAMPLES)
def test_claim837_agrees_with_pyx12_on_clean_samples(
    name: str, verdicts: dict[str, list[str]]
) -> None:
    """The IG examples pyx12 accepts (once relabelled X222A1) read without an error or a
    defect finding, and what we read, written again, is accepted by pyx12 too."""
    assert verdicts[f"sample:{name}"] == []
    (item,) = read(clean_sample_text(name))
    assert item.claim is not None
    assert set(codes(item)) == {"not_carried"}
    assert_pyx12_clean(verdicts, f"reread:{name}", reread_sample_text(name))


def test_claim837_rejects_837i() -> None:
    for path in sorted((SAMPLES / "837I").iterdir()):
        for ts in transaction_sets(path.read_bytes()):
            with pytest.raises(X12ReadError) as caught:
                parse_837p(ts)
            assert (caught.value.segment_id, caught.value.element_position) == ("ST", 3)
            assert "837I" in caught.value.message


def test_claim837_rejects_other_transactions_with_located_errors() -> None:
    """Any sample that is not an 837 is refused at its ST, never with another exception."""
    for path in sorted(SAMPLES.rglob("*")):
        if not path.is_file() or path.parent.name in ("837P", "837I") or path.suffix == ".md":
            continue
        try:
            sets = transaction_sets(path.read_bytes())
        except X12ReadError:
            continue  # a truncated or broken envelope: the envelope reader's business
        for ts in sets:
            with pytest.raises(X12ReadError, match="is not an 837"):
                parse_837p(ts)


def test_claim837_header_without_submitter_raises() -> None:
    text = render([BASIC])
    broken = re.sub(r"NM1\*41\*[^~]*~PER\*[^~]*~", "", text)
    with pytest.raises(X12ReadError, match="1000A"):
        read(broken)
