"""Text outside the X12 5010 character set is transliterated before it is written, so every
837P passes pyx12 whatever the patient's name; delimiters stay a field-level error."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.claims.model import Address, Claim
from chalicelib.x12.charset import EXTENDED, is_x12_text, to_x12_text
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.writer import check_value
from tests.pyx12_oracle import validate_many
from tests.strategies import claims as generated_claims
from tests.unit.test_x12_claim837 import render


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Nuñez", "Nunez"),
        ("José María Peña", "Jose Maria Pena"),
        ("Nguyễn Thị Đặng", "Nguyen Thi Dang"),
        ("Đà Nẵng", "Da Nang"),
        ("Müller-Straße 7", "Muller-Strasse 7"),
        ("Søren Ærøskøbing", "Soren AEroskobing"),
        ("Þórður Łukasz", "THordur Lukasz"),
        ("O’Brien – Jr.", "O'Brien - Jr."),
        ("Ｍａｒｙ", "Mary"),
        ("Ada 🙂 Quill", "Ada Quill"),
        ("李 Wei", "Wei"),
        ("Plain ASCII, 12 Elm St.", "Plain ASCII, 12 Elm St."),
    ],
)
def test_x12_charset_transliterates(text: str, written: str) -> None:
    assert to_x12_text(text) == written
    assert is_x12_text(written)


@given(st.text())
def test_x12_charset_result_is_always_in_the_extended_set(text: str) -> None:
    assert set(to_x12_text(text)) <= EXTENDED


def test_x12_charset_delimiters_and_control_characters_stay_errors() -> None:
    with pytest.raises(X12WriteError, match="delimiter"):
        check_value("Qu*ill", field="subscriber.lastName")
    with pytest.raises(X12WriteError, match="delimiter"):
        check_value("Qu＊ill", field="subscriber.lastName")  # a full-width asterisk folds to *
    with pytest.raises(X12WriteError, match="control"):
        check_value("Qu\x00ill", field="subscriber.lastName")
    assert check_value("Nuñez", field="subscriber.lastName") == "Nunez"


def letters(longest: int, shortest: int = 1) -> st.SearchStrategy[str]:
    """Unicode letters and spaces whose X12 spelling has `shortest` to `longest` characters
    (a letter may take two: ß is ss): the element limits are another edit's business."""
    return st.text(
        alphabet=st.characters(categories=["L"]) | st.just(" "), min_size=1, max_size=longest
    ).filter(lambda text: shortest <= len(to_x12_text(text)) <= longest)


def with_names(claim: Claim, first: str, last: str, city: str, street: str) -> Claim:
    address = Address(address1=street, city=city, state="IL", postal_code="62701")
    subscriber = replace(claim.subscriber, first_name=first, last_name=last, address=address)
    dependent = (
        replace(claim.dependent, last_name=last, address=address) if claim.dependent else None
    )
    return replace(claim, subscriber=subscriber, dependent=dependent)


def test_x12_charset_unicode_names_and_addresses_pass_pyx12() -> None:
    rendered: dict[str, str] = {}

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(generated_claims(), letters(35), letters(60), letters(30, shortest=2), letters(55))
    def render_one(claim: Claim, first: str, last: str, city: str, street: str) -> None:
        text = render(
            [with_names(claim, first, last, city, street)], interchange=900 + len(rendered)
        )
        rendered[str(len(rendered))] = text
        assert is_x12_text(text.replace("\n", ""))

    render_one()
    failures = {key: errors for key, errors in validate_many(rendered).items() if errors}
    assert not failures, failures


def test_x12_charset_applies_to_276_and_270_inquiries_too() -> None:
    """The builder writes every element through check_value, so every writer transliterates."""
    from datetime import date
    from decimal import Decimal

    from chalicelib.x12.write.eligibility270 import (
        EligibilityInquiry,
        EligibilityRequest,
        render_270,
    )
    from chalicelib.x12.write.inquiry import InformationReceiver, Payer, Person, Provider
    from chalicelib.x12.write.status276 import (
        ClaimStatusInquiry,
        ClaimStatusRequest,
        render_276,
    )
    from tests.unit.test_x12_golden import envelope

    provider = Provider("Clínica Peña", "1234567893")
    patient = Person("Nuñez", "José", member_id="W123456789", birth_date=date(1962, 3, 14))
    status = render_276(
        ClaimStatusRequest(
            payer=Payer("Sandbox Commercial PPO", "SBX01"),
            information_receiver=InformationReceiver("Clínica Peña", "CLAIMGATE"),
            inquiries=(
                ClaimStatusInquiry(provider, patient, "PCN-1", Decimal("10"), date(2026, 11, 16)),
            ),
            reference_id="STATUS1",
        ),
        envelope(501, "", ""),
    )
    eligibility = render_270(
        EligibilityRequest(
            payer=Payer("Sandbox", "SBX01"),
            provider=provider,
            inquiries=(EligibilityInquiry(patient, "E-1", "1371234567"),),
            reference_id="ELIG1",
        ),
        envelope(601, "", ""),
    )
    # (pyx12 has no 270/276 maps: the character set is checked here directly)
    for text in (status, eligibility):
        assert "NM1*IL*1*Nunez*Jose" in text and "Clinica Pena" in text
        assert is_x12_text(text.replace("\n", ""))
