"""A claim's insurance balance and facts, by the rules of chalicelib.claims.reports: what is
billed and not adjudicated is owed whole; an adjudication that balances leaves nothing, a
denied line leaves its charge less what was paid; a later payer's claim asks only what the
prior payer left to the patient; voided, replaced and unbilled claims owe nothing; aging
buckets always sum to the total."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from chalicelib.claims.lifecycle import Event
from chalicelib.claims.reports import aging, bucket, claim_facts, first_pass
from tests.unit.test_claims_cob import (
    MEDICARE_PAID,
    _medicare_claim,
    _medicare_posting,
    _post,
    _secondary,
)
from tests.unit.test_claims_worklist import record

DENIED_LINE = """
CLP*MSFP-2026-0002*1*245*40*0*MB*2226330512345~
SVC*HC:99214:25*185*0**1~DTM*472*20261116~CAS*CO*50*185~REF*6R*MSFP-0001-1~
SVC*HC:83036*60*40**1~DTM*472*20261116~CAS*CO*45*20~REF*6R*MSFP-0001-2~
"""


def test_billed_and_waiting_owes_the_charge_and_unbilled_owes_nothing() -> None:
    assert claim_facts(record()).balance == 0  # queued: not billed yet
    sent = record(Event.SENT, Event.PAYER_ACCEPTED)
    facts = claim_facts(sent)
    assert facts.balance == sent.charge_amount and facts.first_pass == "accepted"
    rejected = claim_facts(record(Event.SENT, Event.PAYER_REJECTED))
    assert rejected.balance == rejected.charge and rejected.first_pass == "rejected"
    void = replace(
        sent,
        claim=replace(
            sent.claim,
            claim_information=replace(sent.claim.claim_information, claim_frequency_code="8"),
        ),
    )
    assert claim_facts(void).balance == 0
    assert claim_facts(replace(sent, replaced_by=("clm_new",))).balance == 0


def test_a_balanced_adjudication_leaves_nothing_and_a_denied_line_its_charge() -> None:
    base = record(Event.SENT, Event.PAYER_ACCEPTED)
    claim = _medicare_claim()
    paid = replace(base, claim=claim, remittances=(_medicare_posting(claim),))
    facts = claim_facts(paid)
    assert (facts.balance, facts.paid, facts.contractual, facts.patient_responsibility) == (
        Decimal("0.00"),
        Decimal("144"),
        Decimal("65"),
        Decimal("36"),
    )
    denied = replace(paid, remittances=(_post(claim, DENIED_LINE, payer_id="SBXMCR"),))
    facts = claim_facts(denied)
    assert facts.balance == Decimal("185") and facts.denied == Decimal("185")
    assert [(d.reason, d.procedure) for d in facts.denials] == [("CO-50", "99214")]


def test_a_later_payers_claim_asks_what_the_prior_payer_left_to_the_patient() -> None:
    secondary = _secondary()
    base = record(Event.SENT)
    asked = replace(base, claim=secondary)
    assert claim_facts(asked).balance == Decimal("36")  # Medicare's PR-2 on both lines
    assert MEDICARE_PAID  # the primary's 835 it was built from


def test_buckets_by_days_from_the_date_of_service_and_sum_to_the_total() -> None:
    today = date(2026, 12, 31)
    assert [
        bucket(today - timedelta(days=d), today) for d in (0, 30, 31, 60, 61, 90, 91, 120, 121)
    ] == ["0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "91-120", "91-120", "120+"]
    facts = [
        replace(
            claim_facts(record(Event.SENT)),
            claim_id=f"c{d}",
            service_date=today - timedelta(days=d),
            balance=Decimal(d + 1),
        )
        for d in (5, 45, 75, 100, 200, 201)
    ]
    report = aging(facts, today=today, by="payer")
    assert sum(Decimal(v) for v in report["totals"].values()) == Decimal(report["total"])
    assert Decimal(report["total"]) == sum(Decimal(d + 1) for d in (5, 45, 75, 100, 200, 201))
    assert report["totals"]["120+"] == "403.00"
    assert first_pass(facts)["answered"] == 0
