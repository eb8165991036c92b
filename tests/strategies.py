"""Hypothesis strategies for valid domain claims with realistic shapes: 10-digit NPIs, ICD-10
codes without the dot, CPT/HCPCS codes, two-place Decimal money, 1-50 lines, 1-12 diagnoses,
an optional dependent and optional other payers with their adjudication.

"Valid" means what the 837P writer needs to write them (a billing provider with an address
and a tax id, the principal diagnosis first, pointers into the diagnosis list ...), not that
every value would pass the scrub.
"""

from __future__ import annotations

import string
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from chalicelib.claims.model import (
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
    OtherInsured,
    OtherPayer,
    OtherSubscriberInformation,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
)

UPPER = string.ascii_uppercase
DIGITS = string.digits


def _text(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size)


def words(max_words: int = 3) -> st.SearchStrategy[str]:
    """Names as practice systems send them: letters in mixed case, single spaces inside."""
    word = _text(string.ascii_letters, 1, 12)
    return st.lists(word, min_size=1, max_size=max_words).map(" ".join)


def digits(size: int) -> st.SearchStrategy[str]:
    return _text(DIGITS, size, size)


def money(low: str = "0.01", high: str = "9999.99") -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2)


def days(
    start: date = date(2015, 10, 1), end: date = date(2030, 12, 31)
) -> st.SearchStrategy[date]:
    return st.dates(min_value=start, max_value=end)


npis = digits(10)
icd10 = st.builds(
    lambda letter, head, tail: f"{letter}{head}{tail}",
    st.sampled_from(UPPER.replace("U", "")),
    digits(2),
    _text(DIGITS + "XAB", 0, 4),
)
procedure_codes = st.one_of(
    digits(5), st.builds(lambda a, b: a + b, st.sampled_from("AGJ"), digits(4))
)
modifiers = _text(UPPER + DIGITS, 2, 2)
places_of_service = st.sampled_from(["11", "12", "19", "21", "22", "23", "31", "81", "02"])
genders = st.sampled_from(["F", "M", "U"])
group_codes = st.sampled_from(["CO", "PR", "OA", "PI", "CR"])
reasons = st.sampled_from(["1", "2", "3", "45", "42", "23", "96", "97", "253", "B7"])
units = st.one_of(
    st.integers(1, 99).map(Decimal), st.sampled_from([Decimal("0.5"), Decimal("1.5")])
)
control_numbers = _text(DIGITS, 4, 9)
payer_ids = _text(UPPER + DIGITS, 2, 10)

states = st.sampled_from(["IL", "NY", "CA", "TX", "FL", "MD", "NJ", "CT", "MO", "WA", "PR"])
cities = st.builds(
    lambda a, b: f"{a} {b}" if b else a,
    _text(string.ascii_letters, 2, 12),
    st.just("") | _text(string.ascii_letters, 2, 10),
)
addresses = st.builds(
    Address,
    address1=st.builds(lambda n, s: f"{n} {s}", st.integers(1, 9999), words(2)),
    address2=st.none() | st.builds(lambda n: f"STE {n}", st.integers(1, 999)),
    city=cities,
    state=states,
    postal_code=digits(5) | digits(9),
)
contacts = st.builds(
    Contact,
    name=words(2),
    phone_number=digits(10),
    email=st.none() | st.builds(lambda u: f"{u.lower()}@example.com", _text(UPPER, 1, 10)),
)


