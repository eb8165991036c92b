"""X12 numbers are strict (X12.6 data element types): R is an optional minus sign, ASCII digits
and at most one decimal point, no exponent, no plus sign, no spaces, at most as many digits as
the element's maximum length (money, DE 782: 18); N0 is digits with an optional minus sign.
What Python's Decimal(), int() and str.isdigit() take beyond that ("1E+9999999999" made an 835
raise decimal.Overflow) is refused with a located X12ReadError, or a finding where a reader
keeps going without the value, in every reader; never with the value in the message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from chalicelib.x12.elements import (
    AMOUNT,
    PERCENT,
    QUANTITY,
    Numeric,
    parse_date,
    parse_integer,
    parse_number,
    read_integer,
    read_number,
)
from chalicelib.x12.envelope import EnvelopeReader, Finding, TransactionSet
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read import remit835 as remittance_module
from chalicelib.x12.read.ack999 import parse_999
from chalicelib.x12.read.claim837p import parse_837p
from chalicelib.x12.read.remit835 import Remittance, parse_835
from chalicelib.x12.read.status277 import parse_277
from chalicelib.x12.tokenizer import parse_isa_delimiters
from tests.conftest import X12_SAMPLES

VALID = {
    "0": Decimal(0),
    "-1.5": Decimal("-1.5"),
    "123456789012345678": Decimal(123456789012345678),
    ".5": Decimal("0.5"),
    "5.": Decimal(5),
    "-123456789012345678": Decimal(-123456789012345678),  # the sign is no digit
    "12345678901234567.8": Decimal("12345678901234567.8"),  # nor is the point
    "007": Decimal(7),
}
INVALID = (
    "1E5",
    "1e+9999999999",
    "1E+9999999999",
    "-1E-9999999999",
    "NaN",
    "sNaN",
    "Infinity",
    "-Inf",
    "２４５",
    "²",
    "٣",
    "+5",
    " 5",
    "5 ",
    "1 000",
    "1_000",
    "1,000",
    "1.2.3",
    "-",
    ".",
    "-.",
    "--1",
    "1-",
    "1234567890123456789",  # 19 digits
    "123456789012345678.9",
    "0." + "1" * 18,
    "9" * 5000,
    "",
)
HOSTILE = ("1E+9999999999", "NaN", "２４５", "²", "+5", "9" * 19)


# -- the strict readers --------------------------------------------------------------------


@pytest.mark.parametrize("text", VALID)
def test_x12_numbers_r_amounts_that_are_valid(text: str) -> None:
    assert parse_number(text) == VALID[text]
    number = read_number(text, segment_id="CAS", segment_index=9, position=3)
    assert number == VALID[text] and number.is_finite()


@pytest.mark.parametrize("text", INVALID)
def test_x12_numbers_r_amounts_that_are_not_refused_with_the_element(text: str) -> None:
    assert parse_number(text) is None
    with pytest.raises(X12ReadError) as raised:
        read_number(text, segment_id="CAS", segment_index=9, position=3)
    error = raised.value
    assert (error.segment_index, error.segment_id, error.element_position) == (9, "CAS", 3)
    assert error.message == (
        "CAS03 is not an X12 amount (R: optional minus sign, digits, one optional decimal "
        "point, at most 18 digits)"
    )


def test_x12_numbers_r_sizes_count_digits_only() -> None:
    for kind, digits in ((AMOUNT, 18), (QUANTITY, 15), (PERCENT, 10)):
        assert kind.max_digits == digits
        assert parse_number("9" * digits, kind) == Decimal("9" * digits)
        assert parse_number("-." + "9" * digits, kind) is not None
        assert parse_number("9" * (digits + 1), kind) is None
        assert parse_number("9." + "9" * digits, kind) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("-1", -1), ("123", 123), ("000123", 123)]
    + [(text, None) for text in ("", "²", "２", "٣", "1.0", "+1", " 1", "1 ", "1e3", "-", "9" * 7)]
    + [("9" * 5000, None)],  # int() would raise ValueError past 4,300 digits
)
def test_x12_numbers_n0(text: str, expected: int | None) -> None:
    count = Numeric("count", 6, decimal=False)
    assert parse_integer(text, count) == expected
    if expected is None:
        with pytest.raises(X12ReadError) as raised:
            read_integer(text, count, segment_id="AK9", segment_index=12, position=2)
        assert raised.value.element_position == 2
        assert raised.value.message == (
            "AK902 is not an X12 count (N0: optional minus sign, digits only, at most 6 digits)"
        )
    else:
        assert read_integer(text, count, segment_id="AK9", segment_index=12, position=2) == (
            expected
        )


def test_x12_numbers_unsigned_elements_refuse_a_minus_sign() -> None:
    position = Numeric("segment position", 10, decimal=False, signed=False)
    assert parse_integer("-1", position) is None
    assert parse_integer("1", position) == 1
    assert "N0: digits only, at most 10 digits" in position.message("IK3", 2)
    assert parse_number("-1", Numeric("rate", 9, signed=False)) is None


def test_x12_numbers_dates_are_ascii_digits() -> None:
    assert parse_date("20240229") == dt.date(2024, 2, 29)
    for text in ("２０２４０１０１", "²²²²²²²²", "2024０101", "2024-1-1", "20240230", "17991231"):
        assert parse_date(text) is None, text


def test_x12_numbers_messages_never_repeat_the_value() -> None:
    for text in HOSTILE:
        with pytest.raises(X12ReadError) as raised:
            read_number(text, segment_id="CLP", segment_index=20, position=4, what="payment")
        assert text not in str(raised.value)
        assert str(raised.value).startswith("segment 20 (CLP) element CLP04: CLP04 payment is")


# -- every reader: a hostile number in a real sample is refused where it stands --------------


def _damaged(
    path: str, tag: str, position: int, value: str, occurrence: int = 0
) -> tuple[bytes, int]:
    """The sample with element `position` of the `occurrence`-th `tag` segment replaced, and
    that segment's 1-based position in the file (as the tokenizer counts: no empty segments)."""
    text = (X12_SAMPLES / path).read_bytes().decode().lstrip("\ufeff")
    terminator = parse_isa_delimiters(text.lstrip()).segment
    segments = [s.lstrip() for s in text.split(terminator) if s.strip()]
    found = [i for i, segment in enumerate(segments) if segment.split("*")[0] == tag]
    at = found[occurrence]
    elements = segments[at].split("*")
    elements += [""] * (position + 1 - len(elements))
    elements[position] = value
    segments[at] = "*".join(elements)
    return "~".join(segments).encode() + b"~", at + 1


