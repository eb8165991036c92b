"""Claim follow-up: planning 276 batches and skips, timely-filing risk on its boundary, the 276
built from contract claims and read back, and what each 277 answer decides."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.followup import (
    ACKNOWLEDGED,
    ERROR,
    FINALIZED,
    INFO_REQUESTED,
    NEXT_ACTION,
    NO_ANSWER,
    NOT_FOUND,
    PENDING,
    REJECTED,
    SKIP_REASONS,
    UNKNOWN,
    DueClaim,
    build_276_request,
    decide_followup,
    due_claim,
    next_action_after,
    plan_followups,
    service_dates,
)
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import Claim
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.claims.worklist import STATUS_CHECK_SOURCE
from chalicelib.payers.gateways.sandbox.clearinghouse import SandboxClearinghouse, SandboxState
from chalicelib.payers.policies import COMMERCIAL, PayerPolicy
from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.read.status277 import ClaimStatus, parse_277
from chalicelib.x12.write.claim837p import render_837p
from chalicelib.x12.write.status276 import render_276
from chalicelib.x12.writer import EnvelopeValues
from tests.conftest import CONTRACT, X12_SAMPLES

SAMPLES_277 = X12_SAMPLES / "277"

NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
SENT_AT = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
SENT_ON = SENT_AT.date()
CAPPED = PayerPolicy(30, 15, 90, 180, crosses_over_to_secondary=False, max_status_checks=3)
# COMMERCIAL files within 90 days: the basic claim's service date 2026-11-16 -> 2027-02-14.
DEADLINE = date(2027, 2, 14)


@cache
def contract_claim(name: str) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / name).read_text()).to_claim()


def due(
    name: str = "claim-basic.json",
    *,
    claim_id: str = "c1",
    tenant_id: str = "t1",
    payer_id: str = "SBX01",
    gateway: str = "sandbox",
    status: Status = Status.SUBMITTED,
    checks: int = 0,
    submitted_on: date | None = SENT_ON,
    payer_claim_control_number: str | None = None,
    policy: PayerPolicy = COMMERCIAL,
    claim: Claim | None = None,
) -> DueClaim:
    claim = claim or contract_claim(name)
    first, last = service_dates(claim)
    info = claim.claim_information
    return DueClaim(
        tenant_id=tenant_id,
        claim_id=claim_id,
        payer_id=payer_id,
        gateway=gateway,
        status=status,
        submitted_on=submitted_on,
        service_date_from=first,
        service_date_to=last,
        status_checks=checks,
        charge_amount=info.claim_charge_amount,
        patient_control_number=info.patient_control_number,
        payer_claim_control_number=payer_claim_control_number,
        claim=claim,
        policy=policy,
    )


def record(*path: Event, checks: int = 0, claim_id: str = "c1") -> ClaimRecord:
    """A basic claim created, then moved along `path` (SENT first unless given), then with
    `checks` status-check notes on its history, one a day from 2026-12-17."""
    claim = contract_claim("claim-basic.json")
    created = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)
    current = ClaimRecord(
        tenant_id="t1",
        claim_id=claim_id,
        status=Status.QUEUED,
        claim=claim,
        created_at=created,
        updated_at=created,
        events=(ClaimEvent(1, created, "api", Event.CREATED, None, Status.QUEUED),),
        event_count=1,
    )
    for step, event in enumerate(path or (Event.SENT,)):
        current, _ = with_event(current, event, at=SENT_AT + timedelta(hours=step), source="test")
    for day in range(checks):
        current, _ = with_event(
            current,
            Event.NOTE,
            at=datetime(2026, 12, 17, 9, 0, tzinfo=UTC) + timedelta(days=day),
            source=STATUS_CHECK_SOURCE,
        )
    return current


# -- planning ----------------------------------------------------------------------------------


def test_followup_plan_batches_per_tenant_gateway_payer_and_size() -> None:
    claims = [
        due(claim_id="a1"),
        due(claim_id="a2"),
        due(claim_id="b1", tenant_id="t2"),
        due(claim_id="a3"),
        due(claim_id="m1", payer_id="SBXMCR"),
        due(claim_id="g1", gateway="other"),
        due(claim_id="a4", name="claim-dependent.json"),
    ]
    plan = plan_followups(claims, now=NOW, batch_size=2)
    assert plan.skipped == ()
    shape = [
        (b.tenant_id, b.gateway, b.payer_id, tuple(i.claim_id for i in b.inquiries))
        for b in plan.batches
    ]
    assert shape == [
        ("t1", "sandbox", "SBX01", ("a1", "a2")),
        ("t1", "sandbox", "SBX01", ("a3", "a4")),
        ("t2", "sandbox", "SBX01", ("b1",)),
        ("t1", "sandbox", "SBXMCR", ("m1",)),
        ("t1", "other", "SBX01", ("g1",)),
    ]
    assert all(len(b.inquiries) <= 2 for b in plan.batches)
    first = plan.batches[0]
    assert (first.payer.name, first.payer.payer_id) == ("Sandbox Commercial PPO", "SBX01")
    assert (first.practice_name, first.practice_npi) == (
        "Maple Street Family Practice",
        "1234567893",
    )
    assert [i.check_number for i in first.inquiries] == [1, 1]


def test_followup_plan_splits_practices_one_receiver_per_276() -> None:
    claim = contract_claim("claim-basic.json")
    other = tuple(
        dataclasses.replace(p, npi="1245319599", organization_name="Oak Clinic")
        if p.provider_type == "BillingProvider"
        else p
        for p in claim.providers
    )
    plan = plan_followups(
        [due(claim_id="a1"), due(claim_id="o1", claim=dataclasses.replace(claim, providers=other))],
        now=NOW,
        batch_size=10,
    )
    assert [(b.practice_npi, b.practice_name) for b in plan.batches] == [
        ("1234567893", "Maple Street Family Practice"),
        ("1245319599", "Oak Clinic"),
    ]


def test_followup_plan_skips_what_needs_no_check_with_a_reason() -> None:
    claim = contract_claim("claim-dependent.json")
    assert claim.dependent is not None
    no_birth_date = dataclasses.replace(
        claim, dependent=dataclasses.replace(claim.dependent, date_of_birth=None)
    )
    claims = [
        due(claim_id="paid", status=Status.PAID),
        due(claim_id="partial", status=Status.PARTIALLY_PAID),
        due(claim_id="denied", status=Status.DENIED),
        due(claim_id="reversed", status=Status.REVERSED),
        due(claim_id="closed", status=Status.CLOSED),
        due(claim_id="queued", status=Status.QUEUED),
        due(claim_id="scrub", status=Status.REJECTED),
        due(claim_id="ch", status=Status.CLEARINGHOUSE_REJECTED),
        due(claim_id="pr", status=Status.PAYER_REJECTED),
        due(claim_id="capped", checks=3, policy=CAPPED),
        due(claim_id="early", submitted_on=date(2026, 12, 1)),
        due(claim_id="nodob", claim=no_birth_date),
        due(claim_id="ok", status=Status.PENDING, checks=3),
    ]
    plan = plan_followups(claims, now=NOW, batch_size=50)
    reasons = {s.claim_id: s.reason for s in plan.skipped}
    assert reasons == {
        "paid": "adjudicated",
        "partial": "adjudicated",
        "denied": "adjudicated",
        "reversed": "adjudicated",
        "closed": "closed",
        "queued": "not_at_payer",
        "scrub": "not_at_payer",
        "ch": "not_at_payer",
        "pr": "not_at_payer",
        "capped": "checks_exhausted",
        "early": "not_due",
        "nodob": "cannot_inquire",
    }
    assert set(reasons.values()) <= set(SKIP_REASONS)
    early = next(s for s in plan.skipped if s.claim_id == "early")
    assert early.next_check_at == datetime(2026, 12, 31, 9, 0, tzinfo=UTC)  # sent + 30 days
    assert all(s.next_check_at is None for s in plan.skipped if s.claim_id != "early")
    [batch] = plan.batches
    assert [(i.claim_id, i.check_number) for i in batch.inquiries] == [("ok", 4)]


def test_followup_plan_checks_each_claim_once_and_needs_a_batch_size() -> None:
    plan = plan_followups([due(), due(), due(claim_id="c2")], now=NOW, batch_size=5)
    assert [i.claim_id for b in plan.batches for i in b.inquiries] == ["c1", "c2"]
    with pytest.raises(ValueError, match="batch_size"):
        plan_followups([due()], now=NOW, batch_size=0)


def test_followup_plan_reference_id_is_repeatable_and_follows_the_check() -> None:
    first = plan_followups([due()], now=NOW, batch_size=5).batches[0].reference_id
    again = plan_followups([due()], now=NOW, batch_size=5).batches[0].reference_id
    later = plan_followups([due(checks=1)], now=NOW, batch_size=5).batches[0].reference_id
    assert first == again != later
    assert len(first) <= 50 and first.isalnum()


@pytest.mark.parametrize(("days_left", "at_risk"), [(29, True), (30, True), (31, False)])
def test_followup_timely_filing_risk_on_the_30_day_boundary(days_left: int, at_risk: bool) -> None:
    now = datetime.combine(DEADLINE - timedelta(days=days_left), NOW.timetz())
    plan = plan_followups(
        [
            due(claim_id="submitted"),
            due(claim_id="info", status=Status.INFO_REQUESTED),
            due(claim_id="queued", status=Status.QUEUED),
            due(claim_id="rejected", status=Status.PAYER_REJECTED),
            due(claim_id="accepted", status=Status.ACCEPTED),
            due(claim_id="pending", status=Status.PENDING),
        ],
        now=now,
        batch_size=10,
    )
    flagged = {item.claim_id for item in plan.at_risk}
    expected = {"submitted", "info", "queued", "rejected"} if at_risk else set()
    assert flagged == expected  # accepted by the payer: the filing limit no longer runs
    planned = [i for b in plan.batches for i in b.inquiries]
    assert {i.filing_deadline for i in planned} | {s.filing_deadline for s in plan.skipped} == {
        DEADLINE
    }


def test_followup_timely_filing_risk_stays_after_the_deadline() -> None:
    plan = plan_followups([due()], now=datetime(2027, 3, 1, tzinfo=UTC), batch_size=1)
    assert [i.claim_id for i in plan.at_risk] == ["c1"]


# -- the 276 -----------------------------------------------------------------------------------

ENVELOPE = EnvelopeValues(
    sender_qualifier="ZZ",
    sender_id="CLAIMGATE",
    receiver_qualifier="ZZ",
    receiver_id="SANDBOXCH",
    interchange_control_number=500,
    group_control_number=500,
    date=NOW.date(),
    time="0900",
    usage_indicator="T",
)


def _read(text: str) -> TransactionSet:
    reader = EnvelopeReader(text.encode())
    [ts] = list(reader)
    assert reader.findings == [] and ts.findings == []
    return ts


def _segments(ts: TransactionSet, tag: str) -> list[list[str]]:
    return [s for s in ts.segments if s[0] == tag]


def test_followup_276_for_the_contract_claims_reads_back_clean() -> None:
    plan = plan_followups(
        [
            due(claim_id="basic", payer_claim_control_number="PCN0001"),
            due("claim-dependent.json", claim_id="dependent"),
        ],
        now=NOW,
        batch_size=10,
    )
    [batch] = plan.batches
    request = build_276_request(batch)
    ts = _read(render_276(request, ENVELOPE))
    assert ts.implementation_reference == "005010X212"
    assert _segments(ts, "BHT")[0][3] == batch.reference_id
    nm1 = {s[1]: s for s in _segments(ts, "NM1")}
    assert nm1["PR"][3:] == ["Sandbox Commercial PPO", "", "", "", "", "PI", "SBX01"]
    assert nm1["41"][8:] == ["XX", "1234567893"]  # the practice by NPI
    assert nm1["1P"][8:] == ["XX", "1234567893"]
    assert nm1["IL"][3:5] == ["Quill", "Ada"] and nm1["IL"][8:] == ["MI", "W123456789"]
    assert nm1["QC"][3:5] == ["Quill", "Milo"]
    # One subscriber HL (22) with the dependent (23) under it; the subscriber is also a patient.
    assert [s[3] for s in _segments(ts, "HL")] == ["20", "21", "19", "22", "23"]
    assert [s[2] for s in _segments(ts, "DMG")] == ["19620314", "20150901"]
    assert [s[1:] for s in _segments(ts, "REF")] == [
        ["1K", "PCN0001"],
        ["EJ", "MSFP-2026-0001"],
        ["EJ", "MSFP-2026-0003"],
    ]
    assert [s[1:] for s in _segments(ts, "AMT")] == [["T3", "245.00"], ["T3", "130.00"]]
    assert [s[1:] for s in _segments(ts, "DTP")] == [
        ["472", "RD8", "20261116-20261116"],
        ["472", "RD8", "20261118-20261118"],
    ]


def test_followup_276_names_the_practice_by_etin_when_given() -> None:
    [batch] = plan_followups([due()], now=NOW, batch_size=1).batches
    ts = _read(render_276(build_276_request(batch, receiver_etin="CLAIMGATE"), ENVELOPE))
    receiver = next(s for s in _segments(ts, "NM1") if s[1] == "41")
    assert receiver[3] == "Maple Street Family Practice"
    assert receiver[8:] == ["46", "CLAIMGATE"]


def test_followup_276_service_range_spans_every_line() -> None:
    claim = contract_claim("claim-basic.json")
    first, second = claim.claim_information.service_lines
    lines = (first, dataclasses.replace(second, service_date=date(2026, 11, 18)))
    info = dataclasses.replace(claim.claim_information, service_lines=lines)
    [batch] = plan_followups(
        [due(claim=dataclasses.replace(claim, claim_information=info))], now=NOW, batch_size=1
    ).batches
    ts = _read(render_276(build_276_request(batch), ENVELOPE))
    assert _segments(ts, "DTP")[0][3] == "20261116-20261118"


# -- 277 answers -------------------------------------------------------------------------------


def claim_277(*stcs: str, ref_1k: str | None = "PAYER123", entity: str = "PR") -> ClaimStatus:
    """A one-claim 277 (X212) for the basic claim with the given STC segments."""
    body = [
        "ST*277*0001*005010X212",
        "BHT*0010*08*FU1*20261220*0900*DG",
        "HL*1**20*1",
        f"NM1*{entity}*2*SANDBOX COMMERCIAL PPO*****PI*SBX01",
        "HL*2*1*21*1",
        "NM1*41*2*MAPLE STREET FAMILY PRACTICE*****46*CLAIMGATE",
        "HL*3*2*19*1",
        "NM1*1P*2*MAPLE STREET FAMILY PRACTICE*****XX*1234567893",
        "HL*4*3*22*0",
        "NM1*IL*1*QUILL*ADA****MI*W123456789",
        "TRN*2*MSFP-2026-0001",
        *(f"STC*{stc}" for stc in stcs),
        *([f"REF*1K*{ref_1k}"] if ref_1k else []),
        "REF*EJ*MSFP-2026-0001",
        "DTP*472*RD8*20261116-20261116",
    ]
    text = (
        "ISA*00*          *00*          *ZZ*SBX01          *ZZ*CLAIMGATE      "
        "*261220*0900*^*00501*000000001*0*T*:~"
        "GS*HN*SBX01*CLAIMGATE*20261220*0900*1*X*005010X212~"
        + "".join(f"{s}~" for s in body)
        + f"SE*{len(body) + 1}*0001~GE*1*1~IEA*1*000000001~"
    )
    report = parse_277(_read(text))
    [claim] = report.claims
    return claim


ACCEPTED = (Event.SENT, Event.PAYER_ACCEPTED)


@pytest.mark.parametrize(
    ("stc", "answer", "event", "status_after", "next_days", "kinds"),
    [
        ("P1:20*20261220**245.00", PENDING, Event.STATUS_PENDING, Status.PENDING, 15, []),
        ("P3:317*20261220", PENDING, Event.STATUS_PENDING, Status.PENDING, 15, []),
        ("F1:65*20261220**245.00*149.20", FINALIZED, Event.STATUS_PENDING, Status.PENDING, 30, []),
        ("F2:88:QC*20261220", FINALIZED, Event.STATUS_PENDING, Status.PENDING, 30, []),
        (
            "R1:21*20261220",
            INFO_REQUESTED,
            Event.INFO_REQUESTED,
            Status.INFO_REQUESTED,
            15,
            ["info_requested"],
        ),
        ("E1:484*20261220", ERROR, Event.NOTE, Status.ACCEPTED, 15, []),
        ("E0:0*20261220", ERROR, Event.NOTE, Status.ACCEPTED, 15, []),
        ("A2:20*20261220", ACKNOWLEDGED, Event.PAYER_ACCEPTED, Status.ACCEPTED, 15, []),
        ("A1:19*20261220", ACKNOWLEDGED, Event.NOTE, Status.ACCEPTED, 15, []),
        ("X9:1*20261220", UNKNOWN, Event.NOTE, Status.ACCEPTED, 15, []),
        (
            "A4:35*20261220",
            NOT_FOUND,
            Event.PAYER_REJECTED,
            Status.PAYER_REJECTED,
            None,
            ["not_found_at_payer"],
        ),
        (
            "A7:33:IL*20261220",
            NOT_FOUND,
            Event.PAYER_REJECTED,
            Status.PAYER_REJECTED,
            None,
            ["not_found_at_payer"],
        ),
        (
            "D0:35*20261220",
            NOT_FOUND,
            Event.PAYER_REJECTED,
            Status.PAYER_REJECTED,
            None,
            ["not_found_at_payer"],
        ),
        (
            "A7:562:85*20261220",
            REJECTED,
            Event.PAYER_REJECTED,
            Status.PAYER_REJECTED,
            None,
            ["payer_rejected"],
        ),
        (
            "A3:21*20261220",
            REJECTED,
            Event.PAYER_REJECTED,
            Status.PAYER_REJECTED,
            None,
            ["payer_rejected"],
        ),
    ],
)
def test_followup_decides_each_277_family(
    stc: str,
    answer: str,
    event: Event,
    status_after: Status,
    next_days: int | None,
    kinds: list[str],
) -> None:
    before = record(*ACCEPTED)
    decision = decide_followup(claim_277(stc), record=before, policy=COMMERCIAL, now=NOW)
    assert (decision.answer, decision.event) == (answer, event)
    assert decision.codes == (stc.partition("*")[0],)
    assert decision.check_number == 1
    assert decision.source == STATUS_CHECK_SOURCE
    expected_next = None if next_days is None else NOW + timedelta(days=next_days)
    assert decision.next_check_at == expected_next
    assert decision.next_action == (None if next_days is None else NEXT_ACTION)
    assert [item.kind for item in decision.worklist] == kinds
    assert all(item.codes == decision.codes for item in decision.worklist)
    assert decision.detail["answer"] == answer
    # The decision applies through the lifecycle as it is.
    after, _ = with_event(
        before, decision.event, at=NOW, source=decision.source, codes=decision.codes
    )
    assert after.status is status_after


def test_followup_records_the_payer_claim_number_and_unknown_categories() -> None:
    decision = decide_followup(
        claim_277("X9:1*20261220", ref_1k="PCN77"), record=record(), policy=COMMERCIAL, now=NOW
    )
    assert decision.detail == {
        "check": "1",
        "payerClaimControlNumber": "PCN77",
        "unknownCategory": "true",
        "answer": UNKNOWN,
    }


def test_followup_no_answer_for_the_claim_is_a_note_and_a_retry() -> None:
    decision = decide_followup(None, record=record(checks=2), policy=COMMERCIAL, now=NOW)
    assert (decision.answer, decision.event, decision.codes) == (NO_ANSWER, Event.NOTE, ())
    assert decision.check_number == 3
    assert decision.next_check_at == NOW + timedelta(days=15)
    assert decision.worklist == ()


def test_followup_the_tr3_claim_level_sample() -> None:
    """P3:317, F0:3 and F2:88:QC from the X212 sample: pending, then two finalized claims."""
    [ts] = list(EnvelopeReader((SAMPLES_277 / "claim-level-status.277").read_bytes()))
    report = parse_277(ts)
    decisions = [
        decide_followup(status, record=record(), policy=COMMERCIAL, now=NOW)
        for status in report.claims
    ]
    assert [(d.answer, d.event, d.codes) for d in decisions] == [
        (PENDING, Event.STATUS_PENDING, ("P3:317",)),
        (FINALIZED, Event.STATUS_PENDING, ("F0:3",)),
        (FINALIZED, Event.STATUS_PENDING, ("F2:88:QC",)),
    ]
    assert [d.next_check_at for d in decisions] == [
        NOW + timedelta(days=15),
        NOW + timedelta(days=30),
        NOW + timedelta(days=30),
    ]
    assert [d.detail["payerClaimControlNumber"] for d in decisions] == [
        "05347006051",
        "0529675341",
        "051681010827",
    ]


def test_followup_event_the_lifecycle_refuses_becomes_a_note() -> None:
    pending = record(Event.SENT, Event.STATUS_PENDING)
    decision = decide_followup(claim_277("A2:20"), record=pending, policy=COMMERCIAL, now=NOW)
    assert (decision.event, decision.detail["refused"]) == (Event.NOTE, "payer_accepted")
    asked = record(Event.SENT, Event.INFO_REQUESTED)
    lost = decide_followup(claim_277("A4:35"), record=asked, policy=COMMERCIAL, now=NOW)
    assert (lost.event, lost.detail["refused"]) == (Event.NOTE, "payer_rejected")
    assert [item.kind for item in lost.worklist] == ["not_found_at_payer"]
    assert lost.next_check_at is None


def test_followup_late_answer_for_a_claim_no_longer_at_the_payer_schedules_nothing() -> None:
    paid = record(Event.SENT, Event.REMIT_PAID)
    decision = decide_followup(claim_277("P1:20"), record=paid, policy=CAPPED, now=NOW)
    assert (decision.event, decision.detail["refused"]) == (Event.NOTE, "status_pending")
    assert (decision.next_check_at, decision.worklist) == (None, ())
    appealed = record(Event.SENT, Event.REMIT_DENIED, Event.APPEAL)
    followed = decide_followup(claim_277("F1:65"), record=appealed, policy=CAPPED, now=NOW)
    assert followed.event is Event.STATUS_PENDING  # stays appealed, still followed
    assert followed.next_check_at == NOW + timedelta(days=30)


def test_followup_a_clearinghouse_277_rejection_before_acceptance() -> None:
    decision = decide_followup(
        claim_277("A3:21", entity="AY"), record=record(), policy=COMMERCIAL, now=NOW
    )
    assert (decision.answer, decision.event) == (REJECTED, Event.CLEARINGHOUSE_REJECTED)
    assert [item.kind for item in decision.worklist] == ["clearinghouse_rejected"]
    assert decision.next_check_at is None


def test_followup_stops_after_max_status_checks_with_no_response() -> None:
    second = decide_followup(claim_277("P1:20"), record=record(checks=1), policy=CAPPED, now=NOW)
    assert second.next_check_at is not None and second.worklist == ()
    third = decide_followup(claim_277("P1:20"), record=record(checks=2), policy=CAPPED, now=NOW)
    assert (third.check_number, third.event, third.next_check_at) == (
        3,
        Event.STATUS_PENDING,
        None,
    )
    [item] = third.worklist
    assert (item.kind, item.codes, item.amount, item.since) == (
        "no_response",
        ("P1:20",),
        Decimal("245.00"),
        NOW,
    )
    silent = decide_followup(None, record=record(checks=2), policy=CAPPED, now=NOW)
    assert [i.kind for i in silent.worklist] == ["no_response"] and silent.next_check_at is None
    asked = decide_followup(claim_277("R1:21"), record=record(checks=2), policy=CAPPED, now=NOW)
    assert [i.kind for i in asked.worklist] == ["info_requested", "no_response"]
    unlimited = decide_followup(
        claim_277("P1:20"), record=record(checks=40), policy=COMMERCIAL, now=NOW
    )
    assert unlimited.next_check_at == NOW + timedelta(days=15)


def test_followup_answers_from_the_sandbox_clearinghouse() -> None:
    """Plan -> 276 -> the sandbox's 277 -> decisions: unknown, then pending, then finalized."""
    sandbox = SandboxClearinghouse()
    envelope = dataclasses.replace(ENVELOPE, date=date(2026, 11, 20))
    [batch] = plan_followups([due()], now=NOW, batch_size=1).batches
    inquiry = render_276(build_276_request(batch, receiver_etin="CLAIMGATE"), envelope).encode()

    def answer(state: SandboxState) -> str:
        report = parse_277(
            next(iter(EnvelopeReader(sandbox.claim_status(state, inquiry, now=NOW))))
        )
        [status] = report.claims
        return decide_followup(status, record=record(*ACCEPTED), policy=COMMERCIAL, now=NOW).answer

    state = SandboxState()
    assert answer(state) == NOT_FOUND
    claim_837 = render_837p(
        [contract_claim("claim-basic.json")],
        dataclasses.replace(envelope, functional_id="HC", implementation_reference="005010X222A1"),
        submitter_id="CLAIMGATE",
        receiver_id="SANDBOXCH",
        transaction_control_number=1,
        reference_id="BATCH101",
        created_at=datetime(2026, 11, 20, 10, 30),
    ).encode()
    state, _ = sandbox.submit(state, claim_837, now=datetime(2026, 11, 20, 10, 30))
    assert answer(state) == PENDING
    state, acks = sandbox.fetch(state, None)
    state, _ = sandbox.fetch(state, acks.cursor)
    assert answer(state) == FINALIZED


