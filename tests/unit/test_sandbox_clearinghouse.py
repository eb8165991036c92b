"""The sandbox clearinghouse end to end, in memory: 837P in; 999, 277CA and 835 out through
the mailbox; 276/277 and 270/271 answers; duplicates, garbage, delays, cursors, state JSON
and determinism. Every file it writes passes pyx12 and reads back with our readers."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.model import Claim, ServiceLine
from chalicelib.payers.gateways.base import GatewayError, InboundBatch, InboundFile
from chalicelib.payers.gateways.sandbox.clearinghouse import (
    SandboxClearinghouse,
    SandboxState,
)
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.read.ack999 import Acknowledgment, parse_999
from chalicelib.x12.read.eligibility271 import EligibilityResponse, parse_271
from chalicelib.x12.read.remit835 import Remittance, parse_835
from chalicelib.x12.read.status277 import ClaimStatusReport, parse_277
from chalicelib.x12.write.claim837p import render_837p
from chalicelib.x12.write.eligibility270 import EligibilityInquiry, EligibilityRequest, render_270
from chalicelib.x12.write.inquiry import InformationReceiver, Payer, Person, Provider
from chalicelib.x12.write.status276 import ClaimStatusInquiry, ClaimStatusRequest, render_276
from chalicelib.x12.writer import EnvelopeValues
from tests.pyx12_oracle import validate_many

CONTRACT = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 11, 20, 10, 30)
D = Decimal


def contract_claim(name: str) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / name).read_text()).to_claim()


def envelope(
    control: int, functional_id: str = "HC", version: str = "005010X222A1"
) -> EnvelopeValues:
    return EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id="CLAIMGATE",
        receiver_qualifier="ZZ",
        receiver_id="SANDBOXCH",
        interchange_control_number=control,
        group_control_number=control,
        date=NOW.date(),
        time="1030",
        usage_indicator="T",
        functional_id=functional_id,
        implementation_reference=version,
    )


def interchange(*claims: Claim, control: int = 101) -> bytes:
    text = render_837p(
        list(claims),
        envelope(control),
        submitter_id="CLAIMGATE",
        receiver_id="SANDBOXCH",
        transaction_control_number=1,
        reference_id=f"BATCH{control}",
        created_at=NOW,
    )
    return text.encode()


def kinds(batch: InboundBatch) -> list[str]:
    return [f.name.split("-", 1)[1].removesuffix(".x12") for f in batch.files]


def one(batch: InboundBatch, kind: str) -> InboundFile:
    (found,) = [f for f in batch.files if f.name.endswith(f"-{kind}.x12")]
    return found


def read_999(file: InboundFile) -> Acknowledgment:
    return parse_999(next(iter(EnvelopeReader(file.content))))


def read_277(data: bytes) -> ClaimStatusReport:
    return parse_277(next(iter(EnvelopeReader(data))))


def read_835(file: InboundFile) -> Remittance:
    return parse_835(next(iter(EnvelopeReader(file.content))))


def assert_pyx12_clean(batch: InboundBatch) -> None:
    texts = {f.name: f.content.decode() for f in batch.files}
    assert validate_many(texts) == {name: [] for name in texts}


def run(
    *claims: Claim, clearinghouse: SandboxClearinghouse | None = None
) -> tuple[SandboxState, InboundBatch, InboundBatch]:
    """Submit one interchange, then fetch twice: acknowledgments, then the remittance."""
    sandbox = clearinghouse or SandboxClearinghouse()
    state, receipt = sandbox.submit(SandboxState(), interchange(*claims), now=NOW)
    assert not receipt.duplicate
    state, acks = sandbox.fetch(state, None)
    state, remits = sandbox.fetch(state, acks.cursor)
    return state, acks, remits


# -- the contract examples ------------------------------------------------------------------


def test_clearinghouse_claim_basic_acknowledged_then_paid_with_the_underpayment() -> None:
    state, acks, remits = run(contract_claim("claim-basic.json"))
    assert [f.name for f in acks.files] == ["000001-999.x12", "000002-277CA.x12"]
    assert acks.cursor == "000002"
    ack = read_999(one(acks, "999"))
    assert (ack.group_status, [s.status for s in ack.sets]) == ("A", ["A"])
    report = read_277(one(acks, "277CA").content)
    assert report.kind == "277CA"
    (claim,) = report.claims
    assert claim.patient_control_number == "MSFP-2026-0001"
    assert [(c.category, c.status) for c in claim.statuses[0].codes] == [("A2", "20")]
    assert claim.statuses[0].action_code == "WQ"
    assert claim.payer_claim_control_number is not None
    assert report.receivers[0].trace_number == "BATCH101"  # the 837's BHT03
    assert [f.name for f in remits.files] == ["000003-835.x12"]
    remittance = read_835(remits.files[0])
    assert remittance.findings == ()
    (paid,) = remittance.claims
    assert (paid.patient_control_number, paid.status_code, paid.paid) == (
        "MSFP-2026-0001",
        "1",
        D("149.2"),
    )
    assert paid.payer_claim_control_number == claim.payer_claim_control_number
    first, second = paid.lines
    # The deliberate underpayment: 99214 allowed 154.80 against SBX01's own 172.00.
    assert (first.line_item_control_number, first.allowed) == ("MSFP-0001-1", D("154.8"))
    assert (second.line_item_control_number, second.allowed) == ("MSFP-0001-2", D("18"))
    assert (remittance.payment.method, remittance.total_paid) == ("ACH", D("150.69"))
    assert [(p.reason_code, p.amount) for p in remittance.provider_adjustments] == [
        ("L6", D("-1.49"))
    ]
    assert_pyx12_clean(acks)
    assert_pyx12_clean(remits)
    record = state.claim("MSFP-2026-0001")
    assert record is not None and (record.state, record.paid) == ("finalized", D("149.20"))


def test_clearinghouse_medicare_claim_crosses_over_to_medicaid() -> None:
    _, acks, remits = run(contract_claim("claim-medicare-with-secondary.json"))
    assert kinds(acks) == ["999", "277CA"]
    remittance = read_835(one(remits, "835"))
    assert remittance.findings == ()
    (claim,) = remittance.claims
    assert claim.status_code == "19"
    assert "MA18" in claim.outpatient_remark_codes
    assert claim.crossover_carrier is not None
    assert (claim.crossover_carrier.last_name, claim.crossover_carrier.id) == (
        "Sandbox State Medicaid",
        "SBXMCD",
    )
    # First claim of the member: all to the Part B deductible, so nothing paid (BPR H NON).
    assert (remittance.payment.handling_code, remittance.payment.method) == ("H", "NON")
    assert_pyx12_clean(remits)


def test_clearinghouse_dependent_claim_accepted_and_paid() -> None:
    _, acks, remits = run(contract_claim("claim-dependent.json"))
    report = read_277(one(acks, "277CA").content)
    assert report.claims[0].statuses[0].category == "A2"
    remittance = read_835(one(remits, "835"))
    assert remittance.findings == ()
    (claim,) = remittance.claims
    assert claim.insured is not None and claim.insured.id == "W123456789"
    assert claim.patient is not None and claim.patient.id == ""  # a dependent has no id
    assert_pyx12_clean(acks)
    assert_pyx12_clean(remits)


def test_clearinghouse_one_835_per_payer_per_poll() -> None:
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(
        SandboxState(), interchange(contract_claim("claim-basic.json")), now=NOW
    )
    state, _ = sandbox.submit(
        state, interchange(contract_claim("claim-dependent.json"), control=102), now=NOW
    )
    state, _ = sandbox.submit(
        state,
        interchange(contract_claim("claim-medicare-with-secondary.json"), control=103),
        now=NOW,
    )
    state, acks = sandbox.fetch(state, None)
    assert kinds(acks) == ["999", "277CA"] * 3
    state, remits = sandbox.fetch(state, acks.cursor)
    assert kinds(remits) == ["835", "835"]
    remittances = [read_835(f) for f in remits.files]
    assert [r.payer.id if r.payer else None for r in remittances] == ["SBX01", "SBXMCR"]
    assert [[c.patient_control_number for c in r.claims] for r in remittances] == [
        ["MSFP-2026-0001", "MSFP-2026-0003"],
        ["MSFP-2026-0002"],
    ]
    assert all(r.findings == () for r in remittances)


# -- rejections ------------------------------------------------------------------------------


def test_clearinghouse_unknown_member_is_rejected_in_the_277ca() -> None:
    claim = contract_claim("claim-basic.json")
    unknown = dataclasses.replace(
        claim, subscriber=dataclasses.replace(claim.subscriber, member_id="UNK0000001")
    )
    state, acks, remits = run(unknown)
    assert read_999(one(acks, "999")).group_status == "A"
    report = read_277(one(acks, "277CA").content)
    assert report.sources[0].party is not None
    assert report.sources[0].party.entity_code == "PR"  # the payer rejects it
    status = report.claims[0].statuses[0]
    code = status.codes[0]
    assert (code.category, code.status, code.entity, status.action_code) == ("A7", "33", "IL", "U")
    assert report.receivers[0].rejected_quantity == D(1)
    assert remits.files == ()  # nothing to adjudicate
    assert_pyx12_clean(acks)
    record = state.claim("MSFP-2026-0001")
    assert record is not None and (record.state, record.rejection) == ("rejected", "A7:33:IL")


def test_clearinghouse_unknown_payer_is_rejected_by_the_clearinghouse() -> None:
    claim = dataclasses.replace(
        contract_claim("claim-basic.json"), trading_partner_service_id="ZZ999"
    )
    _, acks, remits = run(claim)
    report = read_277(one(acks, "277CA").content)
    party = report.sources[0].party
    assert party is not None and (party.entity_code, party.identifier) == ("AY", "SANDBOXCH")
    code = report.claims[0].statuses[0].codes[0]
    assert (code.category, code.status, code.entity) == ("A7", "26", "PR")
    assert remits.files == ()
    assert_pyx12_clean(acks)


def test_clearinghouse_garbled_claim_gets_999_r_at_the_segment() -> None:
    good = interchange(contract_claim("claim-basic.json")).decode()
    garbled = good.replace("CLM*MSFP-2026-0001*245*", "CLM*MSFP-2026-0001*2X5*")
    assert garbled != good
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(SandboxState(), garbled.encode(), now=NOW)
    state, acks = sandbox.fetch(state, None)
    assert kinds(acks) == ["999"]
    ack = read_999(acks.files[0])
    assert ack.group_status == "R"
    (rejected,) = ack.sets
    assert (rejected.status, rejected.error_codes) == ("R", ("5",))
    (error,) = rejected.segment_errors
    segments = garbled.split("~")
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    clm = next(i for i, s in enumerate(segments) if s.startswith("CLM*"))
    assert (error.segment_id, error.position, error.loop_id, error.error_code) == (
        "CLM",
        clm - st + 1,
        "2300",
        "8",
    )
    (element,) = error.element_errors
    assert (element.position.element, element.data_element_reference, element.error_code) == (
        2,
        "782",
        "6",
    )
    assert element.bad_value == "2X5"
    assert rejected.claim_ids == ("MSFP-2026-0001",)
    assert_pyx12_clean(acks)
    state, later = sandbox.fetch(state, acks.cursor)
    assert later.files == ()
    assert state.claim("MSFP-2026-0001") is None


def test_clearinghouse_truncated_interchange_gets_999_r() -> None:
    good = interchange(contract_claim("claim-basic.json")).decode()
    truncated = good[: good.index("SE*")]
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(SandboxState(), truncated.encode(), now=NOW)
    state, acks = sandbox.fetch(state, None)
    ack = read_999(one(acks, "999"))
    assert ack.group_status == "R"
    assert ack.sets[0].status == "R"
    assert ack.sets[0].error_codes == ("2",)  # transaction set trailer missing
    assert_pyx12_clean(acks)


def test_clearinghouse_unreadable_isa_still_gets_an_answer() -> None:
    sandbox = SandboxClearinghouse()
    state, receipt = sandbox.submit(SandboxState(), b"this is not X12", now=NOW)
    state, acks = sandbox.fetch(state, None)
    assert kinds(acks) == ["999"]
    assert read_999(acks.files[0]).group_status == "R"
    again, second = sandbox.submit(state, b"this is not X12", now=NOW)
    assert second.duplicate and again == state
    assert receipt.reference == second.reference


def test_clearinghouse_se_count_mismatch_is_ik5_4() -> None:
    good = interchange(contract_claim("claim-basic.json")).decode()
    count = good.split("SE*", 1)[1].split("*", 1)[0]
    bad = good.replace(f"SE*{count}*", f"SE*{int(count) + 1}*")
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(SandboxState(), bad.encode(), now=NOW)
    state, acks = sandbox.fetch(state, None)
    ack = read_999(acks.files[0])
    assert (ack.sets[0].status, ack.sets[0].error_codes) == ("R", ("4",))


# -- duplicates, cursors, delays --------------------------------------------------------------


def test_clearinghouse_same_interchange_twice_is_a_duplicate() -> None:
    sandbox = SandboxClearinghouse()
    data = interchange(contract_claim("claim-basic.json"))
    state, first = sandbox.submit(SandboxState(), data, now=NOW)
    again, second = sandbox.submit(state, data, now=datetime(2026, 11, 20, 11, 0))
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.reference == first.reference
    assert again == state  # no second set of files
    again, acks = sandbox.fetch(again, None)
    assert kinds(acks) == ["999", "277CA"]


def test_clearinghouse_same_control_number_other_bytes_is_rejected() -> None:
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(
        SandboxState(), interchange(contract_claim("claim-basic.json")), now=NOW
    )
    other = interchange(contract_claim("claim-dependent.json"))  # same ISA13 101
    state, receipt = sandbox.submit(state, other, now=NOW)
    assert not receipt.duplicate
    state, acks = sandbox.fetch(state, None)
    assert kinds(acks) == ["999", "277CA", "999"]
    duplicate = read_999(acks.files[2])
    assert duplicate.group_status == "R"
    assert [s.status for s in duplicate.sets] == ["R"]
    assert_pyx12_clean(acks)
    state, remits = sandbox.fetch(state, acks.cursor)
    assert [c.patient_control_number for c in read_835(remits.files[0]).claims] == [
        "MSFP-2026-0001"
    ]
    assert state.claim("MSFP-2026-0003") is None


def test_clearinghouse_cursor_replays_and_advances() -> None:
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(
        SandboxState(), interchange(contract_claim("claim-basic.json")), now=NOW
    )
    state, first = sandbox.fetch(state, None)
    # The caller crashed before saving first.cursor: the same cursor gives the same files.
    state, replay = sandbox.fetch(state, None)
    assert [f.name for f in replay.files][:2] == [f.name for f in first.files]
    assert replay.files[:2] == first.files
    state, newer = sandbox.fetch(state, first.cursor)
    assert [f.name for f in newer.files] == ["000003-835.x12"]
    state, nothing = sandbox.fetch(state, newer.cursor)
    assert (nothing.files, nothing.cursor) == ((), newer.cursor)
    with pytest.raises(GatewayError):
        sandbox.fetch(state, "not-a-cursor")


def test_clearinghouse_delays_are_configurable() -> None:
    sandbox = SandboxClearinghouse(ack_delay_polls=1, remit_delay_polls=3)
    state, _ = sandbox.submit(
        SandboxState(), interchange(contract_claim("claim-basic.json")), now=NOW
    )
    seen: list[list[str]] = []
    cursor = None
    for _ in range(4):
        state, batch = sandbox.fetch(state, cursor)
        cursor = batch.cursor
        seen.append(kinds(batch))
    assert seen == [[], ["999", "277CA"], [], ["835"]]
    with pytest.raises(ValueError, match="delays"):
        SandboxClearinghouse(ack_delay_polls=-1)


# -- state, determinism -----------------------------------------------------------------------


def test_clearinghouse_state_survives_json_between_calls() -> None:
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(
        SandboxState(), interchange(contract_claim("claim-basic.json")), now=NOW
    )
    stored = state.to_json()
    assert SandboxState.from_json(stored) == state
    restored, acks = sandbox.fetch(SandboxState.from_json(stored), None)
    direct, acks_direct = sandbox.fetch(state, None)
    assert (restored, acks) == (direct, acks_direct)
    restored, remits = sandbox.fetch(SandboxState.from_json(restored.to_json()), acks.cursor)
    assert read_835(remits.files[0]).claims[0].patient_control_number == "MSFP-2026-0001"
    with pytest.raises(ValueError):
        SandboxState.from_json('{"version": 0}')


def test_clearinghouse_same_claim_in_two_fresh_states_same_835_claim() -> None:
    one_run = run(contract_claim("claim-basic.json"))[2]
    other_run = run(contract_claim("claim-basic.json"))[2]
    assert one_run == other_run
    assert read_835(one_run.files[0]).claims == read_835(other_run.files[0]).claims


def test_clearinghouse_deductible_is_tracked_per_member() -> None:
    claim = contract_claim("claim-medicare-with-secondary.json")
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(SandboxState(), interchange(claim), now=NOW)
    info = dataclasses.replace(claim.claim_information, patient_control_number="MSFP-2026-0102")
    state, _ = sandbox.submit(
        state, interchange(dataclasses.replace(claim, claim_information=info), control=102), now=NOW
    )
    state, acks = sandbox.fetch(state, None)
    state, remits = sandbox.fetch(state, acks.cursor)
    first, second = read_835(remits.files[0]).claims
    deductible = [
        a.amount
        for c in (first, second)
        for ln in c.lines
        for a in ln.adjustments
        if a.reason == "1"
    ]
    assert sum(deductible, D(0)) == D("257.00")  # the Part B deductible, met once
    assert second.paid > 0


# -- 276 / 277 and 270 / 271 ------------------------------------------------------------------


PROVIDER = Provider("Maple Street Family Practice", "1234567893")
ADA = Person("Quill", "Ada", member_id="W123456789", birth_date=date(1962, 3, 14), gender="F")


def status_inquiry(*pcns: str) -> bytes:
    request = ClaimStatusRequest(
        payer=Payer("Sandbox Commercial PPO", "SBX01"),
        information_receiver=InformationReceiver("Maple Street Family Practice", "CLAIMGATE"),
        inquiries=tuple(
            ClaimStatusInquiry(PROVIDER, ADA, pcn, D("245.00"), date(2026, 11, 16)) for pcn in pcns
        ),
        reference_id="STATUS1",
    )
    return render_276(request, envelope(500, "", "")).encode()


def statuses(report: ClaimStatusReport) -> dict[str, tuple[str, str | None]]:
    return {
        c.patient_control_number or "": (c.statuses[0].category, c.statuses[0].codes[0].status)
        for c in report.claims
    }


def test_clearinghouse_276_before_and_after_adjudication() -> None:
    sandbox = SandboxClearinghouse()
    inquiry = status_inquiry("MSFP-2026-0001", "NOT-SENT-1")
    state = SandboxState()
    before = read_277(sandbox.claim_status(state, inquiry, now=NOW))
    assert before.kind == "277"
    assert statuses(before) == {"MSFP-2026-0001": ("A4", "35"), "NOT-SENT-1": ("A4", "35")}
    state, _ = sandbox.submit(state, interchange(contract_claim("claim-basic.json")), now=NOW)
    pending = read_277(sandbox.claim_status(state, inquiry, now=NOW))
    assert statuses(pending)["MSFP-2026-0001"] == ("P1", "20")
    state, acks = sandbox.fetch(state, None)
    state, remits = sandbox.fetch(state, acks.cursor)
    after = read_277(sandbox.claim_status(state, inquiry, now=NOW))
    assert after.findings == ()
    assert statuses(after) == {"MSFP-2026-0001": ("F1", "65"), "NOT-SENT-1": ("A4", "35")}
    final = next(c for c in after.claims if c.patient_control_number == "MSFP-2026-0001")
    remittance = read_835(remits.files[0])
    status = final.statuses[0]
    assert (status.total_charge, status.payment_amount) == (D("245.00"), D("149.2"))
    assert status.check_number == remittance.trace_number
    assert final.payer_claim_control_number == remittance.claims[0].payer_claim_control_number
    assert final.trace_number == "MSFP-2026-0001"  # the 276 TRN02, echoed


def test_clearinghouse_276_for_a_rejected_and_a_denied_claim() -> None:
    claim = contract_claim("claim-basic.json")
    rejected = dataclasses.replace(
        claim, subscriber=dataclasses.replace(claim.subscriber, member_id="UNK42")
    )
    late_line = dataclasses.replace(
        claim.claim_information.service_lines[0], service_date=date(2025, 1, 2)
    )
    denied_info = dataclasses.replace(
        claim.claim_information,
        patient_control_number="MSFP-2026-0099",
        service_lines=(late_line,),
        claim_charge_amount=late_line.charge_amount,
    )
    denied = dataclasses.replace(claim, claim_information=denied_info)
    sandbox = SandboxClearinghouse()
    state, _ = sandbox.submit(SandboxState(), interchange(rejected, denied), now=NOW)
    state, acks = sandbox.fetch(state, None)
    state, remits = sandbox.fetch(state, acks.cursor)
    (remitted,) = read_835(remits.files[0]).claims
    assert remitted.status_code == "4"
    assert [a.reason for ln in remitted.lines for a in ln.adjustments] == ["29"]
    report = read_277(
        sandbox.claim_status(state, status_inquiry("MSFP-2026-0001", "MSFP-2026-0099"), now=NOW)
    )
    assert statuses(report) == {"MSFP-2026-0001": ("A7", "33"), "MSFP-2026-0099": ("F2", "1")}


def eligibility_inquiry(payer_id: str = "SBX01") -> bytes:
    request = EligibilityRequest(
        payer=Payer("Sandbox", payer_id),
        provider=PROVIDER,
        inquiries=(
            EligibilityInquiry(ADA, "E-1", "1371234567"),
            EligibilityInquiry(Person("Nobody", "Nemo", member_id="UNK000"), "E-2", "1371234567"),
            EligibilityInquiry(
                ADA,
                "E-3",
                "1371234567",
                dependent=Person("Quill", "Milo", birth_date=date(2015, 9, 1)),
            ),
        ),
        reference_id="ELIG1",
    )
    return render_270(request, envelope(600, "", "")).encode()


def read_271(data: bytes) -> EligibilityResponse:
    return parse_271(next(iter(EnvelopeReader(data))))


def test_clearinghouse_270_known_and_unknown_members() -> None:
    response = read_271(
        SandboxClearinghouse().eligibility(SandboxState(), eligibility_inquiry(), now=NOW)
    )
    assert (response.reference_id, response.findings) == ("ELIG1", ())
    known, unknown, parent, dependent = response.members  # the dependent's HL 22, then 23
    assert known.active and known.trace_numbers == ("E-1",)
    assert [b.amount for b in known.copays] == [D("20.00")]
    assert [b.percent for b in known.coinsurance] == [D("0.20")]
    assert [(b.time_period, b.amount) for b in known.deductibles] == [
        ("23", D("500.00")),
        ("29", D(0)),
    ]
    assert not unknown.active
    assert [(r.loop, r.reject_reason, r.follow_up_action) for r in unknown.rejections] == [
        ("2100C", "75", "C")
    ]
    assert (parent.level, parent.benefits) == ("subscriber", ())
    assert (dependent.level, dependent.active, dependent.trace_numbers) == (
        "dependent",
        True,
        ("E-3",),
    )


def test_clearinghouse_270_deductible_remaining_follows_adjudication() -> None:
    sandbox = SandboxClearinghouse()
    claim = contract_claim("claim-medicare-with-secondary.json")
    state, _ = sandbox.submit(SandboxState(), interchange(claim), now=NOW)
    request = EligibilityRequest(
        payer=Payer("Sandbox Medicare Part B", "SBXMCR"),
        provider=PROVIDER,
        inquiries=(
            EligibilityInquiry(
                Person("Brandt", "Walter", member_id="1EG4TE5MK73"), "E-9", "1371234567"
            ),
        ),
        reference_id="ELIG2",
    )
    inquiry = render_270(request, envelope(601, "", "")).encode()
    before = read_271(sandbox.eligibility(state, inquiry, now=NOW)).members[0]
    assert [b.amount for b in before.remaining] == [D("257.00")]
    state, acks = sandbox.fetch(state, None)
    state, _ = sandbox.fetch(state, acks.cursor)
    after = read_271(sandbox.eligibility(state, inquiry)).members[0]
    assert [b.amount for b in after.remaining] == [D("115.00")]


def test_clearinghouse_270_for_a_payer_it_does_not_have() -> None:
    response = read_271(
        SandboxClearinghouse().eligibility(SandboxState(), eligibility_inquiry("NOPE"))
    )
    assert [(r.loop, r.reject_reason) for r in response.rejections] == [("2100A", "79")]
    assert response.members == ()


def test_clearinghouse_answers_are_deterministic() -> None:
    sandbox = SandboxClearinghouse()
    state = SandboxState()
    assert sandbox.claim_status(state, status_inquiry("X"), now=NOW) == sandbox.claim_status(
        state, status_inquiry("X"), now=NOW
    )
    assert sandbox.eligibility(state, eligibility_inquiry()) == sandbox.eligibility(
        state, eligibility_inquiry()
    )


def test_clearinghouse_file_names_sort_by_arrival_and_show_the_type() -> None:
    state, acks, remits = run(contract_claim("claim-basic.json"))
    names = [f.name for f in (*acks.files, *remits.files)]
    assert names == sorted(names)
    assert [n.split("-", 1)[1] for n in names] == ["999.x12", "277CA.x12", "835.x12"]
    assert len({f.name for f in state.files}) == len(state.files)


def test_clearinghouse_keeps_no_interchange_text_once_remitted() -> None:
    state, _, _ = run(contract_claim("claim-basic.json"))
    assert all(i.text is None for i in state.interchanges)
    assert state.pending == ()


def _line(code: str, charge: str) -> ServiceLine:
    return ServiceLine(
        service_date=date(2026, 11, 16),
        procedure_code=code,
        charge_amount=D(charge),
        unit_count=D(1),
        diagnosis_pointers=(1,),
        provider_control_number=f"X-{code}",
    )


def test_clearinghouse_denials_reach_the_835() -> None:
    claim = contract_claim("claim-medicare-with-secondary.json")
    lines = (
        _line("99213", "130.00"),
        _line("36415", "15.00"),
        _line("20610", "150.00"),
        _line("99396", "210.00"),
    )
    info = dataclasses.replace(
        claim.claim_information,
        service_lines=lines,
        claim_charge_amount=sum((ln.charge_amount for ln in lines), D(0)),
        other_subscribers=(),
    )
    _, _, remits = run(dataclasses.replace(claim, claim_information=info))
    (remitted,) = read_835(remits.files[0]).claims
    assert [[(a.group, a.reason) for a in ln.adjustments] for ln in remitted.lines][1:] == [
        [("CO", "97")],
        [("CO", "16")],
        [("PR", "96")],
    ]
    assert [ln.remark_codes for ln in remitted.lines][1:] == [("M15",), ("M78",), ("N130",)]
    assert_pyx12_clean(remits)