def _sets(data: bytes) -> list[TransactionSet]:
    return list(EnvelopeReader(data))


def _error(read: Callable[[TransactionSet], object], data: bytes) -> X12ReadError:
    with pytest.raises(X12ReadError) as raised:
        for ts in _sets(data):
            read(ts)
    return raised.value


class _SegmentBySegment(remittance_module._Reader):
    """The 835 reference reading: every claim segment by segment."""

    def _read_claims(self, detail: str, index: int, unusual: list[int]) -> int:
        return super()._read_claims(detail, index, list(range(len(detail))))


def _both_835_readings(ts: TransactionSet) -> Remittance:
    """The loop reading; the segment reading must raise the very same error."""
    try:
        remittance = parse_835(ts)
    except X12ReadError as error:
        with pytest.raises(X12ReadError) as again:
            _SegmentBySegment(ts).read()
        assert again.value.located() == error.located()
        raise
    assert _SegmentBySegment(ts).read().as_dict() == remittance.as_dict()
    return remittance


PHARMACY = "835/835 Sample Pharmacy.2014.txt"
PROFESSIONAL = "835/835 Sample (Professional Claims only-w payment).2014.txt"
_835_MONEY = [
    (PHARMACY, "BPR", 2, 0),
    (PHARMACY, "CLP", 3, 0),
    (PHARMACY, "CLP", 4, 1),
    (PHARMACY, "CLP", 5, 2),
    (PHARMACY, "SVC", 2, 0),
    (PHARMACY, "SVC", 3, 2),
    (PHARMACY, "CAS", 3, 0),
    (PHARMACY, "CAS", 6, 1),
    (PHARMACY, "PLB", 4, 0),
    (PHARMACY, "PLB", 6, 0),
    (PROFESSIONAL, "AMT", 2, 0),
    (PROFESSIONAL, "AMT", 2, 3),
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("path", "tag", "position", "occurrence"), _835_MONEY)
def test_x12_numbers_835_money_is_refused_where_it_stands(
    path: str, tag: str, position: int, occurrence: int, value: str
) -> None:
    data, index = _damaged(path, tag, position, value, occurrence)
    error = _error(_both_835_readings, data)
    assert (error.segment_index, error.segment_id, error.element_position) == (
        index,
        tag,
        position,
    )
    assert "is not an X12 amount (R:" in error.message and value not in error.message


