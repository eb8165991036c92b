"""Coordination of benefits: after a payer's 835 posts, decide whether the next payer on file is
billed, and build that payer's 837P claim carrying every prior payer's adjudication (TR3
005010X222A1 loops 2320/2330A/2330B and 2430). Decide only: the secondary-routing schedule
stores and sends what these functions return (DESIGN.md "Scheduled work").

`plan_next_payer` reads the last posting on the claim; the first row that applies decides:

| # | the last posting | action |
| --- | --- | --- |
| 1 | CLP02 22, a reversal | `reversed`: wait for the payer's new remittance |
| 2 | denied (CLP02 4, or nothing paid and nothing owed) | `denied`: a person decides |
| 3 | nothing adjudicated (CLP02 23, 25, or a code the 835 does not use) | `review` |
| 4 | crossover (CLP02 19-21, NM1*TT, MA07/MA18/N89) | `crossed_over`: never bill it |
| 5 | no payer with a later SBR01 level on file, not yet adjudicated | `nothing_to_bill` |
| 6 | balance and patient responsibility both zero | `nothing_to_bill` |
| 7 | the 835 came from a payer other than the one this claim went to | `review` |
| 8 | the remittance cannot carry a COB claim (a line out of balance or not paid) | `review` |
| 9 | otherwise | `bill_next` |

Balance = claim charge - what every payer paid - every payer's contractual (CO) write-offs;
patient responsibility = the last payer's PR total. Either above zero leaves something a
next payer may cover (a Medicaid or Medigap secondary pays the primary's deductible and
coinsurance).

`build_next_payer_claim` checks TR3 1.4.1.1 COB balancing for the payer it adds (X12 RFI 1294):
each line, SV102 = SVD02 + sum of that payer's 2430 CAS amounts; the claim, CLM02 = 2320 AMT*D
+ sum of that payer's 2320 CAS + sum of its 2430 CAS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .errors import ClaimError
from .lifecycle import Event
from .model import (
    Adjustment,
    Claim,
    Dependent,
    LineAdjudication,
    OtherInsured,
    OtherPayer,
    OtherSubscriberInformation,
    ServiceLine,
    Subscriber,
)
from .posting import (
    CROSSOVER_REMARKS,
    CROSSOVER_STATUS_CODES,
    PostedAdjustment,
    PostedLine,
    Posting,
)

# SBR01 payer responsibility sequence (2000B and 2320): primary, secondary, tertiary, then
# payers four to eleven. U (unknown) has no place in the order and is never billed next.
RESPONSIBILITY_ORDER = ("P", "S", "T", "A", "B", "C", "D", "E", "F", "G", "H")

# 2430 SVD03-1 product/service id qualifiers the TR3 allows. The 835's SVC01-1 has more (AD,
# N4, NU ...): a line paid under one of those is described by the procedure we billed.
SVD_QUALIFIERS = frozenset({"ER", "HC", "HP", "IV", "WK"})

# 2000B SBR02 / 2320 SBR02: the patient is the insured.
SELF = "18"

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")


class CobError(ClaimError):
    """The prior payer's remittance cannot carry a claim to the next payer as it stands: a
    line out of balance or not paid, a reversal, no next payer. Nobody built bad EDI; a
    person settles the posting (or bills by hand) before the next payer is billed."""


class NextPayerAction(StrEnum):
    BILL_NEXT = "bill_next"
    CROSSED_OVER = "crossed_over"
    NOTHING_TO_BILL = "nothing_to_bill"
    REVERSED = "reversed"
    DENIED = "denied"
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class NextPayerDecision:
    """What follows the last posting. `next_payer` is the payer on file after the one that
    answered (None when there is none); `posting_key` names the posting decided on (payer id
    and CLP07), so the caller acts on it once. Amounts are in cents; `reason` holds codes and
    amounts only, never PHI."""

    action: NextPayerAction
    reason: str
    next_payer: OtherSubscriberInformation | None
    posting_key: str
    paid_by_payers: Decimal
    balance: Decimal
    patient_responsibility: Decimal


def plan_next_payer(claim: Claim, postings: Sequence[Posting]) -> NextPayerDecision:
    """Decide, from the last of the claim's postings (oldest first), what happens to the next
    payer (table in the module docstring). CobError when nothing has posted."""
    if not postings:
        raise CobError("no remittance has posted on the claim: nothing to decide")
    last = postings[-1]
    level, own = _answering_payer(claim, last)
    next_payer = _next_payer(claim, last, level)
    paid, balance = _totals(claim, postings)
    owed = _cents(last.group_total("PR"))
    payer = _payer_label(claim, last, level, own)
    target = "no further payer on file" if next_payer is None else _label(next_payer)

    def decide(action: NextPayerAction, reason: str) -> NextPayerDecision:
        return NextPayerDecision(
            action=action,
            reason=reason,
            next_payer=next_payer,
            posting_key=last.key,
            paid_by_payers=paid,
            balance=balance,
            patient_responsibility=owed,
        )

    if last.is_reversal:
        return decide(
            NextPayerAction.REVERSED,
            f"{payer} reversed its payment (CLP02 22, CLP07 {last.payer_claim_control_number}):"
            " wait for its new remittance; a next payer already billed from the reversed one"
            " needs a corrected claim",
        )
    if last.event is Event.REMIT_DENIED:
        return decide(
            NextPayerAction.DENIED,
            f"{payer} denied the claim (CLP02 {last.status_code}; {_carcs(last)}): a person"
            " decides whether to appeal or correct it"
            + ("" if next_payer is None else f", or bill {target} with the denial"),
        )
    if last.event is None or last.event is Event.NOTE:
        described = last.status_description or "not a status the 835 uses"
        return decide(
            NextPayerAction.REVIEW,
            f"{payer} adjudicated nothing for the claim (CLP02 {last.status_code}: {described})",
        )
    if last.crossover:
        forwarded = _carrier(last) if next_payer is None else _label(next_payer)
        return decide(
            NextPayerAction.CROSSED_OVER,
            f"{payer} forwarded the claim to {forwarded} ({_crossover_signal(last)}): do not"
            " bill it; its own remittance follows",
        )
    if next_payer is None:
        return decide(
            NextPayerAction.NOTHING_TO_BILL,
            f"{payer} was the last payer on file: {balance} left after write-offs, patient"
            f" responsibility {owed}",
        )
    if balance <= 0 and owed <= 0:
        return decide(
            NextPayerAction.NOTHING_TO_BILL,
            f"{payer} settled the claim: nothing left after payments and write-offs for {target}",
        )
    if not own:
        return decide(
            NextPayerAction.REVIEW,
            f"{payer} answered a claim sent to {claim.trading_partner_service_id}: billing"
            f" {target} needs both payers' adjudication; bill it by hand",
        )
    try:  # the build's own checks; the date only stamps DTP*573, unused here
        _adjudicated_lines(claim, last, last.payment_date or date.min)
    except CobError as error:
        return decide(
            NextPayerAction.REVIEW,
            f"{payer}'s remittance cannot carry a claim to {target}: {error}",
        )
    return decide(
        NextPayerAction.BILL_NEXT,
        f"{payer} paid {_cents(last.paid)}; {balance} left after write-offs, patient"
        f" responsibility {owed}: bill {target}",
    )


def build_next_payer_claim(
    claim: Claim, posting: Posting, *, control_number: str, adjudication_date: date
) -> Claim:
    """The claim to the payer after the one that sent `posting`, its adjudication carried in
    2320/2330A/2330B and per line in 2430; payers already on file as prior keep their loops,
    so building from a secondary claim's posting gives the tertiary both.

    `control_number` is the new claim's id. DTP*573 (2330B and 2430) is the 835's payment
    date (BPR16); `adjudication_date` stands in when the posting has none. CobError when the
    posting is a reversal or adjudicated nothing, came from another payer than the claim's,
    no payer follows on file, or the adjudication does not balance (the message names the
    line)."""
    level, own = _answering_payer(claim, posting)
    if not own:
        raise CobError(
            f"the posting is from {posting.payer_id}, another payer on file: build from the"
            f" remittance of {claim.trading_partner_service_id}, which this claim was sent to"
        )
    if posting.is_reversal or posting.event in (None, Event.NOTE, Event.REMIT_REVERSED):
        raise CobError(f"CLP02 {posting.status_code} is not an adjudication a next payer can take")
    next_payer = _next_payer(claim, posting, level)
    if next_payer is None:
        raise CobError(f"no payer after responsibility level {level} is on file")
    when = posting.payment_date or adjudication_date
    lines = _adjudicated_lines(claim, posting, when)
    prior = _prior_payer(claim, posting, level, when)
    info = claim.claim_information
    kept = (
        other
        for other in info.other_subscribers
        if other is not next_payer and other.payer.identifier != prior.payer.identifier
    )
    subscriber, dependent = _insured(claim, next_payer)
    name = next_payer.payer.organization_name
    return replace(
        claim,
        control_number=control_number,
        trading_partner_service_id=next_payer.payer.identifier,
        trading_partner_name=name,
        receiver_name=name,
        subscriber=subscriber,
        dependent=dependent,
        claim_information=replace(
            info,
            claim_filing_code=next_payer.claim_filing_indicator_code,
            claim_frequency_code="1",  # a new claim to a new payer, not a replacement
            payer_claim_control_number=None,  # 2300 REF*F8 only goes with frequency 7/8
            service_lines=lines,
            other_subscribers=tuple(sorted((*kept, prior), key=_level_rank)),
        ),
    )


# -- the order a payer's eligibility answer gives ----------------------------------------------

# X279A1 2120C/D NM101 naming another payer's place in the order of benefits: PRP primary,
# SEP secondary, TTP tertiary payer.
COVERAGE_ORDER = {"PRP": "P", "SEP": "S", "TTP": "T"}


@dataclass(frozen=True, slots=True)
class CoverageOrder:
    """The claim with its other payers (2320 SBR01) in the order the 271 gives; `missing`
    names the payers the 271 places that are not on the claim (nobody can bill them without
    their member id: a person adds them)."""

    claim: Claim
    changed: bool
    missing: tuple[str, ...]


def order_by_coverage(claim: Claim, named: Sequence[tuple[str, str | None]]) -> CoverageOrder:
    """Put the payers a 271 names (entity code, payer id) at the level it names; the other
    payers on file keep their order in the levels left. The claim's own payer keeps its
    level: a 271 naming another primary is a scrub warning, not a reordering after the fact."""
    own = claim.subscriber.payment_responsibility_level_code
    others = claim.claim_information.other_subscribers
    placed: dict[int, str] = {}
    missing: list[str] = []
    for entity, payer_id in named:
        level = COVERAGE_ORDER.get(entity)
        if level is None or level == own or payer_id == claim.trading_partner_service_id:
            continue
        at = next((i for i, o in enumerate(others) if o.payer.identifier == payer_id), None)
        if at is None:
            missing.append(f"{payer_id or 'a payer without an id'} ({entity})")
        elif at not in placed and level not in placed.values():
            placed[at] = level
    free = iter(
        level for level in RESPONSIBILITY_ORDER if level != own and level not in placed.values()
    )
    unplaced = sorted(
        (
            i
            for i, o in enumerate(others)
            if i not in placed and o.payment_responsibility_level_code in RESPONSIBILITY_ORDER
        ),
        key=lambda i: _level_rank(others[i]),
    )
    # U (unknown) keeps its place outside the order: it is never billed next.
    levels = {i: o.payment_responsibility_level_code for i, o in enumerate(others)}
    levels |= placed | {i: next(free) for i in unplaced}
    reordered = tuple(
        sorted(
            (replace(o, payment_responsibility_level_code=levels[i]) for i, o in enumerate(others)),
            key=_level_rank,
        )
    )
    changed = any(o.payment_responsibility_level_code != levels[i] for i, o in enumerate(others))
    if changed:
        information = replace(claim.claim_information, other_subscribers=reordered)
        claim = replace(claim, claim_information=information)
    return CoverageOrder(claim=claim, changed=changed, missing=tuple(missing))


# -- who answered, who is next ---------------------------------------------------------------


def _answering_payer(claim: Claim, posting: Posting) -> tuple[str, bool]:
    """SBR01 level of the payer that sent `posting`, and whether it is the claim's own payer.
    An 835 naming a payer on file in 2330B (a crossover payer's own remittance) is that
    payer's; any other id is the claim's payer, as 835 N1*PR ids need not be the
    clearinghouse payer id the claim was sent under."""
    if posting.payer_id != claim.trading_partner_service_id:
        for other in claim.claim_information.other_subscribers:
            if other.payer.identifier == posting.payer_id:
                return other.payment_responsibility_level_code, False
    return claim.subscriber.payment_responsibility_level_code, True


def _next_payer(claim: Claim, posting: Posting, level: str) -> OtherSubscriberInformation | None:
    """The 2320 payer not yet adjudicated with the lowest SBR01 level after `level`; for a
    crossover, the carrier the payer named (NM1*TT) when it is on file."""
    rank = responsibility_rank(level)
    waiting = [
        other
        for other in claim.claim_information.other_subscribers
        if other.payer_paid_amount is None
        and other.payer.identifier not in (posting.payer_id, claim.trading_partner_service_id)
        and responsibility_rank(other.payment_responsibility_level_code) > rank
    ]
    if posting.crossover and posting.crossover_carrier_id:
        named = [o for o in waiting if o.payer.identifier == posting.crossover_carrier_id]
        if named:
            return named[0]
    return min(waiting, key=_level_rank, default=None)


def responsibility_rank(level: str) -> int:
    """A payer's place in the order (SBR01); U and anything unknown come after all."""
    try:
        return RESPONSIBILITY_ORDER.index(level)
    except ValueError:
        return len(RESPONSIBILITY_ORDER)


def _level_rank(other: OtherSubscriberInformation) -> int:
    return responsibility_rank(other.payment_responsibility_level_code)


def _totals(claim: Claim, postings: Sequence[Posting]) -> tuple[Decimal, Decimal]:
    """(what every payer paid, the claim charge less that and every CO write-off, never
    below zero). Postings count as posted (a reversal's negative amounts cancel the payment
    it takes back); a prior payer carried in 2320 without a posting here counts its AMT*D and
    the CO in its 2320 and 2430 CAS."""
    posted_by = {posting.payer_id for posting in postings}
    paid = sum((posting.paid for posting in postings), _ZERO)
    written_off = sum((posting.group_total("CO") for posting in postings), _ZERO)
    info = claim.claim_information
    for other in info.other_subscribers:
        payer_id = other.payer.identifier
        if other.payer_paid_amount is None or payer_id in posted_by:
            continue
        paid += other.payer_paid_amount
        line_adjustments = (
            adjustment
            for line in info.service_lines
            for adjudication in line.line_adjudications
            if adjudication.other_payer_primary_identifier == payer_id
            for adjustment in adjudication.adjustments
        )
        written_off += _group_sum((*other.claim_adjustments, *line_adjustments), "CO")
    balance = info.claim_charge_amount - paid - written_off
    return _cents(paid), _cents(max(balance, _ZERO))


# -- the prior payer's adjudication -------------------------------------------------------------


def _prior_payer(
    claim: Claim, posting: Posting, level: str, when: date
) -> OtherSubscriberInformation:
    """Loop 2320 for the payer that answered: SBR (its level, the patient's relationship to
    its insured, group, SBR09 filing code), CAS (its claim-level adjustments), AMT*D (CLP04),
    AMT*EAF (its PR total: what the patient still owes), OI; 2330A NM1*IL its insured (our
    2010BA subscriber); 2330B NM1*PR the payer, DTP*573 the payment date, REF*F8 CLP07."""
    info = claim.claim_information
    subscriber = claim.subscriber
    return OtherSubscriberInformation(
        payment_responsibility_level_code=level,
        individual_relationship_code=(
            SELF if claim.dependent is None else claim.dependent.relationship_to_subscriber_code
        ),
        claim_filing_indicator_code=info.claim_filing_code,
        insured=OtherInsured(
            last_name=subscriber.last_name,
            identifier=subscriber.member_id,
            first_name=subscriber.first_name or None,
        ),
        payer=OtherPayer(
            organization_name=claim.trading_partner_name or claim.receiver_name,
            identifier=claim.trading_partner_service_id,
            claim_control_number=posting.payer_claim_control_number or None,
            adjudication_date=when,
        ),
        benefits_assignment_certification_indicator=info.benefits_assignment_certification_indicator,
        release_of_information_code=info.release_information_code,
        group_number=subscriber.group_number,
        payer_paid_amount=_cents(posting.paid),
        claim_adjustments=tuple(_adjustment(item) for item in posting.claim_adjustments),
        remaining_patient_liability=_cents(posting.group_total("PR")),
    )


def _adjudicated_lines(claim: Claim, posting: Posting, when: date) -> tuple[ServiceLine, ...]:
    """The claim's lines, each with a 2430 loop for the payer that answered added after any
    earlier payer's. A remittance without SVC lines (adjudicated at claim level) adds no 2430:
    its adjustments all sit in 2320 CAS. Raises CobError naming the line that cannot be
    carried, then checks the claim balances (TR3 1.4.1.1)."""
    info = claim.claim_information
    payer_id = claim.trading_partner_service_id
    if posting.unmatched_lines:
        extra = posting.unmatched_lines[0]
        raise CobError(
            f"payment line {extra.payment_line_index + 1} ({extra.procedure_code}"
            f"{_control(extra.provider_control_number)}) matches no claim line"
        )
    by_line = {line.claim_line_index: line for line in posting.lines}
    lines: list[ServiceLine] = []
    line_adjustments: list[Adjustment] = []
    for index, line in enumerate(info.service_lines):
        if posting.claim_level_only:
            lines.append(line)
            continue
        control = _control(line.provider_control_number)
        where = f"claim line {index + 1} ({line.procedure_code}{control})"
        posted = by_line.get(index)
        if posted is None:
            raise CobError(f"{where} has no payment line in the remittance")
        adjudication = _line_adjudication(line, posted, payer_id, when)
        adjusted = _group_sum(adjudication.adjustments, None)
        if adjudication.paid_amount + adjusted != line.charge_amount:
            raise CobError(
                f"{where} does not balance: charge {line.charge_amount} is not paid"
                f" {adjudication.paid_amount} + adjustments {adjusted}"
            )
        line_adjustments += adjudication.adjustments
        earlier = tuple(
            item
            for item in line.line_adjudications
            if item.other_payer_primary_identifier != payer_id
        )
        lines.append(replace(line, line_adjudications=(*earlier, adjudication)))
    claim_adjusted = _group_sum(
        (*(_adjustment(item) for item in posting.claim_adjustments), *line_adjustments), None
    )
    paid = _cents(posting.paid)
    if paid + claim_adjusted != info.claim_charge_amount:
        raise CobError(
            f"the claim does not balance: charge {info.claim_charge_amount} is not paid {paid}"
            f" + adjustments {claim_adjusted} (did the payer split the claim?)"
        )
    return tuple(lines)


def _line_adjudication(
    line: ServiceLine, posted: PostedLine, payer_id: str, when: date
) -> LineAdjudication:
    """Loop 2430: SVD01 the payer (= its 2330B NM109), SVD02 SVC03 paid, SVD03 the procedure
    as paid (SVC01), SVD05 paid units (SVC05), CAS per group as the payer sent them, DTP*573."""
    if posted.procedure_qualifier in SVD_QUALIFIERS:
        qualifier, code = posted.procedure_qualifier, posted.procedure_code
        modifiers = posted.procedure_modifiers
    else:
        qualifier, code = line.procedure_identifier, line.procedure_code
        modifiers = line.procedure_modifiers
    return LineAdjudication(
        other_payer_primary_identifier=payer_id,
        paid_amount=_cents(posted.paid),
        procedure_code=code,
        paid_unit_count=posted.units,
        adjudication_date=when,
        procedure_modifiers=modifiers,
        procedure_identifier=qualifier,
        adjustments=tuple(_adjustment(item) for item in posted.adjustments),
    )


# -- the next payer's insured -------------------------------------------------------------------


def _insured(
    claim: Claim, next_payer: OtherSubscriberInformation
) -> tuple[Subscriber, Dependent | None]:
    """2000B/2010BA and 2000C for the next payer: its insured (2330A) becomes the subscriber
    at its SBR01 level. When that insured is the patient (SBR02 18) the patient's
    demographics go with it and there is no 2000C; otherwise the patient is the dependent
    with PAT01 = the 2320 SBR02 relationship, and the insured's birth date, gender and address
    are known only when it is our current subscriber (2330A carries none): else the scrub
    asks for them."""
    insured = next_payer.insured
    patient = claim.dependent if claim.dependent is not None else claim.subscriber
    level = next_payer.payment_responsibility_level_code
    if next_payer.individual_relationship_code == SELF:
        return (
            Subscriber(
                member_id=insured.identifier,
                first_name=insured.first_name or patient.first_name,
                last_name=insured.last_name,
                payment_responsibility_level_code=level,
                gender=patient.gender,
                date_of_birth=patient.date_of_birth,
                group_number=next_payer.group_number,
                address=patient.address,
            ),
            None,
        )
    current = claim.subscriber
    known = _same_name(insured, current)
    subscriber = Subscriber(
        member_id=insured.identifier,
        first_name=insured.first_name or "",
        last_name=insured.last_name,
        payment_responsibility_level_code=level,
        gender=current.gender if known else None,
        date_of_birth=current.date_of_birth if known else None,
        group_number=next_payer.group_number,
        address=current.address if known else None,
    )
    dependent = Dependent(
        first_name=patient.first_name,
        last_name=patient.last_name,
        relationship_to_subscriber_code=next_payer.individual_relationship_code,
        gender=patient.gender,
        date_of_birth=patient.date_of_birth,
        address=patient.address,
    )
    return subscriber, dependent


def _same_name(insured: OtherInsured, subscriber: Subscriber) -> bool:
    return insured.last_name.casefold() == subscriber.last_name.casefold() and (
        (insured.first_name or "").casefold() == subscriber.first_name.casefold()
    )


# -- small helpers ------------------------------------------------------------------------------


def _adjustment(item: PostedAdjustment) -> Adjustment:
    return Adjustment(
        group_code=item.group,
        reason_code=item.reason,
        amount=_cents(item.amount),
        quantity=item.quantity,
    )


def _group_sum(adjustments: Iterable[Adjustment], group: str | None) -> Decimal:
    """Sum of the adjustments of one CAS01 group, or of all of them (group None)."""
    return _cents(
        sum(
            (item.amount for item in adjustments if group is None or item.group_code == group),
            _ZERO,
        )
    )


def _label(other: OtherSubscriberInformation) -> str:
    return f"{other.payer.identifier} ({other.payment_responsibility_level_code})"


def _payer_label(claim: Claim, posting: Posting, level: str, own: bool) -> str:
    payer_id = claim.trading_partner_service_id if own else posting.payer_id
    return f"{payer_id} ({level})"


def _carrier(posting: Posting) -> str:
    if posting.crossover_carrier_id:
        return f"{posting.crossover_carrier_id}, a payer not on file: add it to the claim"
    return "a payer not on file: add it to the claim"


def _crossover_signal(posting: Posting) -> str:
    remarks = sorted({remark.code for remark in posting.remarks} & CROSSOVER_REMARKS)
    signals = (
        [f"CLP02 {posting.status_code}"] if posting.status_code in CROSSOVER_STATUS_CODES else []
    )
    if posting.crossover_carrier_id or posting.crossover_carrier_name:
        signals.append("NM1*TT")
    signals += remarks
    return ", ".join(signals) or "line remarks"


def _carcs(posting: Posting) -> str:
    codes = list(dict.fromkeys(f"{a.group}-{a.reason}" for a in posting.all_adjustments()))
    return ", ".join(codes) if codes else "no adjustment codes"


def _control(number: str | None) -> str:
    return f", REF*6R {number}" if number else ""


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)