@st.composite
def providers(draw: st.DrawFn) -> tuple[Provider, ...]:
    """Billing always; rendering, referring and facility sometimes, each carrying only what
    its loop carries (2310A person only, 2310C organization with address)."""
    person = draw(st.booleans())
    last, first = draw(words(1)), draw(words(1))
    billing = Provider(
        provider_type=BILLING,
        npi=draw(npis),
        organization_name=None if person else draw(words()),
        first_name=first if person else None,
        last_name=last if person else None,
        employer_id=draw(st.none() | digits(9)),
        taxonomy_code=draw(st.none() | _text(DIGITS + "X", 10, 10)),
        address=draw(addresses),
        contact=draw(st.none() | contacts),
    )
    if billing.employer_id is None:
        billing = replace(billing, ssn=draw(digits(9)))
    found = [billing]
    if draw(st.booleans()):
        organization = draw(st.booleans())
        found.append(
            Provider(
                provider_type=RENDERING,
                npi=draw(npis),
                organization_name=draw(words()) if organization else None,
                first_name=None if organization else draw(words(1)),
                last_name=None if organization else draw(words(1)),
                taxonomy_code=draw(st.none() | _text(DIGITS + "X", 10, 10)),
            )
        )
    if draw(st.booleans()):
        found.append(
            Provider(
                provider_type=REFERRING,
                npi=draw(npis),
                first_name=draw(st.none() | words(1)),
                last_name=draw(words(1)),
            )
        )
    if draw(st.booleans()):
        found.append(
            Provider(
                provider_type=SERVICE_FACILITY,
                npi=draw(npis),
                organization_name=draw(words()),
                address=draw(addresses),
            )
        )
    return tuple(found)


adjustments = st.builds(
    Adjustment,
    group_code=group_codes,
    reason_code=reasons,
    amount=money("-999.99", "999.99"),
    quantity=st.none() | st.integers(1, 9).map(Decimal),
)


@st.composite
def other_subscribers(draw: st.DrawFn) -> tuple[OtherSubscriberInformation, ...]:
    """0-2 other payers with distinct ids; some already adjudicated the claim."""
    ids = draw(st.lists(payer_ids, min_size=0, max_size=2, unique=True))
    found: list[OtherSubscriberInformation] = []
    for payer_id in ids:
        adjudicated = draw(st.booleans())
        found.append(
            OtherSubscriberInformation(
                payment_responsibility_level_code=draw(st.sampled_from("PST")),
                individual_relationship_code=draw(st.sampled_from(["18", "01", "19", "20", "G8"])),
                claim_filing_indicator_code=draw(st.sampled_from(["MB", "MC", "CI", "BL", "HM"])),
                insured=OtherInsured(
                    last_name=draw(words(1)),
                    first_name=draw(st.none() | words(1)),
                    identifier=draw(_text(UPPER + DIGITS, 5, 15)),
                ),
                payer=OtherPayer(
                    organization_name=draw(words()),
                    identifier=payer_id,
                    claim_control_number=draw(digits(12)) if adjudicated else None,
                    adjudication_date=draw(days()) if adjudicated else None,
                ),
                benefits_assignment_certification_indicator=draw(st.sampled_from("YNW")),
                release_of_information_code=draw(st.sampled_from("YI")),
                group_number=draw(st.none() | _text(UPPER + DIGITS, 3, 12)),
                payer_paid_amount=draw(money("0.00")) if adjudicated else None,
                claim_adjustments=tuple(draw(st.lists(adjustments, max_size=6)))
                if adjudicated
                else (),
                remaining_patient_liability=draw(st.none() | money("0.00")),
            )
        )
    return tuple(found)


@st.composite
def service_lines(
    draw: st.DrawFn, diagnosis_count: int, others: tuple[OtherSubscriberInformation, ...]
) -> ServiceLine:
    start = draw(days())
    adjudicated = [o.payer.identifier for o in others if o.payer.adjudication_date is not None]
    return ServiceLine(
        service_date=start,
        service_date_end=draw(st.none() | st.integers(0, 30).map(lambda n: start + timedelta(n))),
        procedure_code=draw(procedure_codes),
        procedure_modifiers=tuple(draw(st.lists(modifiers, max_size=4))),
        charge_amount=draw(money()),
        measurement_unit=draw(st.sampled_from(["UN", "MJ"])),
        unit_count=draw(units),
        place_of_service_code=draw(st.none() | places_of_service),
        diagnosis_pointers=tuple(
            draw(st.lists(st.integers(1, diagnosis_count), min_size=1, max_size=4, unique=True))
        ),
        provider_control_number=draw(st.none() | _text(UPPER + DIGITS + "-", 1, 30)),
        line_adjudications=tuple(
            LineAdjudication(
                other_payer_primary_identifier=payer_id,
                paid_amount=draw(money("0.00")),
                procedure_code=draw(procedure_codes),
                procedure_modifiers=tuple(draw(st.lists(modifiers, max_size=4))),
                paid_unit_count=draw(units),
                adjudication_date=draw(days()),
                adjustments=tuple(draw(st.lists(adjustments, max_size=6))),
                bundled_line_number=draw(st.none() | st.integers(1, 50)),
            )
            for payer_id in adjudicated
            if draw(st.booleans())
        ),
    )