def test_x12_numbers_835_money_of_r_size_reads_exactly() -> None:
    data, _ = _damaged(PHARMACY, "PLB", 4, "-123456789012345678")
    (remittance,) = [_both_835_readings(ts) for ts in _sets(data)]
    assert remittance.provider_adjustments[0].amount == Decimal(-123456789012345678)
    codes = [finding.code for finding in remittance.findings]
    assert codes == ["transaction_out_of_balance"]  # exact, however large


@pytest.mark.parametrize("value", [*HOSTILE, "1234567890123456"])  # 16 digits: over R 1/15
@pytest.mark.parametrize(("tag", "position"), [("SVC", 5), ("CAS", 4)])
def test_x12_numbers_835_quantities_are_findings(tag: str, position: int, value: str) -> None:
    data, index = _damaged(PROFESSIONAL, tag, position, value)
    (remittance,) = [_both_835_readings(ts) for ts in _sets(data)]
    (finding,) = [f for f in remittance.findings if f.code == "invalid_number"]
    assert (finding.segment_index, finding.segment_id, finding.element_position) == (
        index,
        tag,
        position,
    )
    assert value not in finding.message


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    ("path", "tag", "position", "occurrence"),
    [
        ("837P/demo.example1.837", "CLM", 2, 0),
        ("837P/demo.example1.837", "SV1", 2, 1),
        ("837P/demo.example1.837", "SV1", 4, 2),
        ("837P/demo.cob.example3.B.837", "SVD", 2, 0),
        ("837P/demo.cob.example3.B.837", "SVD", 5, 1),
        ("837P/demo.cob.example3.B.837", "SVD", 6, 2),
    ],
)
def test_x12_numbers_837p_claim_carries_the_located_error(
    path: str, tag: str, position: int, occurrence: int, value: str
) -> None:
    data, index = _damaged(path, tag, position, value, occurrence)
    (ts,) = _sets(data)
    errors = [claim.error for claim in parse_837p(ts) if claim.error is not None]
    assert [(e.segment_index, e.segment_id, e.element_position) for e in errors] == [
        (index, tag, position)
    ]
    assert value not in errors[0].message


@pytest.mark.parametrize("value", ["²", "２", "123", "-1", "9" * 5000])
def test_x12_numbers_837p_diagnosis_pointer_that_is_no_n0_points_nowhere(value: str) -> None:
    data, index = _damaged("837P/demo.example1.837", "SV1", 7, value)
    (ts,) = _sets(data)
    claim = parse_837p(ts)[0]
    assert claim.error is None and claim.claim is not None
    assert claim.claim.claim_information.service_lines[0].diagnosis_pointers == (0,)
    found = [f for f in claim.findings if f.segment_id == "SV1" and f.element_position == 7]
    foreign = [] if value.isascii() else [("invalid_character", index)]  # not X12 text either
    assert [(f.code, f.segment_index) for f in found] == [*foreign, ("element_invalid", index)]


