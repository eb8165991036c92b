"""Appeals: what a biller asks the payer to reconsider, why (the payer's CARC/RARC or the
contract variance), by when (the payer's appeal window from the remittance), and what came
of it (a later 835 that pays more closes it as won or partially won, with the amount).
Pure: the use case stores appeals on the claim and renders the letter."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from chalicelib.documents.pdf import Document, Table

from .carc_rarc import describe_carc, describe_rarc
from .posting import Posting
from .records import Appeal, ClaimRecord
from .variance import VarianceFlag

APPEAL_STATUSES = ("drafted", "sent", "won", "lost", "partially_won")
OPEN = ("drafted", "sent")
_ZERO = Decimal(0)
_CENT = Decimal("0.01")


def paid_in_force(postings: tuple[Posting, ...]) -> Decimal:
    """What the payer's adjudications still in force paid (a reversal takes one back)."""
    from .posting import current_postings

    return sum((p.paid for p in current_postings(postings)), _ZERO)


def allowed_in_force(postings: tuple[Posting, ...]) -> Decimal:
    """What they allowed, line by line: an underpayment is won when the allowed amount is."""
    from .posting import current_postings

    return sum((line.allowed for p in current_postings(postings) for line in p.lines), _ZERO)


def appeal_grounds(
    record: ClaimRecord, line_numbers: tuple[int, ...]
) -> tuple[tuple[str, ...], Decimal, tuple[VarianceFlag, ...]]:
    """The codes the payer gave (denied lines' and the claim's CARC/RARC) or the variance
    kinds, the amount in dispute, and the variance flags it rests on, for the chosen lines
    (all when none are chosen)."""
    from .posting import current_postings

    chosen = {n - 1 for n in line_numbers}
    flags = tuple(
        f
        for f in record.flags
        if f.kind in ("underpaid", "math_error")
        and (not chosen or (f.claim_line_index is not None and f.claim_line_index in chosen))
    )
    codes: list[str] = [f.kind for f in flags]
    disputed = sum((f.difference for f in flags if f.kind == "underpaid"), _ZERO)
    for posting in current_postings(record.remittances):
        codes += [f"{a.group}-{a.reason}" for a in posting.claim_adjustments if a.group != "PR"]
        codes += [r.code for r in posting.remarks]
        for line in posting.lines:
            if chosen and line.claim_line_index not in chosen:
                continue
            if line.denied:
                codes += [f"{a.group}-{a.reason}" for a in line.adjustments]
                codes += [r.code for r in line.remarks]
                disputed += line.charge - line.paid
    if not record.remittances and not flags:
        disputed = record.charge_amount
    return tuple(dict.fromkeys(codes)), disputed.quantize(_CENT), flags


def settle(
    appeals: tuple[Appeal, ...], postings: tuple[Posting, ...], now: datetime
) -> tuple[Appeal, ...]:
    """Sent appeals after a remittance that pays more than when they were made: won when
    the dispute is resolved (an underpayment: the allowed amount rose by what was disputed;
    a denial: no appealed line is denied any more), else partially won; with what the
    payment rose by."""
    from .posting import current_postings

    in_force = current_postings(postings)
    paid_now, allowed_now = paid_in_force(postings), allowed_in_force(postings)
    settled: list[Appeal] = []
    for appeal in appeals:
        gained = paid_now - appeal.paid_before
        if appeal.status != "sent" or gained <= 0:
            settled.append(appeal)
            continue
        if appeal.allowed_before is not None:
            won = allowed_now - appeal.allowed_before >= appeal.requested
        else:
            chosen = set(appeal.line_numbers)
            won = not any(
                line.denied
                for posting in in_force
                for line in posting.lines
                if not chosen or (line.claim_line_index or 0) + 1 in chosen
            )
        status = "won" if won else "partially_won"
        settled.append(replace(appeal, status=status, recovered=gained, closed_at=now))
    return tuple(settled)


def appeal_letter(
    record: ClaimRecord, appeal: Appeal, flags: tuple[VarianceFlag, ...], practice: str
) -> Document:
    """The letter: the claim, the lines, the payer's codes in words, what was paid and, for
    an underpayment, the contracted rate in force on the date of service and the
    difference."""
    claim = record.claim
    info = claim.claim_information
    subscriber = claim.subscriber
    patient = claim.dependent or subscriber
    lines = info.service_lines
    chosen = appeal.line_numbers or tuple(range(1, len(lines) + 1))
    blocks: list[str | Table] = [
        f"{practice}",
        f"To: {claim.trading_partner_name or claim.receiver_name}, appeals department "
        f"(payer id {claim.trading_partner_service_id})",
        f"Re: request for reconsideration of claim {record.payer_claim_control_number or ''} "
        f"(our claim {info.patient_control_number})",
        f"Patient: {patient.first_name} {patient.last_name}; member id {subscriber.member_id}",
        f"Appeal deadline: {appeal.deadline.isoformat() if appeal.deadline else 'not known'}",
        "## The services",
        Table(
            ("Line", "Date", "Procedure", "Billed", "Paid"),
            tuple(
                (
                    str(n),
                    lines[n - 1].service_date.isoformat(),
                    "-".join((lines[n - 1].procedure_code, *lines[n - 1].procedure_modifiers)),
                    f"{lines[n - 1].charge_amount:.2f}",
                    f"{_line_paid(record, n - 1):.2f}",
                )
                for n in chosen
                if 0 < n <= len(lines)
            ),
        ),
        "## Why we ask",
    ]
    for code in appeal.reason_codes:
        blocks.append(f"{code}: {_code_words(code)}")
    underpaid = [f for f in flags if f.kind == "underpaid"]
    if underpaid:
        blocks.append("## The contract")
        blocks.append(
            Table(
                ("Line", "Procedure", "Contracted rate", "Allowed", "Difference", "Fee schedule"),
                tuple(
                    (
                        str((f.claim_line_index or 0) + 1),
                        f.procedure_code or "",
                        f"{f.expected:.2f}",
                        f"{f.actual:.2f}",
                        f"{f.difference:.2f}",
                        _version(f),
                    )
                    for f in underpaid
                ),
            )
        )
    blocks += [
        f"Paid so far: {appeal.paid_before:.2f}. Amount in dispute: {appeal.requested:.2f}.",
        "## Our argument",
        appeal.argument,
    ]
    if appeal.attachments:
        blocks.append(f"Enclosed: {len(appeal.attachments)} document(s).")
    return Document(title=f"Appeal {appeal.appeal_id}", blocks=tuple(blocks))


def _line_paid(record: ClaimRecord, index: int) -> Decimal:
    from .posting import current_postings

    return sum(
        (
            line.paid
            for posting in current_postings(record.remittances)
            for line in posting.lines
            if line.claim_line_index == index
        ),
        _ZERO,
    )


def _version(flag: VarianceFlag) -> str:
    contract = flag.contract
    if contract is None:
        return ""
    return f"v{contract.version}, from {contract.row.effective_from.isoformat()}"


def _code_words(code: str) -> str:
    if code == "underpaid":
        return "paid less than the contracted rate"
    if code == "math_error":
        return "the payment does not add up"
    if "-" in code:
        return describe_carc(code.split("-", 1)[1]) or "adjustment reason"
    return describe_rarc(code) or "remark"