@st.composite
def claims(draw: st.DrawFn) -> Claim:
    """A claim the 837P writer accepts; its charge is the sum of its lines."""
    diagnosis_count = draw(st.integers(1, 12))
    codes = draw(st.lists(icd10, min_size=diagnosis_count, max_size=diagnosis_count))
    diagnoses = tuple(
        Diagnosis(type_code="ABK" if i == 0 else "ABF", code=code) for i, code in enumerate(codes)
    )
    others = draw(other_subscribers())
    lines = tuple(draw(st.lists(service_lines(diagnosis_count, others), min_size=1, max_size=50)))
    dependent = draw(
        st.none()
        | st.builds(
            Dependent,
            first_name=words(1),
            last_name=words(1),
            relationship_to_subscriber_code=st.sampled_from(["01", "19", "20", "21", "G8"]),
            gender=st.none() | genders,
            date_of_birth=days(date(1920, 1, 1), date(2025, 12, 31)),
            address=addresses,
        )
    )
    patient = dependent is None
    frequency = draw(st.sampled_from("178"))
    birth = draw(days(date(1920, 1, 1), date(2008, 12, 31)))
    subscriber = Subscriber(
        member_id=draw(_text(UPPER + DIGITS, 5, 20)),
        first_name=draw(words(1)),
        last_name=draw(words(2)),
        payment_responsibility_level_code=draw(st.sampled_from("PST")),
        gender=draw(st.none() | genders),
        date_of_birth=birth if patient else draw(st.none() | st.just(birth)),
        group_number=draw(st.none() | _text(UPPER + DIGITS + "-", 3, 15)),
        address=draw(addresses) if patient else draw(st.none() | addresses),
    )
    return Claim(
        control_number=draw(control_numbers),
        trading_partner_service_id=draw(payer_ids),
        trading_partner_name=draw(st.none() | words()),
        usage_indicator=draw(st.sampled_from("TP")),
        submitter=Submitter(organization_name=draw(words()), contact=draw(contacts)),
        receiver_name=draw(words()),
        subscriber=subscriber,
        dependent=dependent,
        providers=draw(providers()),
        claim_information=ClaimInformation(
            claim_filing_code=draw(st.sampled_from(["CI", "MB", "MC", "BL", "HM", "12"])),
            patient_control_number=draw(_text(UPPER + DIGITS + "-", 1, 20)),
            claim_charge_amount=sum((line.charge_amount for line in lines), Decimal("0.00")),
            place_of_service_code=draw(places_of_service),
            claim_frequency_code=frequency,
            signature_indicator=draw(st.sampled_from("YN")),
            plan_participation_code=draw(st.sampled_from("ABC")),
            benefits_assignment_certification_indicator=draw(st.sampled_from("YNW")),
            release_information_code=draw(st.sampled_from("YI")),
            prior_authorization_number=draw(st.none() | _text(UPPER + DIGITS, 4, 20)),
            referral_number=draw(st.none() | _text(UPPER + DIGITS, 4, 20)),
            payer_claim_control_number=draw(digits(14)) if frequency in "78" else None,
            diagnoses=diagnoses,
            service_lines=lines,
            other_subscribers=others,
        ),
    )
