"""The worklist: every kind raised by a claim built to raise it, denial actions by CARC, the
secondary-payer rule, timely-filing risk on its boundary, and the sort order."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import Claim
from chalicelib.claims.posting import (
    PostedAdjustment,
    Posting,
    current_postings,
    post_claim_payment,
)
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.claims.work_items import WORKLIST_KINDS, WorklistItem
from chalicelib.claims.worklist import (
    DENIAL_ACTIONS,
    KIND_ACTIONS,
    STATUS_CHECK_SOURCE,
    denial_action,
    is_not_found,
    items_for_claim,
    primary_adjustment,
    worklist_sort_key,
)
from chalicelib.payers.policies import COMMERCIAL, PayerPolicy
from chalicelib.x12.read.remit835 import iter_remittances

CONTRACT = Path(__file__).resolve().parents[2] / "examples"
BASIC = "claim-basic.json"
MEDICARE = "claim-medicare-with-secondary.json"
NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
CREATED = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)
CAPPED = PayerPolicy(30, 15, 90, 180, crosses_over_to_secondary=False, max_status_checks=3)
DEADLINE = date(2027, 2, 14)  # COMMERCIAL: 90 days from the basic claim's 2026-11-16


@cache
def contract_claim(name: str = BASIC) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / name).read_text()).to_claim()


def record(
    *path: Event,
    codes: tuple[str, ...] = (),
    checks: int = 0,
    name: str = BASIC,
    next_action: str | None = None,
) -> ClaimRecord:
    """A stored claim moved along `path` a day a step from its creation (`codes` on the last
    step), then `checks` status-check notes."""
    info = contract_claim(name).claim_information
    current = ClaimRecord(
        tenant_id="t1",
        claim_id=f"claim-{info.patient_control_number}",
        status=Status.QUEUED,
        claim=contract_claim(name),
        created_at=CREATED,
        updated_at=CREATED,
        events=(ClaimEvent(1, CREATED, "api", Event.CREATED, None, Status.QUEUED),),
        event_count=1,
    )
    for step, event in enumerate(path, 1):
        last = step == len(path)
        current, _ = with_event(
            current,
            event,
            at=CREATED + timedelta(days=step),
            source="test",
            codes=codes if last else (),
        )
    for check in range(checks):
        current, _ = with_event(
            current,
            Event.NOTE,
            at=NOW - timedelta(days=checks - check),
            source=STATUS_CHECK_SOURCE,
            codes=("P1:20",),
        )
    return replace(current, next_action=next_action)


def posting(body: str, name: str = BASIC) -> Posting:
    """The posting of one Loop 2100 (the given segments) against a contract claim."""
    segments = [s.strip() for s in body.split("~") if s.strip()]
    transaction = [
        "ST*835*0001*005010X221A1",
        "BPR*I*0*C*NON************20261201",
        "TRN*1*EFT20261201*1999999999",
        "N1*PR*SANDBOX COMMERCIAL PPO",
        "N1*PE*MAPLE STREET FAMILY PRACTICE*XX*1234567893",
        "LX*1",
        *segments,
    ]
    text = (
        "ISA*00*          *00*          *ZZ*SBX01          *ZZ*CLAIMGATE      "
        "*261201*1200*^*00501*000000001*0*T*:~"
        "GS*HP*SBX01*CLAIMGATE*20261201*1200*1*X*005010X221A1~"
        + "".join(s + "~" for s in transaction)
        + f"SE*{len(transaction) + 1}*0001~GE*1*1~IEA*1*000000001~"
    )
    (remittance,) = iter_remittances(text.encode())
    (payment,) = remittance.claims
    return post_claim_payment(
        contract_claim(name),
        payment,
        trace_number="EFT20261201",
        payer_id="SBX01",
        payment_date=date(2026, 12, 1),
    )


def denial(group: str, reason: str, *, pcn: str = "MSFP-2026-0001", extra: str = "") -> str:
    """CLP02 4: both lines of the basic claim denied with `group`-`reason`."""
    return f"""
        CLP*{pcn}*4*245.00*0**12*PCN0009~{extra}
        SVC*HC:99214:25*185.00*0**1~DTM*472*20261116~CAS*{group}*{reason}*185.00~
        REF*6R*MSFP-0001-1~LQ*HE*M51~
        SVC*HC:83036*60.00*0**1~DTM*472*20261116~CAS*{group}*{reason}*60.00~
        REF*6R*MSFP-0001-2~
        """


def kinds(items: tuple[WorklistItem, ...]) -> list[str]:
    return [item.kind for item in items]


# -- kinds from the claim's status -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "codes", "kind"),
    [
        ((Event.SCRUB_FAILED,), ("SCRUB_NPI",), "scrub_rejected"),
        ((Event.SENT, Event.ACK_REJECTED), ("IK5:R",), "clearinghouse_rejected"),
        ((Event.SENT, Event.CLEARINGHOUSE_REJECTED), ("A3:21:AY",), "clearinghouse_rejected"),
        ((Event.SENT, Event.PAYER_REJECTED), ("A7:562:85",), "payer_rejected"),
        ((Event.SENT, Event.PAYER_REJECTED), ("A4:35",), "not_found_at_payer"),
        ((Event.SENT, Event.PAYER_REJECTED), ("A7:33:IL",), "not_found_at_payer"),
        ((Event.SENT, Event.INFO_REQUESTED), ("R1:21",), "info_requested"),
    ],
)
def test_worklist_kind_from_status(
    path: tuple[Event, ...], codes: tuple[str, ...], kind: str
) -> None:
    claim = record(*path, codes=codes)
    [item] = items_for_claim(claim, (), now=NOW, policy=None)
    assert (item.kind, item.codes, item.amount) == (kind, codes, Decimal("245.00"))
    assert item.since == CREATED + timedelta(days=len(path))  # entered its status
    assert (item.claim_id, item.payer_id) == (claim.claim_id, "SBX01")
    assert item.suggested_action == KIND_ACTIONS[kind]


def test_worklist_nothing_for_a_claim_on_track() -> None:
    for path in ((), (Event.SENT,), (Event.SENT, Event.STATUS_PENDING)):
        claim = record(*path)
        assert items_for_claim(claim, (), now=NOW, policy=COMMERCIAL, claim=contract_claim()) == ()
    paid = record(Event.SENT, Event.REMIT_PAID)
    full = posting(
        """
        CLP*MSFP-2026-0001*1*245.00*160.00*20.00*12*PCN0001~
        SVC*HC:99214:25*185.00*110.00**1~DTM*472*20261116~
        CAS*CO*45*55.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*50.00**1~DTM*472*20261116~CAS*CO*45*10.00~REF*6R*MSFP-0001-2~
        """
    )
    assert items_for_claim(paid, (full,), now=NOW, policy=COMMERCIAL) == ()


def test_not_found_codes() -> None:
    assert is_not_found(["A4"]) and is_not_found(["A4:35"]) and is_not_found(["D0:35"])
    assert is_not_found(["A7:33:IL"]) and is_not_found(["A8:26:PR", "P1:20"])
    assert not is_not_found(["A7:562:85"]) and not is_not_found(["E0:35"]) and not is_not_found([])


# -- denials -----------------------------------------------------------------------------------


def test_worklist_denied_claim_carries_carc_rarc_and_the_action() -> None:
    denied = record(Event.SENT, Event.REMIT_DENIED)
    [item] = items_for_claim(denied, (posting(denial("CO", "16")),), now=NOW, policy=COMMERCIAL)
    assert item.kind == "denied"
    assert item.codes == ("CO-16", "M51")
    assert item.suggested_action == "correct and resubmit"
    assert item.amount == Decimal("245.00")
    assert item.since == CREATED + timedelta(days=2)
    assert "PCN0009" in item.detail


@pytest.mark.parametrize(
    ("group", "reason", "action"),
    [
        ("CO", "16", "correct and resubmit"),
        ("CO", "29", "appeal with proof of timely filing"),
        ("CO", "97", "review coding; appeal if the modifier applies"),
        ("PR", "96", "bill the patient"),
        ("CO", "96", "review"),  # non-covered but ours: nothing to bill
        ("OA", "22", "bill the secondary / correct payer"),
        ("CO", "109", "bill the secondary / correct payer"),
        ("CO", "50", "appeal with records"),
        ("CO", "197", "obtain authorization and appeal"),
        ("CO", "198", "obtain authorization and appeal"),
        ("CO", "18", "do not resubmit: follow the original claim"),
        ("CO", "999", "review"),
    ],
)
def test_worklist_denial_action_by_carc(group: str, reason: str, action: str) -> None:
    denied = record(Event.SENT, Event.REMIT_DENIED)
    [item] = items_for_claim(denied, (posting(denial(group, reason)),), now=NOW, policy=COMMERCIAL)
    assert item.suggested_action == action
    assert item.codes[0] == f"{group}-{reason}"


def test_worklist_denial_action_table_reads_group_then_reason() -> None:
    assert set(DENIAL_ACTIONS) >= {"16", "29", "97", "PR-96", "22", "109", "50", "197", "198"}
    pr_96 = PostedAdjustment("PR", "96", Decimal(10), None, None)
    co_96 = replace(pr_96, group="CO")
    assert denial_action(pr_96, other_payer_on_file=False, crossed_over=False) == "bill the patient"
    assert denial_action(co_96, other_payer_on_file=False, crossed_over=False) == "review"
    assert denial_action(None, other_payer_on_file=True, crossed_over=False) == "review"


def test_worklist_denial_reason_is_the_largest_that_does_not_settle() -> None:
    contractual = PostedAdjustment("CO", "45", Decimal(200), None, None)
    bundled = PostedAdjustment("CO", "97", Decimal(40), None, None)
    missing = PostedAdjustment("CO", "16", Decimal(5), None, None)
    assert primary_adjustment([contractual, missing, bundled]) == bundled
    assert primary_adjustment([contractual]) is None


def test_worklist_patient_share_goes_to_the_secondary_on_file() -> None:
    denied = record(Event.SENT, Event.REMIT_DENIED, name=MEDICARE)
    claim = contract_claim(MEDICARE)
    assert claim.claim_information.other_subscribers
    body = denial("PR", "96", pcn="MSFP-2026-0002")
    [item] = items_for_claim(
        denied, (posting(body, MEDICARE),), now=NOW, policy=COMMERCIAL, claim=claim
    )
    assert item.suggested_action == "bill the secondary"
    crossed = denial("PR", "96", pcn="MSFP-2026-0002", extra="MOA***MA18~")
    [waiting] = items_for_claim(
        denied, (posting(crossed, MEDICARE),), now=NOW, policy=COMMERCIAL, claim=claim
    )
    assert waiting.suggested_action == "crossed over by the payer: wait for the secondary's 835"
    assert "MA18" in waiting.codes
    # Without another payer on file the patient owes it.
    [alone] = items_for_claim(
        record(Event.SENT, Event.REMIT_DENIED),
        (posting(denial("PR", "96")),),
        now=NOW,
        policy=COMMERCIAL,
        claim=contract_claim(),
    )
    assert alone.suggested_action == "bill the patient"


def test_worklist_partial_payment_lists_the_denied_line() -> None:
    partial = record(Event.SENT, Event.REMIT_PARTIAL)
    paid_in_part = posting(
        """
        CLP*MSFP-2026-0001*1*245.00*130.00*20.00*12*PCN0002~
        SVC*HC:99214:25*185.00*130.00**1~DTM*472*20261116~
        CAS*CO*45*35.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*0**0~DTM*472*20261116~
        CAS*CO*97*60.00~REF*6R*MSFP-0001-2~LQ*HE*M15~
        """
    )
    [item] = items_for_claim(partial, (paid_in_part,), now=NOW, policy=COMMERCIAL)
    assert (item.kind, item.codes, item.amount) == ("denied", ("CO-97", "M15"), Decimal("60.00"))
    assert item.suggested_action == "review coding; appeal if the modifier applies"
    assert item.detail.startswith("line(s) 2 denied")


def test_worklist_denied_without_a_remittance_on_file() -> None:
    [item] = items_for_claim(record(Event.SENT, Event.REMIT_DENIED), (), now=NOW, policy=None)
    assert (item.kind, item.suggested_action, item.amount) == (
        "denied",
        "review",
        Decimal("245.00"),
    )


def test_worklist_a_reversed_posting_no_longer_counts() -> None:
    first = posting(denial("CO", "16"))
    reversal = replace(first, status_code="22", event=Event.REMIT_REVERSED)
    again = posting(denial("CO", "29"))
    assert current_postings((first, reversal)) == ()
    assert current_postings((first, reversal, again)) == (again,)
    denied = record(Event.SENT, Event.REMIT_DENIED)
    [item] = items_for_claim(denied, (first, reversal, again), now=NOW, policy=None)
    assert item.codes[0] == "CO-29"


# -- variance flags and unmatched payment lines ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flag:
    """The shape of chalicelib.claims.variance.VarianceFlag."""

    kind: str
    claim_line_index: int | None
    procedure_code: str | None
    expected: Decimal
    actual: Decimal
    difference: Decimal
    detail: str


def test_worklist_variance_flags_become_items() -> None:
    paid = record(Event.SENT, Event.REMIT_PAID)
    remit = posting(
        """
        CLP*MSFP-2026-0001*1*245.00*150.00*20.00*12*PCN0001~
        SVC*HC:99214:25*185.00*100.00**1~DTM*472*20261116~
        CAS*CO*45*65.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*50.00**1~DTM*472*20261116~CAS*CO*45*10.00~REF*6R*MSFP-0001-2~
        """
    )
    flags = (
        Flag(
            "underpaid", 0, "99214", Decimal("130.00"), Decimal("120.00"), Decimal("-10.00"), "fee"
        ),
        Flag("overpaid", 1, "83036", Decimal("40.00"), Decimal("50.00"), Decimal("10.00"), "fee"),
        Flag("math_error", None, None, Decimal("245.00"), Decimal("240.00"), Decimal("-5"), "CLP"),
    )
    items = items_for_claim(paid, (remit,), now=NOW, policy=COMMERCIAL, flags=flags)
    assert [(i.kind, i.amount, i.codes) for i in items] == [
        ("underpaid", Decimal("10.00"), ("CO-45", "PR-3")),
        ("overpaid", Decimal("10.00"), ("CO-45",)),
        ("math_error", Decimal(5), ()),
    ]
    assert items[0].detail.startswith("line 1 99214: expected 130.00, allowed 120.00")
    assert [i.suggested_action for i in items] == [KIND_ACTIONS[i.kind] for i in items]
    imbalance = replace(flags[2], kind="remittance_imbalance", detail="BPR02 != sum of CLP04")
    [unbalanced] = items_for_claim(paid, (remit,), now=NOW, policy=None, flags=(imbalance,))
    assert (unbalanced.kind, unbalanced.amount) == ("math_error", Decimal(5))
    with pytest.raises(ValueError, match="not a variance kind"):
        items_for_claim(paid, (), now=NOW, policy=None, flags=(replace(flags[0], kind="odd"),))


def test_worklist_unmatched_payment_line() -> None:
    paid = record(Event.SENT, Event.REMIT_PAID)
    remit = posting(
        """
        CLP*MSFP-2026-0001*1*295.00*210.00*0*12*PCN0001~
        SVC*HC:99214:25*185.00*130.00**1~DTM*472*20261116~CAS*CO*45*55.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*30.00**1~DTM*472*20261116~CAS*CO*45*30.00~REF*6R*MSFP-0001-2~
        SVC*HC:36415*50.00*50.00**1~DTM*472*20261201~REF*6R*NOT-OURS~
        """
    )
    [item] = items_for_claim(paid, (remit,), now=NOW, policy=None)
    assert (item.kind, item.codes, item.amount) == (
        "unmatched_remittance",
        ("HC:36415",),
        Decimal("50.00"),
    )


# -- timely filing and no response -------------------------------------------------------------


@pytest.mark.parametrize(("days_left", "at_risk"), [(29, True), (30, True), (31, False)])
def test_worklist_timely_filing_risk_on_the_30_day_boundary(days_left: int, at_risk: bool) -> None:
    now = datetime.combine(DEADLINE - timedelta(days=days_left), NOW.timetz())
    claim = contract_claim()
    for path in ((), (Event.SENT,), (Event.SENT, Event.INFO_REQUESTED)):
        items = items_for_claim(record(*path), (), now=now, policy=COMMERCIAL, claim=claim)
        risks = [i for i in items if i.kind == "timely_filing_risk"]
        assert len(risks) == (1 if at_risk else 0)
    later = datetime.combine(DEADLINE - timedelta(days=10), NOW.timetz())
    [risk] = items_for_claim(record(), (), now=later, policy=COMMERCIAL, claim=claim)
    assert risk.since == datetime(2027, 1, 15, tzinfo=UTC)  # 30 days before the deadline
    assert risk.amount == Decimal("245.00")
    assert "2027-02-14 (10 days left)" in risk.detail


def test_worklist_timely_filing_risk_stays_after_the_deadline() -> None:
    late = datetime(2027, 2, 20, tzinfo=UTC)
    [risk] = items_for_claim(
        record(Event.SENT, Event.PAYER_REJECTED, codes=("A7:562:85",)),
        (),
        now=late,
        policy=COMMERCIAL,
        claim=contract_claim(),
    )[1:]
    assert risk.kind == "timely_filing_risk"
    assert risk.detail.endswith("(passed 6 days ago)")


def test_worklist_no_timely_filing_risk_once_the_payer_accepted() -> None:
    late = datetime(2027, 2, 10, tzinfo=UTC)
    for path in ((Event.SENT, Event.PAYER_ACCEPTED), (Event.SENT, Event.STATUS_PENDING)):
        items = items_for_claim(
            record(*path), (), now=late, policy=COMMERCIAL, claim=contract_claim()
        )
        assert items == ()
    # Without the claim or the policy, the check cannot run.
    assert items_for_claim(record(Event.SENT), (), now=late, policy=COMMERCIAL) == ()
    assert (
        items_for_claim(record(Event.SENT), (), now=late, policy=None, claim=contract_claim()) == ()
    )


def test_worklist_no_response_after_the_last_check() -> None:
    stuck = record(Event.SENT, Event.STATUS_PENDING, checks=3)
    [item] = items_for_claim(stuck, (), now=NOW, policy=CAPPED)
    assert (item.kind, item.codes, item.since) == (
        "no_response",
        ("P1:20",),
        NOW - timedelta(days=1),
    )
    assert item.suggested_action == "call the payer"
    scheduled = replace(stuck, next_action="status_check")
    assert items_for_claim(scheduled, (), now=NOW, policy=CAPPED) == ()
    assert items_for_claim(stuck, (), now=NOW, policy=COMMERCIAL) == ()  # no cap
    fewer = record(Event.SENT, Event.STATUS_PENDING, checks=2)
    assert items_for_claim(fewer, (), now=NOW, policy=CAPPED) == ()


# -- the list ----------------------------------------------------------------------------------


def test_worklist_kinds_table() -> None:
    assert set(WORKLIST_KINDS) == {
        "scrub_rejected",
        "clearinghouse_rejected",
        "payer_rejected",
        "denied",
        "underpaid",
        "overpaid",
        "math_error",
        "info_requested",
        "timely_filing_risk",
        "not_found_at_payer",
        "no_response",
        "unmatched_remittance",
        "inbound_file_error",
        "claim_unreadable",
        "possible_duplicate_payment",
        "unmatched_status",
        "authorization_expiring",
        "authorization_running_out",
    }
    assert set(KIND_ACTIONS) == set(WORKLIST_KINDS) - {"denied"}  # denials go by CARC
    with pytest.raises(ValueError, match="not a worklist kind"):
        WorklistItem("lost", "c1", "SBX01", NOW, (), "review", "", None)


def test_worklist_sort_oldest_first_then_most_money() -> None:
    def item(claim_id: str, since: datetime, amount: Decimal | None) -> WorklistItem:
        return WorklistItem("denied", claim_id, "SBX01", since, (), "review", "", amount)

    older = NOW - timedelta(days=10)
    items = [
        item("new-small", NOW, Decimal(5)),
        item("old-none", older, None),
        item("new-big", NOW, Decimal(500)),
        item("old-big", older, Decimal(90)),
    ]
    ordered = sorted(items, key=worklist_sort_key)
    assert [i.claim_id for i in ordered] == ["old-big", "old-none", "new-big", "new-small"]


def test_worklist_deadlines_within_30_days_come_first() -> None:
    from chalicelib.claims.worklist import deadline_first

    def item(kind: str, since_day: int, deadline: date | None) -> WorklistItem:
        return WorklistItem(
            kind=kind,
            claim_id=f"c-{kind}",
            payer_id="SBX01",
            since=datetime(2026, 11, since_day, tzinfo=UTC),
            codes=(),
            suggested_action="",
            detail="",
            amount=None,
            deadline=deadline,
        )

    old = item("payer_rejected", 1, None)
    far = item("underpaid", 2, date(2027, 5, 26))
    soon = item("timely_filing_risk", 20, date(2026, 12, 20))
    sooner = item("denied", 25, date(2026, 12, 10))
    ordered = deadline_first([old, far, soon, sooner], date(2026, 12, 1))
    assert [i.kind for i in ordered] == [
        "denied",
        "timely_filing_risk",
        "payer_rejected",
        "underpaid",
    ]