# -- scheduling --------------------------------------------------------------------------------


def test_followup_first_check_counts_from_submission() -> None:
    sent = record()
    assert next_action_after(sent, COMMERCIAL, SENT_AT) == datetime(2026, 12, 17, 8, 0, tzinfo=UTC)
    accepted = record(*ACCEPTED)
    later = SENT_AT + timedelta(days=2)
    assert next_action_after(accepted, COMMERCIAL, later) == datetime(
        2026, 12, 17, 8, 0, tzinfo=UTC
    )
    # Never in the past: a claim accepted after its first check was due is checked now.
    overdue = datetime(2027, 1, 5, tzinfo=UTC)
    assert next_action_after(accepted, COMMERCIAL, overdue) == overdue


def test_followup_next_check_after_earlier_checks_and_none_when_done() -> None:
    checked = record(Event.SENT, Event.STATUS_PENDING, checks=2)  # last check 2026-12-18
    assert next_action_after(checked, COMMERCIAL, NOW) == datetime(2027, 1, 2, 9, 0, tzinfo=UTC)
    assert next_action_after(record(checks=3), CAPPED, NOW) is None
    assert next_action_after(record(Event.SENT, Event.REMIT_PAID), COMMERCIAL, NOW) is None
    assert next_action_after(record(Event.SENT, Event.ACK_REJECTED), COMMERCIAL, NOW) is None


def test_followup_due_claim_from_a_stored_record() -> None:
    stored = record(*ACCEPTED, checks=2)
    stored, _ = with_event(
        stored,
        Event.STATUS_PENDING,
        at=NOW,
        source="277",
        detail={"payerClaimControlNumber": "PCN55"},
    )
    claim = contract_claim("claim-basic.json")
    item = due_claim(stored, claim, gateway="sandbox", policy=COMMERCIAL)
    assert (item.tenant_id, item.claim_id, item.payer_id, item.gateway) == (
        "t1",
        "c1",
        "SBX01",
        "sandbox",
    )
    assert (item.status, item.submitted_on, item.status_checks) == (
        Status.PENDING,
        SENT_AT.date(),
        2,
    )
    assert (item.service_date_from, item.service_date_to) == (date(2026, 11, 16),) * 2
    assert item.payer_claim_control_number == "PCN55"
    assert (item.charge_amount, item.patient_control_number) == (
        Decimal("245.00"),
        "MSFP-2026-0001",
    )