WISCONSIN = "999/DHS_Wisconsin_Sample.txt"


@pytest.mark.parametrize("value", [*HOSTILE, "-1", "12345678901"])
@pytest.mark.parametrize(("tag", "position"), [("AK9", 2), ("AK9", 3), ("AK9", 4), ("IK3", 2)])
def test_x12_numbers_999_counts_and_positions_are_findings(
    tag: str, position: int, value: str
) -> None:
    """AK902-904 (N0 1/6) and IK302 (N0 1/10): the verdict stands without them."""
    data, index = _damaged(WISCONSIN, tag, position, value)
    (ts,) = _sets(data)
    ack = parse_999(ts)
    found = [f for f in ack.findings if f.code == "not_a_number"]
    assert found == [
        Finding("not_a_number", found[0].message, index, tag, position),
    ]
    assert "is not an X12" in found[0].message and value not in found[0].message


@pytest.mark.parametrize("value", [*HOSTILE, "-1", "123", "1:²", "1:2:12345"])
@pytest.mark.parametrize(("tag", "position", "occurrence"), [("IK4", 1, 0), ("CTX", 5, 1)])
def test_x12_numbers_999_element_positions_are_errors(
    tag: str, position: int, occurrence: int, value: str
) -> None:
    data, index = _damaged(WISCONSIN, tag, position, value, occurrence)
    error = _error(parse_999, data)
    assert (error.segment_index, error.segment_id, error.element_position) == (
        index,
        tag,
        position,
    )


@pytest.mark.parametrize("value", [*HOSTILE, "1234567890123456"])
@pytest.mark.parametrize(
    ("path", "tag", "position", "occurrence"),
    [
        ("277/claim-level-status.277", "STC", 4, 0),
        ("277/claim-level-status.277", "STC", 5, 1),
        ("277/claim-level-status.277", "SVC", 2, 0),
        ("277/claim-level-status.277", "SVC", 3, 0),
        ("277/claim-level-status.277", "SVC", 7, 0),
        ("277CA/277CA Sample (Rejected).txt", "QTY", 2, 0),
        ("277CA/277CA Sample (Rejected).txt", "AMT", 2, 0),
        ("277CA/277CA Sample (Rejected).txt", "STC", 4, 1),
    ],
)
def test_x12_numbers_277_numbers_are_errors(
    path: str, tag: str, position: int, occurrence: int, value: str
) -> None:
    data, index = _damaged(path, tag, position, value, occurrence)
    kind = QUANTITY if (tag, position) in (("SVC", 7), ("QTY", 2)) else AMOUNT
    if parse_number(value, kind) is not None:  # 16 digits: an amount, not a quantity
        assert [parse_277(ts) for ts in _sets(data)]
        return
    error = _error(parse_277, data)
    assert (error.segment_index, error.segment_id, error.element_position) == (
        index,
        tag,
        position,
    )
    assert value not in error.message


@pytest.mark.parametrize("value", ["1E5", "9" * 19])
def test_x12_numbers_835_money_is_refused_after_thousands_of_claims(value: str) -> None:
    """The loop reading checks the money it keeps in batches: a bad amount in the middle of a
    large set (a batch check fails there) still stops the file where it stands, as the
    segment reading does."""
    from benchmarks.x12_835 import generate_835

    text = generate_835(5000, claims_per_set=5000).decode()
    at = text.index("~CLP*", len(text) // 2) + 1
    end = text.index("~", at)
    clp = text[at:end].split("*")
    clp[3] = value
    data = (text[:at] + "*".join(clp) + text[end:]).encode()
    error = _error(_both_835_readings, data)
    assert (error.segment_index, error.segment_id, error.element_position) == (
        text.count("~", 0, at) + 1,
        "CLP",
        3,
    )
