"""276 and 270 writers: shape against the TR3 samples, round trips, and refusals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.write.eligibility270 import EligibilityInquiry, EligibilityRequest, render_270
from chalicelib.x12.write.inquiry import InformationReceiver, Payer, Person, Provider
from chalicelib.x12.write.status276 import ClaimStatusInquiry, ClaimStatusRequest, render_276
from chalicelib.x12.writer import EnvelopeValues

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples"

ENVELOPE = EnvelopeValues(
    sender_qualifier="30",
    sender_id="000000005",
    receiver_qualifier="30",
    receiver_id="12345",
    interchange_control_number=907,
    group_control_number=1,
    date=dt.date(2013, 10, 31),
    time="1147",
    usage_indicator="T",
    application_receiver_code="54321",
)

HOSPITAL = Provider("HOME HOSPITAL", "1666666661")
PHYSICIANS = Provider("HOME HOSPITAL PHYSICIANS", "1666666660")
SMITH = Person(
    "SMITH", "FRED", member_id="123456789A", birth_date=dt.date(1930, 12, 10), gender="M"
)
JONES = Person(
    "JONES", "MARY", member_id="234567890A", birth_date=dt.date(1930, 11, 15), gender="F"
)
MANN = Person("MANN", "JOHN", member_id="345678901")
JOSEPH = Person("MANN", "JOSEPH", birth_date=dt.date(1995, 11, 1), gender="M")


def _claim_status_request() -> ClaimStatusRequest:
    """The three claims of the TR3 sample claim-level-status.276."""
    return ClaimStatusRequest(
        payer=Payer("ABC INSURANCE", "12345"),
        information_receiver=InformationReceiver("XYZ SERVICE", "X67E"),
        inquiries=(
            ClaimStatusInquiry(
                HOSPITAL,
                SMITH,
                "SM123456",
                Decimal("8513.88"),
                dt.date(2005, 8, 31),
                dt.date(2005, 9, 6),
                trace_number="ABCXYZ1",
                bill_type="111",
            ),
            ClaimStatusInquiry(
                HOSPITAL,
                JONES,
                "J0234567",
                Decimal("7599.00"),
                dt.date(2005, 7, 31),
                dt.date(2005, 8, 9),
                trace_number="ABCXYZ2",
                bill_type="111",
            ),
            ClaimStatusInquiry(
                PHYSICIANS,
                MANN,
                "MA345678",
                Decimal("150.00"),
                dt.date(2005, 5, 1),
                dependent=JOSEPH,
                trace_number="ABCXYZ3",
            ),
        ),
        reference_id="ABC276XXX",
    )


def _eligibility_request(dependent: Person | None = None) -> EligibilityRequest:
    """The TR3 sample subscriber-health-benefit-check.270 (and its dependent variant)."""
    return EligibilityRequest(
        payer=Payer("ABC COMPANY", "842610001"),
        provider=Provider("BONE AND JOINT CLINIC", "1234567893"),
        inquiries=(
            EligibilityInquiry(
                subscriber=Person(
                    "SMITH", "ROBERT", member_id="11122333301", birth_date=dt.date(1943, 5, 19)
                ),
                trace_number="93175-012547",
                trace_originator_id="9877281234",
                service_types=("30",),
                date_of_service=dt.date(2006, 5, 1),
                dependent=dependent,
            ),
        ),
        reference_id="10001234",
    )


def _sets(text: str) -> tuple[list[TransactionSet], EnvelopeReader]:
    reader = EnvelopeReader(text.encode())
    return list(reader), reader


def _sample(path: str) -> TransactionSet:
    [one] = list(EnvelopeReader((SAMPLES / path).read_bytes()))
    return one


def _hl_tree(ts: TransactionSet) -> list[tuple[str, ...]]:
    return [tuple(s[1:]) for s in ts.segments if s[0] == "HL"]


def _tags(ts: TransactionSet) -> list[str]:
    return [s[0] for s in ts.segments]


# -- 276 ---------------------------------------------------------------------------------------


def test_inquiry_276_round_trips_with_the_sample_hierarchy() -> None:
    text = render_276(_claim_status_request(), ENVELOPE)
    [ours], reader = _sets(text)
    assert reader.findings == [] and ours.findings == []
    assert (ours.transaction_set_id, ours.implementation_reference, ours.group.functional_id) == (
        "276",
        "005010X212",
        "HR",
    )
    sample = _sample("276/claim-level-status.276")
    assert (
        _hl_tree(ours)
        == _hl_tree(sample)
        == [
            ("1", "", "20", "1"),
            ("2", "1", "21", "1"),
            ("3", "2", "19", "1"),
            ("4", "3", "22", "0"),
            ("5", "3", "22", "0"),
            ("6", "2", "19", "1"),
            ("7", "6", "22", "1"),
            ("8", "7", "23"),
        ]
    )
    # Same segment sequence as the TR3 sample, except that its dependent claim asks about a
    # service line (SVC, DTP*472 D8) where ours asks about the claim (AMT*T3, DTP*472 RD8).
    assert _tags(ours)[:-4] == _tags(sample)[:-4]
    assert ours.segments[-4:-1] == [
        ["REF", "EJ", "MA345678"],
        ["AMT", "T3", "150.00"],
        ["DTP", "472", "RD8", "20050501-20050501"],
    ]

    # Element for element too, but for BHT04/05 (our envelope's date) and the providers'
    # NM1*1P (the sample's second NPI has 9 digits, which we refuse to write).
    def comparable(ts: TransactionSet) -> list[list[str]]:
        return [s for s in ts.segments[:-4] if s[0] != "BHT" and s[:2] != ["NM1", "1P"]]

    assert comparable(ours) == comparable(sample)


def test_inquiry_276_writes_envelope_counts_and_control_numbers() -> None:
    text = render_276(_claim_status_request(), ENVELOPE, control_number=42)
    segments = text.split("~")
    assert segments[0] == (
        "ISA*00*          *00*          *30*000000005      *30*12345          "
        "*131031*1147*^*00501*000000907*0*T*:"
    )
    assert segments[1] == "GS*HR*000000005*54321*20131031*1147*1*X*005010X212"
    assert segments[2] == "ST*276*0042*005010X212"
    assert segments[3] == "BHT*0010*13*ABC276XXX*20131031*1147"
    assert segments[-4:] == ["SE*36*0042", "GE*1*1", "IEA*1*000000907", ""]


def test_inquiry_276_optional_references_in_tr3_order() -> None:
    inquiry = dataclasses.replace(
        _claim_status_request().inquiries[0],
        payer_claim_control_number="05347006051",
        clearinghouse_trace_number="CH-1",
        trace_number=None,
    )
    request = dataclasses.replace(_claim_status_request(), inquiries=(inquiry,))
    [ours], _ = _sets(render_276(request, ENVELOPE))
    claim = ours.segments[ours.segments.index(["TRN", "1", "SM123456"]) :]
    assert claim[:7] == [
        ["TRN", "1", "SM123456"],  # trace defaults to the patient control number
        ["REF", "1K", "05347006051"],
        ["REF", "BLT", "111"],
        ["REF", "EJ", "SM123456"],
        ["REF", "D9", "CH-1"],
        ["AMT", "T3", "8513.88"],
        ["DTP", "472", "RD8", "20050831-20050906"],
    ]


def test_inquiry_276_groups_claims_by_provider_and_subscriber() -> None:
    base = _claim_status_request().inquiries
    inquiries = (base[0], base[2], dataclasses.replace(base[0], patient_control_number="SM2"))
    request = dataclasses.replace(_claim_status_request(), inquiries=inquiries)
    [ours], _ = _sets(render_276(request, ENVELOPE))
    assert _hl_tree(ours) == [
        ("1", "", "20", "1"),
        ("2", "1", "21", "1"),
        ("3", "2", "19", "1"),
        ("4", "3", "22", "0"),
        ("5", "2", "19", "1"),
        ("6", "5", "22", "1"),
        ("7", "6", "23"),
    ]
    assert [s[2] for s in ours.segments if s[:2] == ["REF", "EJ"]] == [
        "SM123456",
        "SM2",
        "MA345678",
    ]


def test_inquiry_276_is_deterministic() -> None:
    assert render_276(_claim_status_request(), ENVELOPE) == render_276(
        _claim_status_request(), ENVELOPE
    )


@pytest.mark.parametrize("char", ["~", "*", ":", "^"])
def test_inquiry_276_refuses_delimiters_naming_the_field(char: str) -> None:
    request = _claim_status_request()
    bad = dataclasses.replace(
        request.inquiries[1], subscriber=dataclasses.replace(JONES, last_name=f"JO{char}NES")
    )
    request = dataclasses.replace(request, inquiries=(request.inquiries[0], bad))
    with pytest.raises(X12WriteError) as raised:
        render_276(request, ENVELOPE)
    assert raised.value.field == "inquiries[1].subscriber.last_name"


CLAIM = _claim_status_request().inquiries[0]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (
            dataclasses.replace(CLAIM, patient_control_number=""),
            "inquiries[0].patient_control_number",
        ),
        (dataclasses.replace(CLAIM, total_charge=Decimal(-1)), "inquiries[0].total_charge"),
        (dataclasses.replace(CLAIM, total_charge=Decimal("NaN")), "inquiries[0].total_charge"),
        (
            dataclasses.replace(CLAIM, service_date_to=dt.date(2005, 1, 1)),
            "inquiries[0].service_date_to",
        ),
        (dataclasses.replace(CLAIM, provider=Provider("X", "12345")), "inquiries[0].provider.npi"),
        (
            dataclasses.replace(CLAIM, subscriber=dataclasses.replace(SMITH, member_id=None)),
            "inquiries[0].subscriber.member_id",
        ),
        (
            dataclasses.replace(CLAIM, subscriber=dataclasses.replace(SMITH, birth_date=None)),
            "inquiries[0].subscriber",
        ),
        (
            dataclasses.replace(CLAIM, subscriber=dataclasses.replace(SMITH, gender="X")),
            "inquiries[0].subscriber.gender",
        ),
        (
            dataclasses.replace(CLAIM, subscriber=dataclasses.replace(SMITH, last_name="S" * 61)),
            "inquiries[0].subscriber.last_name",
        ),
        (dataclasses.replace(CLAIM, bill_type="1111"), "inquiries[0].bill_type"),
    ],
)
def test_inquiry_276_refuses_invalid_claims(bad: ClaimStatusInquiry, field: str) -> None:
    request = _claim_status_request()
    with pytest.raises(X12WriteError) as raised:
        render_276(dataclasses.replace(request, inquiries=(bad,)), ENVELOPE)
    assert raised.value.field == field


def test_inquiry_276_refuses_empty_requests_and_wrong_envelopes() -> None:
    with pytest.raises(X12WriteError) as raised:
        render_276(dataclasses.replace(_claim_status_request(), inquiries=()), ENVELOPE)
    assert raised.value.field == "inquiries"
    with pytest.raises(X12WriteError) as raised:
        render_276(_claim_status_request(), dataclasses.replace(ENVELOPE, functional_id="HC"))
    assert raised.value.field == "GS01"


# -- 270 ---------------------------------------------------------------------------------------


def test_inquiry_270_matches_the_subscriber_sample() -> None:
    text = render_270(_eligibility_request(), ENVELOPE, control_number="1234")
    [ours], reader = _sets(text)
    assert reader.findings == [] and ours.findings == []
    sample = _sample("270/subscriber-health-benefit-check.270")
    assert ours.group.functional_id == "HS" and ours.implementation_reference == "005010X279A1"
    assert _hl_tree(ours) == _hl_tree(sample)
    # Identical ST..SE but for BHT04/05 (our envelope's date) and the provider's NPI, which
    # the sample gives as a service provider number (NM108 SV).
    differing = {1, 5}
    assert [s for i, s in enumerate(ours.segments) if i not in differing] == [
        s for i, s in enumerate(sample.segments) if i not in differing
    ]
    assert ours.segments[5] == [
        "NM1",
        "1P",
        "2",
        "BONE AND JOINT CLINIC",
        "",
        "",
        "",
        "",
        "XX",
        "1234567893",
    ]


def test_inquiry_270_matches_the_dependent_sample_shape() -> None:
    dependent = Person("SMITH", "MARY", birth_date=dt.date(1978, 10, 14))
    [ours], reader = _sets(render_270(_eligibility_request(dependent), ENVELOPE))
    assert reader.findings == [] and ours.findings == []
    sample = _sample("270/dependent-health-benefit-check.270")
    assert (
        _hl_tree(ours)
        == _hl_tree(sample)
        == [
            ("1", "", "20", "1"),
            ("2", "1", "21", "1"),
            ("3", "2", "22", "1"),
            ("4", "3", "23", "0"),
        ]
    )
    # The sample leaves the subscriber's name and DMG out; we always send what we know.
    assert [t for t in _tags(ours) if t != "DMG"] == [t for t in _tags(sample) if t != "DMG"]
    dependent_loop = ours.segments[ours.segments.index(["HL", "4", "3", "23", "0"]) :]
    assert dependent_loop[1:6] == [
        ["TRN", "1", "93175-012547", "9877281234"],
        ["NM1", "03", "1", "SMITH", "MARY"],
        ["DMG", "D8", "19781014"],
        ["DTP", "291", "D8", "20060501"],
        ["EQ", "30"],
    ]


def test_inquiry_270_repeats_service_types_and_batches_members() -> None:
    request = _eligibility_request()
    second = dataclasses.replace(
        request.inquiries[0],
        trace_number="T2",
        service_types=("30", "1", "33", "AL"),
        date_of_service=None,
    )
    request = dataclasses.replace(request, inquiries=(request.inquiries[0], second))
    [ours], _ = _sets(render_270(request, ENVELOPE))
    assert _hl_tree(ours)[2:] == [("3", "2", "22", "0"), ("4", "2", "22", "0")]
    assert [s for s in ours.segments if s[0] == "EQ"] == [["EQ", "30"], ["EQ", "30^1^33^AL"]]
    assert sum(1 for s in ours.segments if s[0] == "DTP") == 1


MEMBER = _eligibility_request().inquiries[0]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (dataclasses.replace(MEMBER, service_types=()), "inquiries[0].service_types"),
        (dataclasses.replace(MEMBER, service_types=("30", "ABC")), "inquiries[0].service_types[1]"),
        (dataclasses.replace(MEMBER, service_types=("3^0",)), "inquiries[0].service_types[0]"),
        (
            dataclasses.replace(MEMBER, trace_originator_id="123"),
            "inquiries[0].trace_originator_id",
        ),
        (dataclasses.replace(MEMBER, trace_number="A~B"), "inquiries[0].trace_number"),
        (
            dataclasses.replace(MEMBER, dependent=Person("SM:ITH")),
            "inquiries[0].dependent.last_name",
        ),
    ],
)
def test_inquiry_270_refuses_invalid_inquiries(bad: EligibilityInquiry, field: str) -> None:
    request = _eligibility_request()
    with pytest.raises(X12WriteError) as raised:
        render_270(dataclasses.replace(request, inquiries=(bad,)), ENVELOPE)
    assert raised.value.field == field


def test_inquiry_270_refuses_delimiters_in_payer_and_reference() -> None:
    request = _eligibility_request()
    with pytest.raises(X12WriteError) as raised:
        render_270(dataclasses.replace(request, payer=Payer("ABC*CO", "1")), ENVELOPE)
    assert raised.value.field == "payer.name"
    with pytest.raises(X12WriteError) as raised:
        render_270(dataclasses.replace(request, reference_id="R^1"), ENVELOPE)
    assert raised.value.field == "reference_id"
