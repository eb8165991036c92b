"""An 835 cut into parts (issue 18): read part by part, the claims are the file's claims,
each once, at the file's own segment positions, however the parts are cut."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks.x12_835 import generate_835
from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.read.remit835 import parse_835
from chalicelib.x12.read.remit835_model import ClaimPayment
from chalicelib.x12.read.remit835_parts import read_part, split_835

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples" / "835"


def _sets(content: bytes) -> list[TransactionSet]:
    return [ts for ts in EnvelopeReader(content) if ts.transaction_set_id == "835"]


def _claim(claim: ClaimPayment) -> tuple[object, ...]:
    return (
        claim.segment_index,
        claim.patient_control_number,
        claim.status_code,
        claim.charge,
        claim.paid,
        claim.payer_claim_control_number,
        tuple((a.group, a.reason, a.amount) for a in claim.adjustments),
        tuple((line.procedure, line.charge, line.paid, line.segment_index) for line in claim.lines),
    )


def _parts_claims(ts: TransactionSet, max_claims: int, max_chars: int) -> list[tuple[object, ...]]:
    whole = parse_835(ts)
    found: list[tuple[object, ...]] = []
    for part in split_835(ts, max_claims=max_claims, max_chars=max_chars):
        remittance = read_part(ts, part)
        assert len(remittance.claims) == part.claims
        assert remittance.trace_number == whole.trace_number
        assert remittance.payment.effective_date == whole.payment.effective_date
        assert remittance.payer == whole.payer
        assert remittance.provider_adjustments == ()  # PLB is the whole payment's
        found.extend(_claim(c) for c in remittance.claims)
    return found


@pytest.mark.parametrize("path", sorted(SAMPLES.iterdir()), ids=lambda p: p.name)
@pytest.mark.parametrize("max_claims", [1, 2, 1000])
def test_every_sample_reads_the_same_claims_in_parts(path: Path, max_claims: int) -> None:
    for ts in _sets(path.read_bytes()):
        whole = [_claim(c) for c in parse_835(ts).claims]
        assert _parts_claims(ts, max_claims, 1_000_000) == whole


def test_parts_respect_the_claim_and_size_limits_and_never_split_a_claim() -> None:
    (ts,) = _sets(generate_835(1000, claims_per_set=1000))
    parts = split_835(ts, max_claims=300, max_chars=40_000)
    assert sum(p.claims for p in parts) == 1000
    assert all(0 < p.claims <= 300 for p in parts)
    header = ts.text.index("LX*")
    assert all(len(p.text) - header <= 40_000 + 2_000 for p in parts)  # one claim over at most
    assert [p.number for p in parts] == list(range(len(parts)))
    whole = [_claim(c) for c in parse_835(ts).claims]
    assert _parts_claims(ts, 300, 40_000) == whole


def test_a_part_is_a_well_formed_set_that_counts_its_segments() -> None:
    (ts,) = _sets(generate_835(10, claims_per_set=10))
    for part in split_835(ts, max_claims=3, max_chars=10**6):
        segments = part.text.split("~")[:-1]
        assert segments[0].startswith("ST*835*") and segments[-1].startswith("SE*")
        assert segments[-1] == f"SE*{len(segments)}*{ts.control_number}"
        assert not any(s.startswith("PLB*") for s in segments)


def test_a_set_without_claims_is_one_part_with_its_header() -> None:
    content = (
        b"ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLAIMGATE      "
        b"*240301*1200*^*00501*000000001*0*P*:~GS*HP*PAYER*CLAIMGATE*20240301*1200*1*X*005010X221A1~ST*835*0001~"
        b"BPR*H*0*C*NON************20240301~TRN*1*NOPAY1*1512345678~N1*PR*PLAN~N1*PE*CLINIC*XX*"
        b"1234567893~PLB*1234567893*20241231*WO:X*10~SE*7*0001~GE*1*1~IEA*1*000000001~"
    )
    (ts,) = _sets(content)
    (part,) = split_835(ts, max_claims=5, max_chars=1000)
    assert part.claims == 0
    assert read_part(ts, part).payment.total_paid == Decimal("0")
