"""What a 271 says about one member, in a biller's words: covered or not on the date asked,
the plan, each benefit (copay, coinsurance, deductible and what remains of it, whether an
authorization is needed), other payers named (2120C/D), and, when the payer could not answer,
its AAA rejection with the code's meaning and what to do next (X279A1 AAA03 / AAA04)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from chalicelib.claims.model import Claim
from chalicelib.claims.scrub import ScrubFinding
from chalicelib.x12.read.eligibility271 import (
    ACTIVE_CODES,
    INACTIVE_CODES,
    Benefit,
    EligibilityResponse,
    MemberEligibility,
    Rejection,
)

# EB01 eligibility or benefit information (X279A1 2110C EB01), the codes billers meet.
BENEFIT_NAMES = {
    "1": "active coverage",
    "2": "active - full risk capitation",
    "3": "active - services capitated",
    "4": "active - services capitated to primary care physician",
    "5": "active - pending investigation",
    "6": "inactive",
    "7": "inactive - pending eligibility update",
    "8": "inactive - pending investigation",
    "A": "coinsurance",
    "B": "co-payment",
    "C": "deductible",
    "CB": "coverage basis",
    "D": "benefit description",
    "E": "exclusions",
    "F": "limitations",
    "G": "out of pocket (stop loss)",
    "H": "unlimited",
    "I": "non-covered",
    "J": "cost containment",
    "K": "reserve",
    "L": "primary care provider",
    "MC": "managed care coordinator",
    "N": "services restricted to following provider",
    "O": "not deemed a medical necessity",
    "P": "benefit disclaimer",
    "Q": "second surgical opinion required",
    "R": "other or additional payer",
    "U": "contact following entity for eligibility or benefit information",
    "V": "cannot process",
    "W": "other source of data",
    "X": "health care facility",
    "Y": "spend down",
}

# AAA03 reject reason codes of the 271 (X279A1), and AAA04 follow-up actions.
REJECT_REASONS = {
    "04": "authorized quantity exceeded",
    "15": "required application data missing",
    "41": "authorization/access restrictions",
    "42": "unable to respond at current time",
    "43": "invalid/missing provider identification",
    "44": "invalid/missing provider name",
    "45": "invalid/missing provider specialty",
    "46": "invalid/missing provider phone number",
    "47": "invalid/missing provider state",
    "48": "invalid/missing referring provider identification number",
    "49": "provider is not primary care physician",
    "50": "provider ineligible for inquiries",
    "51": "provider not on file",
    "52": "service dates not within provider plan enrollment",
    "53": "inquired benefit inconsistent with provider type",
    "54": "inappropriate product/service id qualifier",
    "55": "inappropriate product/service id",
    "56": "inappropriate date",
    "57": "invalid/missing date(s) of service",
    "58": "invalid/missing date-of-birth",
    "60": "date of birth follows date(s) of service",
    "61": "date of death precedes date(s) of service",
    "62": "date of service not within allowable inquiry period",
    "63": "date of service in future",
    "64": "invalid/missing patient id",
    "65": "invalid/missing patient name",
    "66": "invalid/missing patient gender code",
    "67": "patient not found",
    "68": "duplicate patient id number",
    "69": "inconsistent with patient's age",
    "70": "inconsistent with patient's gender",
    "71": "patient birth date does not match that for the patient on the database",
    "72": "invalid/missing subscriber/insured id",
    "73": "invalid/missing subscriber/insured name",
    "74": "invalid/missing subscriber/insured gender code",
    "75": "subscriber/insured not found",
    "76": "duplicate subscriber/insured id number",
    "77": "subscriber found, patient not found",
    "78": "subscriber/insured not in group/plan identified",
    "79": "invalid participant identification",
    "80": "no response received - transaction terminated",
    "97": "invalid or missing provider address",
    "98": "experimental service or procedure",
    "AA": "authorization number not found",
    "AE": "requires primary care physician authorization",
    "AF": "invalid/missing diagnosis code(s)",
    "AG": "invalid/missing procedure code(s)",
    "AO": "additional patient condition information required",
    "CI": "certification information does not match patient",
    "E8": "requires medical review",
    "IA": "invalid authorization number format",
    "MA": "missing authorization number",
    "T4": "payer name or identifier missing",
}
FOLLOW_UP_ACTIONS = {
    "C": "correct the request and send it again",
    "N": "do not send it again",
    "P": "please send it again later",
    "R": "send it again",
    "S": "do not send it again; wait for the payer's answer",
    "W": "wait 30 days and send it again",
    "X": "wait 10 days and send it again",
    "Y": "do not send it again; call the payer",
}
OTHER_PAYER = "R"  # EB01: the 271 names another payer (2120C/D), e.g. one that is primary


@dataclass(frozen=True, slots=True)
class RejectionAnswer:
    code: str | None
    description: str
    action: str
    loop: str


@dataclass(frozen=True, slots=True)
class BenefitAnswer:
    code: str
    name: str
    service_types: tuple[str, ...]
    coverage_level: str | None
    insurance_type: str | None
    plan: str | None
    in_network: bool | None
    time_period: str | None
    amount: Decimal | None
    percent: Decimal | None
    remaining: bool  # EB06 29: the amount is what remains (of a deductible, a limit)
    authorization_required: bool | None
    messages: tuple[str, ...]
    procedure: str | None = None  # EB13-2: the benefit (or its authorization) is for this code


@dataclass(frozen=True, slots=True)
class OtherPayer:
    entity_code: str
    name: str
    identifier: str | None


@dataclass(frozen=True, slots=True)
class CoverageAnswer:
    """One member's answer; `status` is active, inactive, rejected (the payer could not
    answer: see `rejections`) or unknown (it answered without saying either)."""

    status: str
    plan: str | None
    group_number: str | None
    plan_begin: date | None
    plan_end: date | None
    benefits: tuple[BenefitAnswer, ...]
    other_payers: tuple[OtherPayer, ...]
    rejections: tuple[RejectionAnswer, ...]
    # The payer answered under another member id than the one asked (2100C NM109; the asked
    # one in REF*Q4, prior identifier), or as another payer than the one asked (2100A NM109).
    member_id_changed: bool = False
    answering_payer_id: str | None = None
    payer_changed: bool = False


def _rejection(rejection: Rejection) -> RejectionAnswer:
    code = rejection.reject_reason
    return RejectionAnswer(
        code=code,
        description=REJECT_REASONS.get(code or "", f"reject reason {code or 'not given'}"),
        action=FOLLOW_UP_ACTIONS.get(rejection.follow_up_action or "", "call the payer"),
        loop=rejection.loop,
    )


def _yes_no(flag: str | None) -> bool | None:
    return {"Y": True, "N": False}.get(flag or "")


def _benefit(benefit: Benefit) -> BenefitAnswer:
    return BenefitAnswer(
        code=benefit.information_code,
        name=BENEFIT_NAMES.get(benefit.information_code, benefit.information_code),
        service_types=benefit.service_types,
        coverage_level=benefit.coverage_level,
        insurance_type=benefit.insurance_type,
        plan=benefit.plan_coverage_description,
        in_network=_yes_no(benefit.in_plan_network),
        time_period=benefit.time_period,
        amount=benefit.amount,
        percent=benefit.percent,
        remaining=benefit.time_period == "29",
        authorization_required=_yes_no(benefit.authorization_required),
        messages=benefit.messages,
        procedure=benefit.procedure[1] if len(benefit.procedure) > 1 else None,
    )


def _first_date(member: MemberEligibility, qualifiers: tuple[str, ...]) -> date | None:
    for period in member.dates:
        if period.qualifier in qualifiers and isinstance(period.start, date):
            return period.start
    return None


def _same_id(one: str | None, other: str | None) -> bool:
    """Ids as payers compare them: case, spaces and dashes aside."""

    def plain(text: str | None) -> str:
        return "".join(c for c in (text or "").upper() if c.isalnum())

    return plain(one) == plain(other)


def payer_member_id(response: EligibilityResponse) -> str | None:
    """The subscriber's id as the payer holds it (2100C NM109), for a dependent the parent's."""
    member = response.members[0] if response.members else None
    if member is None:
        return None
    identity = member.subscriber if member.level == "dependent" else member.member
    return identity.member_id if identity is not None else None


def coverage_answer(
    response: EligibilityResponse,
    *,
    asked_member_id: str | None = None,
    asked_payer_id: str | None = None,
) -> CoverageAnswer:
    """The first member's answer (claimgate asks about one member per 270); a rejection at
    the payer or provider level (2000A-2100B) answers for everyone. With the ids asked, says
    whether the payer answered under others (X279A1 2100A / 2100C NM109)."""
    rejections = tuple(_rejection(r) for r in response.rejections)
    member = response.members[0] if response.members else None
    if member is None:
        return CoverageAnswer(
            "rejected" if rejections else "unknown", None, None, None, None, (), (), rejections
        )
    rejections += tuple(_rejection(r) for r in member.rejections)
    codes = {b.information_code for b in member.benefits}
    if codes & ACTIVE_CODES:
        status = "active"
    elif codes & INACTIVE_CODES:
        status = "inactive"
    else:
        status = "rejected" if rejections else "unknown"
    plan = next(
        (
            b.plan_coverage_description
            for b in member.benefits
            if b.information_code in ACTIVE_CODES and b.plan_coverage_description
        ),
        None,
    )
    group = next((r.value for r in member.references if r.qualifier in ("6P", "1L")), None)
    others = tuple(
        OtherPayer(entity.entity_code, entity.name, entity.identifier)
        for benefit in member.benefits
        if benefit.information_code == OTHER_PAYER
        for entity in benefit.related_entities
    )
    answering = member.payer.identifier if member.payer is not None else None
    held = payer_member_id(response)
    return CoverageAnswer(
        status=status,
        plan=plan,
        group_number=group,
        plan_begin=_first_date(member, ("346", "356", "291")),
        plan_end=_first_date(member, ("347", "357")),
        benefits=tuple(_benefit(b) for b in member.benefits),
        other_payers=others,
        rejections=rejections,
        member_id_changed=bool(asked_member_id and held and not _same_id(held, asked_member_id)),
        answering_payer_id=answering,
        payer_changed=bool(
            asked_payer_id and answering and not _same_id(answering, asked_payer_id)
        ),
    )


@dataclass(frozen=True, slots=True)
class EligibilityCheck:
    """A check as stored: who asked about which payer and service date, the answer, and the
    archived 270 and 271 (member names and ids stay in those, not here)."""

    tenant_id: str
    check_id: str
    payer_id: str
    checked_at: datetime
    date_of_service: date | None
    service_types: tuple[str, ...]
    answer: CoverageAnswer
    inquiry_key: str
    response_key: str


# AAA03 reasons that say the payer has no such member (X279A1 2100C/D AAA): 72 invalid member
# id, 75 subscriber/insured not found. Other reasons (42 try later, 73 name, 58 birth date)
# say nothing about the member being unknown.
MEMBER_UNKNOWN_REASONS = frozenset({"72", "75"})


def coverage_edits(claim: Claim, check: EligibilityCheck) -> tuple[ScrubFinding, ...]:
    """What the payer's own 271 says about this claim (issue: preventable denials, CARC 27,
    31, 22, 197): coverage inactive on the date of service, a member the payer does not know,
    and a member id the payer has replaced, block; an answer from another payer id, and
    another payer named as primary while the claim bills this one as primary, warn. What it
    says about authorizations is held with the payer's rules (claims.authorizations)."""
    found: list[ScrubFinding] = []
    answer = check.answer
    lines = claim.claim_information.service_lines
    service = min((line.service_date for line in lines), default=check.date_of_service)
    ended = answer.plan_end is not None and service is not None and service > answer.plan_end
    if answer.status == "inactive" or (answer.status == "active" and ended):
        found.append(
            ScrubFinding(
                field="subscriber.memberId",
                code="coverage_inactive",
                message=f"the payer's eligibility answer of {check.checked_at.date()} says "
                "coverage is not active on the date of service (CARC 27): check the member "
                "and the payer, or bill the patient",
                severity="error",
            )
        )
    unknown = [r.code for r in answer.rejections if r.code in MEMBER_UNKNOWN_REASONS]
    if answer.status == "rejected" and unknown:
        found.append(
            ScrubFinding(
                field="subscriber.memberId",
                code="member_unknown",
                message=f"the payer's eligibility answer of {check.checked_at.date()} does not "
                f"know the member (AAA {unknown[0]}): check the id and the payer (CARC 31)",
                severity="error",
            )
        )
    if answer.member_id_changed:
        found.append(
            ScrubFinding(
                field="subscriber.memberId",
                code="member_id_changed",
                message=f"the payer's eligibility answer of {check.checked_at.date()} holds the "
                "member under another id (271 2100C NM109, this one as the prior id): bill the "
                "payer's id or the claim is denied (CARC 31)",
                severity="error",
            )
        )
    if answer.payer_changed:
        found.append(
            ScrubFinding(
                field="tradingPartnerServiceId",
                code="payer_changed",
                message=f"the eligibility answer came from payer {answer.answering_payer_id} "
                "(271 2100A NM109), not the payer asked: check where this claim is sent",
                severity="warning",
            )
        )
    primary = claim.subscriber.payment_responsibility_level_code == "P"
    if primary and answer.other_payers and any(b.code == OTHER_PAYER for b in answer.benefits):
        names = ", ".join(p.name for p in answer.other_payers)
        found.append(
            ScrubFinding(
                field="subscriber.paymentResponsibilityLevelCode",
                code="other_payer_primary",
                message=f"the payer's eligibility answer names another payer ({names}): bill "
                "the primary payer first (CARC 22)",
                severity="warning",
            )
        )
    return tuple(found)
