"""271 reader against every 271 sample, the benefit helpers, and synthetic defects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.eligibility271 import DatePeriod, EligibilityResponse, Rejection, parse_271

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples" / "271"
SERVICE_TYPES = ("1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC")


def _read(name: str) -> EligibilityResponse:
    sets = list(EnvelopeReader((SAMPLES / name).read_bytes()))
    assert len(sets) == 1
    return parse_271(sets[0])


def _synthetic(body: str) -> EligibilityResponse:
    segments = [s for s in body.split("~") if s]
    text = (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLAIMGATE      "
        "*240101*1200*^*00501*000000001*0*T*:~"
        "GS*HB*PAYER*CLAIMGATE*20240101*1200*1*X*005010X279A1~ST*271*0001*005010X279A1~"
        + "".join(s + "~" for s in segments)
        + f"SE*{len(segments) + 2}*0001~GE*1*1~IEA*1*000000001~"
    )
    return parse_271(next(iter(EnvelopeReader(text.encode()))))


def test_eligibility271_subscriber_sample() -> None:
    response = _read("subscriber-health-benefit-check.271")
    assert (response.reference_id, response.created) == ("10001234", dt.date(2006, 5, 1))
    assert [p.identifier for p in response.payers] == ["841610001"]
    [member] = response.members
    assert (member.level, member.coverage, member.active) == ("subscriber", "active", True)
    assert member.plan_description == "GOLD 123 PLAN"
    assert member.trace_numbers == ("93175-012547",)
    assert member.member is not None and member.member.member_id == "123456789"
    assert member.member.birth_date == dt.date(1963, 5, 19)
    assert member.member.gender == "M"
    assert member.dates == (DatePeriod("346", dt.date(2006, 1, 1), dt.date(2006, 1, 1)),)
    assert member.provider is not None and member.provider.identifier == "2000035"
    assert [b.information_code for b in member.benefits] == ["1", "L", "1", "B", "B"]
    primary_care = member.benefits[1]
    assert [(e.entity_code, e.name, e.identifier) for e in primary_care.related_entities] == [
        ("P3", "JONES", "0202034")
    ]
    assert member.benefits[2].service_types == SERVICE_TYPES
    in_network, out_of_network = member.copays
    assert (in_network.amount, in_network.in_plan_network, in_network.time_period) == (
        Decimal("10.00"),
        "Y",
        "27",
    )
    assert (out_of_network.amount, out_of_network.in_plan_network) == (Decimal("30.00"), "N")
    assert in_network.insurance_type == "HM"
    assert member.find("B", service_type="MH", in_plan_network="N") == (out_of_network,)
    assert member.deductibles == member.out_of_pocket == member.coinsurance == ()
    assert member.remaining == ()
    assert member.rejections == () and response.rejections == () and response.findings == ()


def test_eligibility271_dependent_sample() -> None:
    response = _read("dependent-health-benefit-check.271")
    subscriber, dependent = response.members
    assert (subscriber.level, subscriber.coverage, subscriber.benefits) == (
        "subscriber",
        "unknown",
        (),
    )
    assert (dependent.level, dependent.coverage, dependent.relationship) == (
        "dependent",
        "active",
        "19",
    )
    assert dependent.member is not None and dependent.member.entity_code == "03"
    assert dependent.member.first_name == "MARY"
    assert dependent.member.birth_date == dt.date(1998, 10, 14)
    assert dependent.member.member_id is None
    assert dependent.subscriber is not None and dependent.subscriber.member_id == "123456789"
    assert len(dependent.benefits) == 5
    assert [c.amount for c in dependent.copays] == [Decimal("10.00"), Decimal("30.00")]


def test_eligibility271_error_sample_rejects_at_information_receiver() -> None:
    response = _read("subscriber-health-benefit-check-error.271")
    assert response.members == ()
    assert response.rejections == (
        Rejection(
            loop="2100B",
            valid_request="Y",
            reject_reason="50",
            follow_up_action="N",
            segment_index=9,
        ),
    )
    assert [f.code for f in response.findings] == ["se_control_mismatch"]


def test_eligibility271_medicaid_eligible_sample() -> None:
    response = _read("271Sample(Eligible).txt")
    [member] = response.members
    assert (member.coverage, member.plan_description) == ("active", "MA Eligible")
    assert len(member.benefits) == 14
    assert [b.information_code for b in member.benefits].count("1") == 10
    first = member.benefits[0]
    assert first.messages == ("35", "46", "49", "95", "RECERT MONTH=12")
    [copay] = member.copays
    assert (copay.amount, copay.coverage_level, copay.service_types) == (Decimal(0), "IND", ("30",))
    restricted = member.find("N")
    assert [b.service_types for b in restricted] == [("88",), ("CQ",)]
    assert [e.identifier for b in restricted for e in b.related_entities] == [
        "1987654321",
        "9995995661",
    ]
    other_payer = member.find("R")[0]
    # REF*18 after EB*R is the other payer's plan (2110C), not this member's (2100C).
    assert [(r.qualifier, r.value) for r in other_payer.references] == [("18", "012345679C1")]
    assert member.plan_number is None
    assert [e.name for e in other_payer.related_entities] == ["MEDICARE ABD"]
    assert [r.qualifier for r in member.references] == ["SY"]
    assert [d.qualifier for d in member.dates] == ["472", "346", "102"]
    # DMG*D8*10010101: a placeholder birth date, kept raw with a finding.
    assert member.member is not None and member.member.birth_date == "10010101"
    assert [(f.code, f.segment_id) for f in response.findings] == [("invalid_date", "DMG")]


def test_eligibility271_aaa_at_subscriber_level() -> None:
    response = _read("From_georgiosd.txt")
    [member] = response.members
    assert member.rejections == (
        Rejection(
            loop="2100C",
            valid_request="Y",
            reject_reason="42",
            follow_up_action="R",
            segment_index=11,
        ),
    )
    assert [b.information_code for b in member.benefits] == ["P"]
    assert member.coverage == "unknown"
    assert response.created == dt.date(2012, 2, 23)


def test_eligibility271_hides_phi_from_repr() -> None:
    text = repr(_read("dependent-health-benefit-check.271"))
    for phi in ("SMITH", "MARY", "123456789", "1998", "BROADWAY"):
        assert phi not in text


CHAIN = (
    "BHT*0022*11*R1*20240101*1200~HL*1**20*1~NM1*PR*2*PAYER*****PI*1~"
    "HL*2*1*21*1~NM1*1P*2*DOC*****XX*1234567893~HL*3*2*22*0~TRN*2*T1*9000000001~"
    "NM1*IL*1*DOE*JANE****MI*M1~REF*18*PLAN9~REF*6P*GRP7~DMG*D8*19800101*F~"
)


def test_eligibility271_deductible_out_of_pocket_coinsurance_and_remaining() -> None:
    response = _synthetic(
        CHAIN + "EB*1*IND*30*C1*PPO GOLD~"
        "EB*C*IND*30***23*1500*****Y~EB*C*IND*30***29*400*****Y~"
        "DTP*292*RD8*20240101-20241231~"
        "EB*G*FAM*30***23*6000*****Y~EB*G*FAM*30***29*5100*****Y~"
        "EB*A*IND*30*****.20****N~EB*F*IND*AD****27**VS*20~"
        "EB*CB*IND*30********Y*Y*HC:99213:25"
    )
    [member] = response.members
    assert (member.plan_number, member.group_number, member.plan_description) == (
        "PLAN9",
        "GRP7",
        "PPO GOLD",
    )
    assert [(b.time_period, b.amount) for b in member.deductibles] == [
        ("23", Decimal(1500)),
        ("29", Decimal(400)),
    ]
    assert member.deductibles[1].dates == (
        DatePeriod("292", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    )
    assert [b.amount for b in member.out_of_pocket] == [Decimal(6000), Decimal(5100)]
    assert member.out_of_pocket[0].coverage_level == "FAM"
    assert [(b.information_code, b.amount) for b in member.remaining] == [
        ("C", Decimal(400)),
        ("G", Decimal(5100)),
    ]
    assert member.remaining[0].is_remaining
    [coinsurance] = member.coinsurance
    assert (coinsurance.percent, coinsurance.in_plan_network) == (Decimal("0.20"), "N")
    limitation = member.find("F")[0]
    assert (limitation.quantity_qualifier, limitation.quantity) == ("VS", Decimal(20))
    basis = member.find("CB")[0]
    assert (basis.authorization_required, basis.procedure) == ("Y", ("HC", "99213", "25"))
    assert member.find(time_period="29", coverage_level="FAM") == (member.out_of_pocket[1],)


def test_eligibility271_inactive_member() -> None:
    response = _synthetic(CHAIN + "EB*6**30")
    assert response.members[0].coverage == "inactive"
    assert not response.members[0].active


def test_eligibility271_rejections_at_every_level() -> None:
    response = _synthetic(
        "HL*1**20*1~AAA*N**42*R~NM1*PR*2*PAYER*****PI*1~AAA*N**79*C~"
        "HL*2*1*21*1~NM1*1P*2*DOC*****XX*1234567893~HL*3*2*22*0~"
        "NM1*IL*1*DOE*JANE****MI*M1~AAA*N**72*C~EB*1**30~AAA*N**33*C"
    )
    assert [(r.loop, r.reject_reason) for r in response.rejections] == [
        ("2000A", "42"),
        ("2100A", "79"),
    ]
    [member] = response.members
    assert [(r.loop, r.reject_reason, r.follow_up_action) for r in member.rejections] == [
        ("2100C", "72", "C"),
        ("2110C", "33", "C"),
    ]


def test_eligibility271_unreadable_amount_raises_at_the_element() -> None:
    with pytest.raises(X12ReadError) as raised:
        _synthetic(CHAIN + "EB*C*IND*30***23*1,500")
    assert (raised.value.segment_id, raised.value.element_position) == ("EB", 7)


def test_eligibility271_missing_eb01_raises() -> None:
    with pytest.raises(X12ReadError) as raised:
        _synthetic(CHAIN + "EB**IND*30")
    assert (raised.value.segment_id, raised.value.element_position) == ("EB", 1)


def test_coverage_answer_says_when_the_payer_holds_another_member_or_payer_id() -> None:
    from chalicelib.claims.eligibility import coverage_answer, payer_member_id

    response = _synthetic(
        "BHT*0022*11*1*20240101*1200~HL*1**20*1~NM1*PR*2*ACME*****PI*ACME2~HL*2*1*21*1~"
        "NM1*1P*2*CLINIC*****XX*1234567893~HL*3*2*22*0~TRN*2*1*9000000001~"
        "NM1*IL*1*DOE*JANE****MI*W123-4567801~REF*Q4*W1234567~EB*1**30~"
    )
    assert payer_member_id(response) == "W123-4567801"
    changed = coverage_answer(response, asked_member_id="W1234567", asked_payer_id="ACME1")
    assert (changed.member_id_changed, changed.payer_changed) == (True, True)
    assert changed.answering_payer_id == "ACME2"
    # Payers print ids with dashes, spaces and lower case: the same id is not a change.
    same = coverage_answer(response, asked_member_id="w1234567801", asked_payer_id="acme2")
    assert (same.member_id_changed, same.payer_changed) == (False, False)
    # Without the ids asked, nothing is claimed either way.
    assert not coverage_answer(response).member_id_changed
