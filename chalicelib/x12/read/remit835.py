"""Typed reader for the 835 Health Care Claim Payment/Advice (TR3 005010X221A1).

A transaction set's text gives a `Remittance`: the payment (BPR), the trace (TRN), payer and
payee (Loops 1000A/1000B), every claim (Loop 2100) with its service lines (Loop 2110), and the
provider-level adjustments (PLB). The TR3 balancing rules (front matter, "Balancing") are
checked as the claims are read:

- each line:        SVC02 - sum of line CAS amounts = SVC03
- each claim:       CLP03 - sum of claim and line CAS amounts = CLP04
- the transaction:  BPR02 = sum of CLP04 - sum of PLB amounts

A payer's file that does not balance is still a payment to post, so an imbalance is a `Finding`
with the claim/line and the amounts, never an exception. The same goes for defects that leave
the meaning clear: a missing or invalid date, a composite written with ">" although ISA16 says
":", a required amount left empty (read as 0). What cannot be read raises `X12ReadError`: money
(BPR02, CLP03-05, CAS, SVC02-03, PLB, AMT02; DE 782, R 1/18) present but not an X12 R number
of at most 18 digits (see `elements`: no exponent, no "NaN", ASCII digits only), since every
total and every posting built on it would be wrong; and an 835 without BPR. Quantities (SVC05,
SVC07, CAS quantities; DE 380, R 1/15) that are not R numbers are findings and read as None:
no money depends on them. Unknown segments are ignored.

Speed: a remittance file holds tens of thousands of claims, so the claims are read loop by loop
from the set's text with C-level string operations (split on "~CLP*" and "~SVC*", one regex
per loop for the CAS amounts) rather than one Python step per segment. Claims and lines are
built with their money and balanced as the set is read; their other fields (names, dates,
references, remarks, adjustments) are decoded from the loop's own text on first use and
cached. That is only exact for a claim in which no check could fail, so one regex pass over
the claims first finds a DTM date that is not a calendar date, an AMT that is not a plain
number, LX between claims; and the loop reading gives up (InvalidOperation) at a CAS that is
not made of plain triplets or money that is not a finite number. Such a claim is read again
segment by segment with every check, which gives the same claim and the findings or the error
that say what was wrong, only slower; PLB between claims (where do the claims end?) sends the
whole set that way, and so does CLP or SVC money that Decimal() takes but X12 does not ("1E5",
" 5", "２４５"), found in bulk once the claims are read. Tests hold the two readings equal. Both
add up in `_EXACT`, so balancing is exact for any amounts the TR3 allows, in any order.

Patient, insured and provider names and ids (NM1 in Loop 2100) are PHI: they are kept out of
the models' repr so they cannot reach a log by accident; so is the raw text of each loop.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    localcontext,
)
from functools import lru_cache
from typing import (
    BinaryIO,
)

from ..elements import AMOUNT, QUANTITY, parse_number
from ..envelope import EnvelopeReader, TransactionSet
from ..errors import X12ReadError
from ..tokenizer import Delimiters
from .base import SetReader
from .remit835_model import (
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
    Trace,
    _claim_details,
    _line_details,
)
from .remit835_values import (
    _ZERO,
    IMPLEMENTATION,
    PAYMENT_METHODS,
    Adjustment,
    Amount,
    Name,
    Party,
    Procedure,
    Reference,
    _padded,
    _Values,
)

__all__ = [
    "IMPLEMENTATION",
    "PAYMENT_METHODS",
    "Adjustment",
    "Amount",
    "ClaimPayment",
    "Name",
    "Party",
    "Payment",
    "Procedure",
    "ProviderAdjustment",
    "Reference",
    "Remittance",
    "ServiceLine",
    "Trace",
    "iter_remittances",
    "parse_835",
]

_BETWEEN_CLAIMS = ("PLB", "CLP", "SVC")  # unusual segments that move where claims end
_EMPTY_ELEMENTS = ("",) * 8  # pads a split CLP or SVC, whose elements are read by position


# What the loop reading's patterns take as it is: an amount (R 1/18) with at most 9 digits on
# either side of the point and a quantity (R 1/15) with at most 7 and 8, ASCII digits (\d takes
# any Unicode digit), so surely within their R sizes. What they refuse is decided exactly by
# `elements.parse_number`, in `_cas_total` or in the segment reading: a longer amount is only
# read more slowly. (Bounding the digits exactly takes a lookahead that costs 3 % of a read.)
_NUMBER = r"-?(?:[0-9]{1,9}(?:\.[0-9]{0,9})?|\.[0-9]{1,9})"
_QUANTITY = r"-?(?:[0-9]{1,7}(?:\.[0-9]{0,8})?|\.[0-9]{1,8})"
# A CCYYMMDD that is a calendar date from 1800 on (leap years included), as parse_date decides.
_DAY = (
    r"(?:(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
    r"|02(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = (
    r"(?:(?:1[89]|[2-9][0-9])(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)"
)
_DATE = rf"(?:(?:1[89]|[2-9][0-9])[0-9][0-9]{_DAY}|{_LEAP_YEAR}0229)"
# Money that Decimal() takes and that has no character but these is an R number (Decimal()
# refuses "-", ".", "1.2.3", "1-"); with at most 18 characters it has at most 18 digits. The
# loop reading checks that of its CLP and SVC money in bulk (`_plain_money`) and leaves what
# fails to the segment reading, which decides exactly (R 1/18 allows "-" and 18 digits).
_R_CHARACTERS = "0123456789.-"
_NOT_R = str.maketrans("", "", _R_CHARACTERS)
_MAX_CHARACTERS = AMOUNT.max_digits
_MONEY_BATCH = 1 << 14
# Balancing adds up amounts of at most 18 digits, below 10^18 and in steps of at least 10^-18:
# fewer than 10^24 of them have at most 60 digits, so every sum and difference is exact (the
# default 28 digits would round, and the two readings add in different orders). Until its
# bulk check the loop reading may hold money such as "9E+999999999999999999": Overflow makes
# it infinite instead of raising (any exponent is in range), and the check refuses it.
_EXACT = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero])


@dataclass(frozen=True, slots=True)
class _Patterns:
    """The markers and regular expressions of one delimiter set (compiled once per set)."""

    claim: str  # "~CLP*": Loop 2100 starts
    line: str  # "~SVC*": Loop 2110 starts
    claim_re: re.Pattern[str]  # also a CLP without elements
    line_re: re.Pattern[str]
    # Of a loop's text, for every CAS that is one triplet with a plain amount (and a plain
    # quantity or none): (CAS03, ""); for any other CAS: ("", the CAS from the S of its tag
    # on), which Decimal() refuses whatever the separator ("+5" it would take) and
    # `_cas_total` reads. A longer tag (CASE) is no CAS.
    cas_amounts: Callable[[str], list[tuple[str, str]]]
    # In the detail: what only the segment-by-segment reading reports right (a DTM date that
    # is not a calendar date, an AMT that is not a plain number, LX or PLB between claims, CLP
    # or SVC without elements).
    unusual: re.Pattern[str]
    plb: re.Pattern[str]
    lx: re.Pattern[str]
    # False when the element separator or the terminator is "." or "-": the number patterns
    # would read across it (an element "0", then "18", as the amount "0.18").
    loop_reading: bool


@lru_cache(maxsize=16)
def _patterns(delimiters: Delimiters) -> _Patterns:
    t, e = re.escape(delimiters.segment), re.escape(delimiters.element)
    other = f"[^{e}{t}]"
    end = f"(?:{e}|{t}|$)"
    return _Patterns(
        claim=delimiters.segment + "CLP" + delimiters.element,
        line=delimiters.segment + "SVC" + delimiters.element,
        claim_re=re.compile(f"{t}CLP(?:{e}|(?={t})|$)"),
        line_re=re.compile(f"{t}SVC(?:{e}|(?={t})|$)"),
        cas_amounts=re.compile(
            f"{t}CA(?:S{e}{other}*{e}{other}+{e}({_NUMBER})(?:{e}(?:{_QUANTITY})?)?(?={t}|$)"
            f"|(S(?={e}|{t}|$)[^{t}]*))"
        ).findall,
        unusual=re.compile(
            f"{t}(?:DTM{e}{other}*{e}(?!{_DATE}{end})"
            f"|AMT{e}{other}*{e}(?!(?:{_NUMBER})?{end})"
            # A literal first in every branch: a tenth faster than (?:LX|PLB){end}|...
            f"|LX{end}|PLB{end}|CLP(?:{t}|$)|SVC(?:{t}|$))"
        ),
        plb=re.compile(f"{t}PLB{end}"),
        lx=re.compile(f"{t}LX{end}"),
        loop_reading=not set(_R_CHARACTERS) & {delimiters.element, delimiters.segment},
    )


def _plain_money(texts: list[str]) -> bool:
    """Whether money texts that Decimal() took are all R numbers of at most 18 characters:
    two C-level passes for thousands of amounts, where a check of each would cost the loop
    reading a tenth of its time."""
    return not "".join(texts).translate(_NOT_R) and max(map(len, texts), default=0) <= (
        _MAX_CHARACTERS
    )


def _cas_total(found: list[tuple[str, str]], element: str) -> Decimal:
    """The CAS amounts of a loop (see `_Patterns.cas_amounts`) when a CAS is not one plain
    triplet: several triplets (CAS02-04 ... CAS17-19) are added up when each has a reason, a
    plain amount and a plain quantity or none; anything else raises InvalidOperation, for
    the segment-by-segment reading to report."""
    total = _ZERO
    for amount, rest in found:
        if amount:
            total += Decimal(amount)
            continue
        elements = rest.split(element)  # "S", CAS01, CAS02, ...: positions are CAS numbers
        if not 4 <= len(elements) <= 20:
            raise InvalidOperation
        for position in range(2, len(elements), 3):
            reason, value, quantity = (*elements[position : position + 3], "", "")[:3]
            if not (reason or value or quantity):
                continue
            figure = parse_number(value, AMOUNT)
            counted = parse_number(quantity, QUANTITY) if quantity else _ZERO
            if not reason or figure is None or counted is None:
                raise InvalidOperation
            total += figure
    return total


def _finite(*amounts: Decimal) -> None:
    """Money that is infinite or NaN is for the segment-by-segment reading to reject."""
    if not all(amount.is_finite() for amount in amounts):
        raise InvalidOperation


class _Reader(SetReader):
    """One read of one 835's text: header and PLB segment by segment (a few per set), the
    claims and lines loop by loop. Element conversions and findings go through `values`
    (sharing the framework's findings), as the views decode later through a quiet copy."""

    def __init__(self, ts: TransactionSet) -> None:
        super().__init__(ts)
        delimiters = self.delimiters
        self.patterns = _patterns(delimiters)
        self.values = _Values(delimiters, self.findings)
        self.quiet = _Values(delimiters, None)  # the views decode through it, later
        self.payment: Payment | None = None
        self.trace: Trace | None = None
        self.production_date: date | None = None
        self.references: list[Reference] = []
        self.payer: Party | None = None
        self.payee: Party | None = None
        self.claims: list[ClaimPayment] = []
        self.provider_adjustments: list[ProviderAdjustment] = []
        self.paid_total = _ZERO

    def read(self) -> Remittance:
        with localcontext(_EXACT):
            return self._read()

    def _read(self) -> Remittance:
        text = self.ts.text
        terminator = self.delimiters.segment
        patterns = self.patterns
        # `stop`: the terminator before SE, the set's last segment (the envelope ends it so).
        stop = text.rfind(terminator, 0, len(text) - 1)
        claims = text.find(patterns.claim, 0, stop + 1)
        header_end = stop if claims < 0 else claims
        early_plb = patterns.plb.search(text, 0, header_end)
        if early_plb is not None:
            header_end = claims = early_plb.start()
        header = self.values.segments(text[:header_end])
        self._read_header(header)
        index = self.base + len(header)
        detail_end = header_end
        if claims == header_end and early_plb is None:
            detail_end = self._trailing_plb_start(text, claims, stop)
            unusual = [
                found.start() for found in patterns.unusual.finditer(text, claims, detail_end + 1)
            ]
            if patterns.loop_reading and not any(
                text.startswith(_BETWEEN_CLAIMS, at + 1) for at in unusual
            ):
                index = self._read_claims(
                    text[claims:detail_end], index, [at - claims for at in unusual]
                )
            else:  # PLB between claims: where the claims end needs the segment reading
                found = patterns.plb.search(text, claims, stop + 1)
                detail_end = stop if found is None else found.start()
                index = self._read_claims_checked(text[claims:detail_end], index)
        self._read_trailer(self.values.segments(text[detail_end + 1 : -1]), index)
        return self._remittance()

    def _trailing_plb_start(self, text: str, start: int, stop: int) -> int:
        """The terminator before the run of PLB segments that ends the set (Table 3), or
        `stop` when there is none: where the claims end if nothing is out of place."""
        terminator = self.delimiters.segment
        plb = self.patterns.plb
        end = stop
        while end > start:
            previous = text.rfind(terminator, start, end)
            if previous < 0 or not plb.match(text, previous):
                break
            end = previous
        return end

    # -- Table 1: header, Loops 1000A and 1000B --------------------------------------------

    def _read_header(self, segments: list[list[str]]) -> None:
        """ST to the first CLP (or PLB, or SE): BPR, TRN, REF, DTM*405, Loop 1000A (N1*PR)
        and Loop 1000B (N1*PE) with their REF; LX, TS3 and TS2 (Loop 2000) are skipped."""
        ts = self.ts
        values = self.values
        version = ts.implementation_reference or ts.group.version
        if version != IMPLEMENTATION:
            values.finding(
                "unexpected_implementation",
                f"ST03/GS08 is {version!r}, read as {IMPLEMENTATION}",
                ts.first_index,
                "ST",
                3,
            )
        party: list[str] | None = None
        party_references: list[Reference] = []
        for position in range(1, len(segments)):
            segment = segments[position]
            tag = segment[0]
            index = self.base + position
            if tag == "BPR":
                self._bpr(segment, index)
            elif tag == "TRN":
                trn = _padded(segment, 5)
                self.trace = Trace(trn[1], trn[2], trn[3], trn[4] or None)
            elif tag == "DTM" and len(segment) > 1 and segment[1] == "405":
                self.production_date = values.date(_padded(segment, 3)[2], index, "DTM", 2)
            elif tag == "N1":
                self._close_party(party, party_references)
                party, party_references = _padded(segment, 5), []
            elif tag == "REF" and len(segment) > 2:
                reference = Reference(segment[1], segment[2])
                (party_references if party is not None else self.references).append(reference)
            elif tag == "LX":
                self._close_party(party, party_references)
                party = None
        self._close_party(party, party_references)
        if self.payment is None:
            raise self.error(f"835 {ts.control_number} has no BPR (financial information)", 0)
        for missing, what in (
            (self.trace is None, "TRN (reassociation trace number)"),
            (self.payer is None, "N1*PR (Loop 1000A payer)"),
            (self.payee is None, "N1*PE (Loop 1000B payee)"),
        ):
            if missing:
                values.finding("missing_segment", f"the 835 has no {what}", ts.first_index, "ST")

    def _close_party(self, n1: list[str] | None, references: list[Reference]) -> None:
        if n1 is None:
            return
        party = Party(n1[1], n1[2], n1[3] or None, n1[4] or None, tuple(references))
        if n1[1] == "PR":
            self.payer = party
        elif n1[1] == "PE":
            self.payee = party

    def _bpr(self, segment: list[str], index: int) -> None:
        bpr = _padded(segment, 17)
        method = bpr[4]
        values = self.values
        if method not in PAYMENT_METHODS:
            values.finding(
                "unknown_payment_method",
                f"BPR04 payment method {method!r} is not one of {sorted(PAYMENT_METHODS)}",
                index,
                "BPR",
                4,
            )
        self.payment = Payment(
            handling_code=bpr[1],
            total_paid=values.money(bpr[2], index, "BPR", 2, "total provider payment"),
            credit_debit=bpr[3],
            method=method,
            payment_format=bpr[5] or None,
            effective_date=values.date(bpr[16], index, "BPR", 16),
            segment_index=index,
        )

    # -- Table 2: Loops 2100 and 2110 ------------------------------------------------------

    def _read_claims(self, detail: str, index: int, unusual: list[int]) -> int:
        """The claims, loop by loop (`_read_loops`). CLP and SVC money that Decimal() took but
        that is no R number ("1E5", " 5", "２４５") is found in bulk once they are read, or
        before an error a claim raises: then all of them are read again segment by segment,
        which refuses it where it stands, as the segment reading alone would. Returns the
        index after the claims."""
        start = index, len(self.claims), self.paid_total, len(self.findings)
        separator_reported = self.values.separator_reported
        monies: list[str] = []
        try:
            after = self._read_loops(detail, index, unusual, monies)
        except X12ReadError:
            if _plain_money(monies):
                raise
        else:
            if _plain_money(monies):
                return after
        index, claims, self.paid_total, findings = start
        del self.claims[claims:]
        del self.findings[findings:]
        self.values.separator_reported = separator_reported
        return self._read_claims_checked(detail, index)

    def _read_loops(self, detail: str, index: int, unusual: list[int], monies: list[str]) -> int:
        """The claims, loop by loop: CLP and SVC split from the text, the CAS amounts from
        one regex per loop, the other segments left for the views to decode. A claim with
        something unusual in it is read segment by segment instead (`_claim_checked`): one
        at a position in `unusual` (offsets in `detail`, ascending), or one where the loop
        reading raises InvalidOperation (a CAS that is not one plain triplet, money that is
        not a finite number), whose findings so far are taken back first. The CLP and SVC
        money kept goes to `monies`, for `_read_claims` to check. Returns the index after
        the claims."""
        money = monies.append
        terminator = self.delimiters.segment
        element = self.delimiters.element
        quiet = self.quiet
        new_line = ServiceLine._make  # looked up once: the loop builds tens of thousands
        new_claim = ClaimPayment._make
        values = self.values
        procedures = values.procedures
        units_seen = values.units
        cas_amounts = self.patterns.cas_amounts
        line_marker = self.patterns.line
        findings = self.findings
        claims = self.claims
        paid_total = self.paid_total
        marker = len(self.patterns.claim)
        unusual.append(len(detail))  # a sentinel: no claim reaches it
        pending = iter(unusual)
        next_unusual = next(pending)
        end = 0  # of the previous claim's text in `detail`
        for part in detail.split(self.patterns.claim)[1:]:
            end += marker + len(part)
            if next_unusual < end:
                claim, index = self._claim_checked(part, index)
                claims.append(claim)
                paid_total += claim.paid
                while next_unusual < end:
                    next_unusual = next(pending)
                continue
            reported = len(findings), values.separator_reported, len(monies)
            try:
                bodies = part.split(line_marker)
                head = bodies.pop(0)
                clp = head.split(terminator, 1)[0].split(element)
                clp += _EMPTY_ELEMENTS  # CLP01-09: X12 drops trailing empty elements
                charge = Decimal(clp[2])
                paid = Decimal(clp[3])
                money(clp[2])
                money(clp[3])
                found = cas_amounts(head)
                adjusted = _cas_total(found, element) if found else _ZERO
                line_index = index + head.count(terminator) + 1
                lines: list[ServiceLine] = []
                for body in bodies:
                    svc = body.split(terminator, 1)[0].split(element)
                    svc += _EMPTY_ELEMENTS  # SVC01-07
                    line_charge = Decimal(svc[1])
                    line_paid = Decimal(svc[2])
                    money(svc[1])
                    money(svc[2])
                    procedure = procedures.get(svc[0])
                    units = units_seen.get(svc[4]) if svc[4] else None
                    if procedure is None or (units is None and svc[4]) or svc[5] or svc[6]:
                        procedure, units, original, original_units = self._service(svc, line_index)
                    else:
                        original = original_units = None
                    line = new_line(
                        (
                            procedure,
                            line_charge,
                            line_paid,
                            svc[3] or None,
                            units,
                            original,
                            original_units,
                            line_index,
                            body,
                            quiet,
                        )
                    )
                    lines.append(line)
                    # SVC02 - SVC03 must be the line's CAS total. With one CAS (the usual line)
                    # its text is compared first: equal text is an equal number, no Decimal
                    # needed. A CAS that is not plain is captured with the S of its tag, which
                    # Decimal() refuses, and read by _cas_total.
                    difference = line_charge - line_paid
                    found = cas_amounts(body)
                    if len(found) == 1 and str(difference) == found[0][0]:
                        adjusted += difference
                    else:
                        try:
                            line_adjusted = sum(map(Decimal, map("".join, found)), _ZERO)
                        except InvalidOperation:
                            line_adjusted = _cas_total(found, element)
                        adjusted += line_adjusted
                        if difference != line_adjusted:
                            _finite(line_charge, line_paid)
                            self._line_out_of_balance(clp[0], line, len(lines), line_adjusted)
                    line_index += body.count(terminator) + 1
                responsibility = None
                if clp[4]:
                    responsibility = Decimal(clp[4])
                    money(clp[4])
                    if not responsibility.is_finite():
                        raise InvalidOperation
                # Infinite or NaN money never balances (or raises): the claim's paid, added
                # up below outside this try, is finite.
                if charge - adjusted - paid:
                    _finite(charge, paid)
                    self._claim_out_of_balance(clp[0], charge, paid, adjusted, index)
                claim = new_claim(
                    (
                        clp[0],
                        clp[1],
                        charge,
                        paid,
                        responsibility,
                        clp[5],
                        clp[6],
                        clp[7] or None,
                        clp[8] or None,
                        tuple(lines),
                        index,
                        head,
                        quiet,
                    )
                )
            except InvalidOperation:  # something unusual: this claim segment by segment
                del findings[reported[0] :]
                values.separator_reported = reported[1]
                del monies[reported[2] :]
                claim, line_index = self._claim_checked(part, index)
            claims.append(claim)
            paid_total += claim.paid
            index = line_index
            if len(monies) > _MONEY_BATCH:  # checked as they come: memory stays flat
                if not _plain_money(monies):
                    break
                monies.clear()
        self.paid_total = paid_total
        return index

    def _read_claims_checked(self, detail: str, index: int) -> int:
        """The claims of a detail with PLB between claims, segment by segment."""
        for part in self.patterns.claim_re.split(detail)[1:]:
            claim, index = self._claim_checked(part, index)
            self.claims.append(claim)
            self.paid_total += claim.paid
        return index

    def _claim_checked(self, text: str, index: int) -> tuple[ClaimPayment, int]:
        """One claim (CLP01 on, up to the next claim) segment by segment with every check:
        the claim and the index after it. The claim ends at LX too; what follows it (LX,
        TS3, TS2 of the next Loop 2000) is skipped, anything else reported. The decoded
        loops are kept on the views, so they are not decoded twice."""
        values = self.values
        quiet = self.quiet
        lx = self.patterns.lx.search(text)
        part, between = (text, "") if lx is None else (text[: lx.start()], text[lx.start() + 1 :])
        head, *bodies = self.patterns.line_re.split(part)
        head_segments = values.segments(head)
        clp = _padded(head_segments[0], 9)
        charge, paid = self._claim_money(clp, index)
        responsibility = (
            values.money(clp[4], index, "CLP", 5, "patient responsibility") if clp[4] else None
        )
        details = _claim_details(head_segments[1:], values, index + 1)
        adjusted = details.adjusted
        line_index = index + len(head_segments)
        lines: list[ServiceLine] = []
        for body in bodies:
            segments = values.segments(body)
            svc = _padded(segments[0], 7)
            line_charge, line_paid = self._line_money(svc, line_index)
            procedure, units, original, original_units = self._service(svc, line_index)
            line_details = _line_details(segments[1:], values, line_index + 1)
            line = ServiceLine._make(
                (
                    procedure,
                    line_charge,
                    line_paid,
                    svc[3] or None,
                    units,
                    original,
                    original_units,
                    line_index,
                    body,
                    quiet,
                )
            )
            quiet.line_details[line_index] = line_details
            lines.append(line)
            adjusted += line_details.adjusted
            if line_charge - line_details.adjusted != line_paid:
                self._line_out_of_balance(clp[0], line, len(lines), line_details.adjusted)
            line_index += len(segments)
        if charge - adjusted != paid:
            self._claim_out_of_balance(clp[0], charge, paid, adjusted, index)
        claim = ClaimPayment._make(
            (
                clp[0],
                clp[1],
                charge,
                paid,
                responsibility,
                clp[5],
                clp[6],
                clp[7] or None,
                clp[8] or None,
                tuple(lines),
                index,
                head,
                quiet,
            )
        )
        quiet.claim_details[index] = details
        for segment in values.segments(between) if between else ():
            tag = segment[0]
            if tag not in ("LX", "TS3", "TS2"):
                values.finding(
                    "segment_out_of_place",
                    f"{tag} outside a claim (Loop 2100) is ignored",
                    line_index,
                    tag,
                )
            line_index += 1
        return claim, line_index

    def _claim_money(self, clp: list[str], index: int) -> tuple[Decimal, Decimal]:
        """CLP03 and CLP04 (clp[0] is CLP01)."""
        return (
            self.values.money(clp[2], index, "CLP", 3, "total claim charge"),
            self.values.money(clp[3], index, "CLP", 4, "claim payment amount"),
        )

    def _line_money(self, svc: list[str], index: int) -> tuple[Decimal, Decimal]:
        """SVC02 and SVC03 (svc[0] is SVC01)."""
        return (
            self.values.money(svc[1], index, "SVC", 2, "line item charge"),
            self.values.money(svc[2], index, "SVC", 3, "line item payment"),
        )

    def _service(
        self, svc: list[str], index: int
    ) -> tuple[Procedure, Decimal | None, Procedure | None, Decimal | None]:
        """SVC01 procedure, SVC05 units, SVC06 original procedure, SVC07 original units
        (svc[0] is SVC01, padded to 7)."""
        values = self.values
        procedure = values.procedure(svc[0], index, "SVC", 1)
        if procedure is None:
            procedure = Procedure(svc[0].split(self.delimiters.component)[0], "", (), None)
        units = values.units.get(svc[4])
        if units is None and svc[4]:
            units = values.quantity(svc[4], index, "SVC", 5, "units of service")
            if units is not None:
                values.units[svc[4]] = units
        original = values.procedure(svc[5], index, "SVC", 6) if svc[5] else None
        original_units = (
            values.quantity(svc[6], index, "SVC", 7, "original units") if svc[6] else None
        )
        return procedure, units, original, original_units

    def _line_out_of_balance(
        self, claim_id: str, line: ServiceLine, number: int, adjusted: Decimal
    ) -> None:
        control_number = line.line_item_control_number
        self.values.finding(
            "line_out_of_balance",
            f"claim {claim_id!r} line {number}"
            f"{f' (REF*6R {control_number!r})' if control_number else ''}: "
            f"SVC02 {line.charge} - adjustments {adjusted} = {line.charge - adjusted}, "
            f"but SVC03 is {line.paid}",
            line.segment_index,
            "SVC",
            3,
        )

    def _claim_out_of_balance(
        self, claim_id: str, charge: Decimal, paid: Decimal, adjusted: Decimal, index: int
    ) -> None:
        self.values.finding(
            "claim_out_of_balance",
            f"claim {claim_id!r}: CLP03 {charge} - adjustments {adjusted} = "
            f"{charge - adjusted}, but CLP04 is {paid}",
            index,
            "CLP",
            4,
        )

    # -- Table 3: PLB ----------------------------------------------------------------------

    def _read_trailer(self, segments: list[list[str]], index: int) -> None:
        """PLB segments up to SE; anything else here is out of place (and ignored)."""
        for segment in segments:
            tag = segment[0]
            if tag == "PLB":
                self._plb(segment, index)
            elif tag == "SE":
                return
            else:
                self.values.finding(
                    "segment_out_of_place",
                    f"{tag} after the provider adjustments (PLB) is ignored",
                    index,
                    tag,
                )
            index += 1

    def _plb(self, segment: list[str], index: int) -> None:
        """PLB01 provider, PLB02 fiscal period date, then up to six pairs of a reason
        composite (code and reference id) and an amount (PLB03-04 ... PLB13-14)."""
        values = self.values
        plb = _padded(segment, 15)
        fiscal = values.date(plb[2], index, "PLB", 2)
        for position in range(3, 15, 2):
            reason, value = plb[position], plb[position + 1]
            if not (reason or value):
                continue
            parts = values.composite(reason, index, "PLB", position)
            self.provider_adjustments.append(
                ProviderAdjustment(
                    provider_id=plb[1],
                    fiscal_period_date=fiscal,
                    reason_code=parts[0],
                    reference_id=parts[1] if len(parts) > 1 and parts[1] else None,
                    amount=values.money(value, index, "PLB", position + 1, "adjustment amount"),
                    segment_index=index,
                )
            )

    def _remittance(self) -> Remittance:
        payment = self.payment
        assert payment is not None  # _read_header raises without a BPR
        expected = self.paid_total - sum((item.amount for item in self.provider_adjustments), _ZERO)
        if expected != payment.total_paid:
            self.values.finding(
                "transaction_out_of_balance",
                f"BPR02 is {payment.total_paid}, but the sum of CLP04 ({self.paid_total}) "
                f"less the PLB adjustments is {expected}",
                payment.segment_index,
                "BPR",
                2,
            )
        ts = self.ts
        return Remittance(
            control_number=ts.control_number,
            implementation_reference=ts.implementation_reference,
            interchange_control_number=ts.interchange.control_number,
            group_control_number=ts.group.control_number,
            payment=payment,
            trace=self.trace,
            production_date=self.production_date,
            references=tuple(self.references),
            payer=self.payer,
            payee=self.payee,
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.provider_adjustments),
            findings=tuple(self.findings),
        )


def parse_835(ts: TransactionSet) -> Remittance:
    """Read one 835 transaction set into a `Remittance`, balancing findings included."""
    if ts.transaction_set_id != "835":
        raise X12ReadError(
            f"transaction set {ts.control_number} is a {ts.transaction_set_id or '?'}, not an 835",
            segment_index=ts.first_index,
            segment_id="ST",
            element_position=1,
        )
    return _Reader(ts).read()


def iter_remittances(
    source: BinaryIO | bytes, *, skip_other_types: bool = False
) -> Iterator[Remittance]:
    """Read the 835s of a file one transaction set at a time, so memory stays flat however
    large the file. Another transaction type is an X12ReadError unless `skip_other_types`."""
    for ts in EnvelopeReader(source):
        if ts.transaction_set_id != "835" and skip_other_types:
            continue
        yield parse_835(ts)
