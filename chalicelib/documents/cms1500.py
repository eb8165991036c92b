"""The CMS-1500 (02/12) paper claim: where each item of a claim is printed, as one table.

The grid is NUCC's: the form is 8.5 x 11 inches, printed at 10 characters to the inch and
6 lines to the inch, so 85 columns x 66 lines. Column c (1-85) starts at x = (c - 1) * 7.2
points from the left edge; line l (1-66) is the band y = (l - 1) * 12 .. l * 12 points from the
top edge, and its text stands on a baseline 3 points above the band's bottom. Courier at 12
points is exactly one column wide per character. Each box is a rectangle of whole columns and
lines (BOXES); each item is printed at a line and column inside its box (the table below).

What goes in each box follows the NUCC 1500 Claim Form Reference Instruction Manual (version
7/16 for the 02/12 form): names LAST, FIRST, MIDDLE INITIAL; dates MM DD YYYY (24A: MM DD YY);
amounts with dollars and cents in their own sub-boxes and no dollar sign or decimal point;
box 24 holds six lines, and a claim of more lines continues on further forms, each complete,
with the total charge (28) and amount paid (29) only on the last.

Pure: takes the claim and what the caller knows (payer, amount paid, the date), returns a
pdf.Form. The default prints the data alone, for the pre-printed red form; `drawn` adds the
boxes and their labels for review on plain paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chalicelib.claims import model

from .pdf import Box, Form, Page, Text

COLUMN = 7.2  # points: 10 characters to the inch
LINE = 12.0  # points: 6 lines to the inch
LINES_PER_FORM = 6  # box 24
_RED = (200, 30, 30)
_LABEL_SIZE = 5.0  # points: the form's own labels are small capitals in the box's corner
_HELVETICA_WIDTH = 0.6  # a generous average of Helvetica's widths, in ems: labels fit their box


@dataclass(frozen=True, slots=True)
class Area:
    """A box of the form in grid units: lines `top`..`bottom` and columns `left`..`right`,
    both inclusive."""

    label: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in points from the top-left corner."""
        return (
            (self.left - 1) * COLUMN,
            (self.top - 1) * LINE,
            self.right * COLUMN,
            self.bottom * LINE,
        )


# The form's boxes. Box 24's columns A-J have their headings on line 42; its six lines are
# each a shaded (supplemental) line above the main line: service line i (0-5) prints on lines
# 43 + 2i (shaded) and 44 + 2i.
BOXES: dict[str, Area] = {
    "carrier": Area("CARRIER", 1, 50, 6, 85),
    "1": Area(
        "1. MEDICARE MEDICAID TRICARE CHAMPVA GROUP HEALTH PLAN FECA BLK LUNG OTHER", 7, 1, 8, 49
    ),
    "1a": Area("1a. INSURED'S I.D. NUMBER", 7, 50, 8, 85),
    "2": Area("2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", 9, 1, 10, 29),
    "3": Area("3. PATIENT'S BIRTH DATE  SEX", 9, 30, 10, 49),
    "4": Area("4. INSURED'S NAME (Last Name, First Name, Middle Initial)", 9, 50, 10, 85),
    "5": Area(
        "5. PATIENT'S ADDRESS (No., Street)  CITY  STATE  ZIP CODE  TELEPHONE", 11, 1, 16, 29
    ),
    "6": Area("6. PATIENT RELATIONSHIP TO INSURED  Self Spouse Child Other", 11, 30, 12, 49),
    "7": Area(
        "7. INSURED'S ADDRESS (No., Street)  CITY  STATE  ZIP CODE  TELEPHONE", 11, 50, 16, 85
    ),
    "8": Area("8. RESERVED FOR NUCC USE", 13, 30, 16, 49),
    "9": Area("9. OTHER INSURED'S NAME", 17, 1, 18, 29),
    "9a": Area("a. OTHER INSURED'S POLICY OR GROUP NUMBER", 19, 1, 20, 29),
    "9b": Area("b. RESERVED FOR NUCC USE", 21, 1, 22, 29),
    "9c": Area("c. RESERVED FOR NUCC USE", 23, 1, 24, 29),
    "9d": Area("d. INSURANCE PLAN NAME OR PROGRAM NAME", 25, 1, 26, 29),
    "10": Area("10. IS PATIENT'S CONDITION RELATED TO:", 17, 30, 18, 49),
    "10a": Area("a. EMPLOYMENT? (Current or Previous)  YES NO", 19, 30, 20, 49),
    "10b": Area("b. AUTO ACCIDENT?  YES NO  PLACE (State)", 21, 30, 22, 49),
    "10c": Area("c. OTHER ACCIDENT?  YES NO", 23, 30, 24, 49),
    "10d": Area("10d. CLAIM CODES", 25, 30, 26, 49),
    "11": Area("11. INSURED'S POLICY GROUP OR FECA NUMBER", 17, 50, 18, 85),
    "11a": Area("a. INSURED'S DATE OF BIRTH  SEX", 19, 50, 20, 85),
    "11b": Area("b. OTHER CLAIM ID", 21, 50, 22, 85),
    "11c": Area("c. INSURANCE PLAN NAME OR PROGRAM NAME", 23, 50, 24, 85),
    "11d": Area("d. IS THERE ANOTHER HEALTH BENEFIT PLAN?  YES NO", 25, 50, 26, 85),
    "12": Area("12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE  SIGNED  DATE", 27, 1, 30, 49),
    "13": Area("13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE  SIGNED", 27, 50, 30, 85),
    "14": Area("14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)  QUAL", 31, 1, 32, 29),
    "15": Area("15. OTHER DATE  QUAL", 31, 30, 32, 49),
    "16": Area("16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION", 31, 50, 32, 85),
    "17": Area("17. NAME OF REFERRING PROVIDER OR OTHER SOURCE", 33, 1, 34, 29),
    "17b": Area("17a.  17b. NPI", 33, 30, 34, 49),
    "18": Area("18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", 33, 50, 34, 85),
    "19": Area("19. ADDITIONAL CLAIM INFORMATION", 35, 1, 36, 49),
    "20": Area("20. OUTSIDE LAB?  $ CHARGES", 35, 50, 36, 85),
    "21": Area("21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  ICD Ind.", 37, 1, 40, 49),
    "22": Area("22. RESUBMISSION CODE  ORIGINAL REF. NO.", 37, 50, 38, 85),
    "23": Area("23. PRIOR AUTHORIZATION NUMBER", 39, 50, 40, 85),
    "24": Area(
        "24. A. DATE(S) OF SERVICE  B. PLACE OF SERVICE  C. EMG  D. PROCEDURES", 41, 1, 54, 85
    ),
    "24A": Area("A. From To", 42, 1, 54, 18),
    "24B": Area("B. POS", 42, 19, 54, 21),
    "24C": Area("C. EMG", 42, 22, 54, 23),
    "24D": Area("D. CPT/HCPCS  MODIFIER", 42, 24, 54, 44),
    "24E": Area("E. DIAG. POINTER", 42, 45, 54, 49),
    "24F": Area("F. $ CHARGES", 42, 50, 54, 60),
    "24G": Area("G. DAYS OR UNITS", 42, 61, 54, 64),
    "24H": Area("H. EPSDT", 42, 65, 54, 66),
    "24I": Area("I. ID. QUAL.", 42, 67, 54, 69),
    "24J": Area("J. RENDERING PROVIDER ID. #", 42, 70, 54, 85),
    "25": Area("25. FEDERAL TAX I.D. NUMBER  SSN EIN", 55, 1, 56, 21),
    "26": Area("26. PATIENT'S ACCOUNT NO.", 55, 22, 56, 36),
    "27": Area("27. ACCEPT ASSIGNMENT?  YES NO", 55, 37, 56, 49),
    "28": Area("28. TOTAL CHARGE", 55, 50, 56, 61),
    "29": Area("29. AMOUNT PAID", 55, 62, 56, 73),
    "30": Area("30. Rsvd for NUCC Use", 55, 74, 56, 85),
    "31": Area("31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 57, 1, 62, 21),
    "32": Area("32. SERVICE FACILITY LOCATION INFORMATION  a. NPI  b.", 57, 22, 62, 49),
    "33": Area("33. BILLING PROVIDER INFO & PH #  a. NPI  b.", 57, 50, 62, 85),
}

# Box 1: the column of each insurance type's check box, by the claim filing code (SBR09).
_INSURANCE_TYPE_COLUMN = {"MB": 2, "MA": 2, "MC": 9, "CH": 16, "VA": 25, "FI": 40}
_GROUP_COLUMN, _OTHER_COLUMN = 32, 46
_GROUP_PLANS = frozenset({"CI", "BL", "HM", "12", "13", "14", "15", "16", "17", "DS", "LM"})
# Box 6: PAT01 relationship -> the check box's column (self is the subscriber: no PAT loop).
_RELATIONSHIP_COLUMN = {"01": 38, "19": 43}
_SELF_COLUMN, _OTHER_RELATIONSHIP_COLUMN = 33, 48


@dataclass(frozen=True, slots=True)
class PaperClaim:
    """What the form needs beyond the claim: the payer as the practice addresses it, what the
    patient and other payers already paid (box 29), and the day it is printed (boxes 12, 31)."""

    claim: model.Claim
    payer_name: str
    printed_on: date
    amount_paid: Decimal = Decimal("0")


def render_cms1500(paper: PaperClaim, *, drawn: bool = False) -> Form:
    """One form per six service lines; `drawn` adds the boxes and their labels."""
    lines = paper.claim.claim_information.service_lines
    chunks = [lines[i : i + LINES_PER_FORM] for i in range(0, len(lines), LINES_PER_FORM)]
    chunks = chunks or [()]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        marks: list[Text | Box] = list(_form_drawing()) if drawn else []
        marks += _header(paper, number, len(chunks))
        marks += _service_lines(paper.claim, chunk)
        marks += _footer(paper, last=number == len(chunks))
        pages.append(Page(tuple(marks)))
    title = f"CMS-1500 {paper.claim.claim_information.patient_control_number}"
    return Form(title=title, pages=tuple(pages))


def at(line: int, column: int, text: str | None, width: int | None = None) -> Text | None:
    """`text` printed from `column` on `line` (uppercase, cut to `width` characters)."""
    if not text:
        return None
    value = text.upper()[:width] if width else text.upper()
    return Text(x=(column - 1) * COLUMN, y=line * LINE - 3, text=value)


def right(line: int, last_column: int, text: str) -> Text:
    """`text` ending in `last_column`: amounts and units right-aligned in their sub-box."""
    return Text(x=(last_column - len(text)) * COLUMN, y=line * LINE - 3, text=text)


def _marks(*items: Text | None) -> list[Text | Box]:
    return [item for item in items if item is not None]


def _name(last: str | None, first: str | None = None, middle: str | None = None) -> str:
    parts = [p for p in (last, first, (middle or "")[:1]) if p]
    return ", ".join(parts)


def _full(day: date | None) -> tuple[str, str, str] | None:
    return (f"{day.month:02d}", f"{day.day:02d}", f"{day.year:04d}") if day else None


def _date(line: int, column: int, day: date | None, *, short: bool = False) -> list[Text | Box]:
    """MM DD YYYY (or MM DD YY) in the form's three sub-boxes, three columns apart."""
    parts = _full(day)
    if parts is None:
        return []
    month, dd, year = parts
    return _marks(
        at(line, column, month),
        at(line, column + 3, dd),
        at(line, column + 6, year[2:] if short else year),
    )


def _money(line: int, dollars_end: int, amount: Decimal) -> list[Text | Box]:
    """Dollars right-aligned to end in `dollars_end`, cents in the two columns after it."""
    cents = int((abs(amount) * 100).quantize(Decimal("1")))
    sign = "-" if amount < 0 else ""
    return [
        right(line, dollars_end, f"{sign}{cents // 100}"),
        right(line, dollars_end + 3, f"{cents % 100:02d}"),
    ]


def _check(line: int, column: int) -> Text:
    return Text(x=(column - 1) * COLUMN, y=line * LINE - 3, text="X")


def _address(
    line: int, column: int, address: model.Address | None, state_column: int
) -> list[Text | Box]:
    if address is None:
        return []
    street = " ".join(p for p in (address.address1, address.address2) if p)
    return _marks(
        at(line, column, street, 28),
        at(line + 2, column, address.city, state_column - column - 1),
        at(line + 2, state_column, address.state, 3),
        at(line + 4, column, address.postal_code, 12),
    )


def _header(paper: PaperClaim, number: int, of: int) -> list[Text | Box]:
    """Boxes 1-23 (the same on every form of a claim) and the carrier block."""
    claim = paper.claim
    info = claim.claim_information
    sub = claim.subscriber
    dep = claim.dependent
    marks = _marks(
        at(2, 50, paper.payer_name, 35),
        at(3, 50, f"PAGE {number} OF {of}") if of > 1 else None,
        at(8, 50, sub.member_id, 29),
        at(10, 50, _name(sub.last_name, sub.first_name, sub.middle_name), 29),
        at(18, 50, sub.group_number or sub.group_name, 29),
        at(24, 50, claim.trading_partner_name or paper.payer_name, 29),
    )
    filing = info.claim_filing_code
    column = _INSURANCE_TYPE_COLUMN.get(
        filing, _GROUP_COLUMN if filing in _GROUP_PLANS else _OTHER_COLUMN
    )
    marks.append(_check(8, column))
    patient_first = dep.first_name if dep else sub.first_name
    patient_last = dep.last_name if dep else sub.last_name
    patient_middle = dep.middle_name if dep else sub.middle_name
    marks += _marks(at(10, 1, _name(patient_last, patient_first, patient_middle), 28))
    birth = dep.date_of_birth if dep else sub.date_of_birth
    gender = dep.gender if dep else sub.gender
    marks += _date(10, 31, birth)
    if gender in ("M", "F"):
        marks.append(_check(10, 43 if gender == "M" else 48))
    marks += _address(12, 1, dep.address if dep else sub.address, 26)
    relationship = dep.relationship_to_subscriber_code if dep else None
    marks.append(
        _check(
            12,
            _SELF_COLUMN
            if relationship is None
            else _RELATIONSHIP_COLUMN.get(relationship, _OTHER_RELATIONSHIP_COLUMN),
        )
    )
    marks += _address(12, 50, sub.address, 79)
    if dep is not None or sub.date_of_birth:
        marks += _date(20, 53, sub.date_of_birth)
        if sub.gender in ("M", "F"):
            marks.append(_check(20, 69 if sub.gender == "M" else 76))
    marks += _other_insured(info)
    causes = set(info.related_causes)
    for line, cause in ((20, "EM"), (22, "AA"), (24, "OA")):
        marks.append(_check(line, 35 if cause in causes else 41))
    marks += _marks(at(22, 46, info.auto_accident_state, 2))
    marks.append(_check(26, 52 if info.other_subscribers else 57))
    if info.release_information_code == "Y":
        marks += _marks(at(30, 7, "SIGNATURE ON FILE"))
        marks += _date(30, 37, paper.printed_on)
    if info.benefits_assignment_certification_indicator == "Y":
        marks += _marks(at(30, 56, "SIGNATURE ON FILE"))
    onset = next((d for d in info.dates if d.qualifier in ("431", "484")), None)
    if onset is not None:
        marks += _date(32, 3, onset.on)
        marks += _marks(at(32, 20, "QUAL"), at(32, 25, onset.qualifier))
    referring = claim.provider(model.REFERRING)
    if referring is not None:
        name = referring.organization_name or _name(referring.last_name, referring.first_name)
        marks += _marks(at(34, 1, "DN"), at(34, 4, name, 25), at(34, 34, referring.npi, 10))
    marks += _marks(at(37, 45, "0"))  # ICD indicator: 0 is ICD-10-CM
    for index, diagnosis in enumerate(info.diagnoses[:12]):
        line, slot = 38 + index // 4, index % 4
        marks += _marks(at(line, 3 + slot * 12, _icd(diagnosis.code), 8))
    if info.claim_frequency_code in ("7", "8"):
        marks += _marks(
            at(38, 50, info.claim_frequency_code),
            at(38, 62, info.payer_claim_control_number, 24),
        )
    marks += _marks(at(40, 50, info.prior_authorization_number or info.referral_number, 29))
    return marks


def _icd(code: str) -> str:
    """ICD-10-CM codes print with their decimal point after the category (E11.9)."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 and "." not in code else code


def _other_insured(info: model.ClaimInformation) -> list[Text | Box]:
    """Box 9: the first other payer on file (9a its member id, 9d the plan's name)."""
    if not info.other_subscribers:
        return []
    other = info.other_subscribers[0]
    insured = other.insured
    return _marks(
        at(18, 1, _name(insured.last_name, insured.first_name), 28),
        at(20, 1, other.group_number or insured.identifier, 28),
        at(26, 1, other.payer.organization_name, 28),
    )


_POINTER_LETTERS = "ABCDEFGHIJKL"


def _service_lines(claim: model.Claim, lines: tuple[model.ServiceLine, ...]) -> list[Text | Box]:
    rendering = claim.provider(model.RENDERING)
    marks: list[Text | Box] = []
    for index, line in enumerate(lines):
        shaded, main = 43 + 2 * index, 44 + 2 * index
        marks += _date(main, 1, line.service_date, short=True)
        marks += _date(main, 10, line.service_date_end or line.service_date, short=True)
        pos = line.place_of_service_code or claim.claim_information.place_of_service_code
        marks += _marks(at(main, 19, pos, 2), at(main, 25, line.procedure_code, 6))
        for slot, modifier in enumerate(line.procedure_modifiers[:4]):
            marks += _marks(at(main, 32 + 3 * slot, modifier, 2))
        pointers = "".join(
            _POINTER_LETTERS[p - 1] for p in line.diagnosis_pointers[:4] if 1 <= p <= 12
        )
        marks += _marks(at(main, 45, pointers, 4))
        marks += _money(main, 57, line.charge_amount)
        marks.append(right(main, 64, _units(line.unit_count)))
        own = next((p for p in line.providers if p.provider_type == model.RENDERING), None)
        npi = own or rendering or claim.provider(model.BILLING)
        marks += _marks(at(main, 71, npi.npi if npi else None, 10))
        if line.drug is not None:  # NDC in the shaded line: N4, the code, unit and quantity
            drug = line.drug
            marks += _marks(
                at(shaded, 1, f"N4{drug.ndc} {drug.unit_code}{_units(drug.unit_count)}", 40)
            )
    return marks


def _units(count: Decimal) -> str:
    return format(count.normalize(), "f") if count == count.to_integral() else format(count, "f")


def _footer(paper: PaperClaim, *, last: bool) -> list[Text | Box]:
    """Boxes 25-33; totals (28, 29) on the last form of the claim only."""
    claim = paper.claim
    info = claim.claim_information
    billing = claim.provider(model.BILLING)
    marks: list[Text | Box] = []
    if billing is not None:
        if billing.employer_id:
            marks += _marks(at(56, 1, billing.employer_id, 15))
            marks.append(_check(56, 19))
        elif billing.ssn:
            marks += _marks(at(56, 1, billing.ssn, 15))
            marks.append(_check(56, 17))
    marks += _marks(at(56, 23, info.patient_control_number, 14))
    marks.append(_check(56, 38 if info.plan_participation_code in ("A", "B") else 43))
    if last:
        marks += _money(56, 58, info.claim_charge_amount)
        if paper.amount_paid:  # NUCC: blank when nothing was paid
            marks += _money(56, 70, paper.amount_paid)
    rendering = claim.provider(model.RENDERING)
    signer = (
        _name(rendering.last_name, rendering.first_name)
        if rendering and rendering.last_name
        else "SIGNATURE ON FILE"
    )
    marks += _marks(at(59, 1, signer, 20))
    marks += _date(61, 1, paper.printed_on)
    facility = claim.provider(model.SERVICE_FACILITY)
    if facility is not None:
        marks += _marks(at(58, 23, facility.organization_name or facility.last_name, 26))
        marks += _provider_address(59, 23, facility.address)
        marks += _marks(at(61, 23, facility.npi, 10))
    if billing is not None:
        phone = billing.contact.phone_number if billing.contact else None
        if phone:
            marks += _marks(at(57, 70, f"({phone[:3]}) {phone[3:6]}-{phone[6:]}", 15))
        name = billing.organization_name or _name(billing.last_name, billing.first_name)
        marks += _marks(at(58, 50, name, 36))
        marks += _provider_address(59, 50, billing.address)
        marks += _marks(at(61, 51, billing.npi, 10))
    return marks


def _provider_address(line: int, column: int, address: model.Address | None) -> list[Text | Box]:
    if address is None:
        return []
    street = " ".join(p for p in (address.address1, address.address2) if p)
    city = f"{address.city} {address.state} {address.postal_code}"
    return _marks(at(line, column, street, 27), at(line + 1, column, city, 27))


def _form_drawing() -> list[Text | Box]:
    """The form itself, for review on plain paper: each box outlined, its label in small red
    type along its top edge, and the six lines of box 24 ruled."""
    marks: list[Text | Box] = []
    for area in BOXES.values():
        x0, y0, x1, y1 = area.rect
        marks.append(Box(x0, y0, x1 - x0, y1 - y0, _RED))
        size = min(_LABEL_SIZE, (x1 - x0 - 3) / (_HELVETICA_WIDTH * len(area.label)))
        marks.append(Text(x0 + 1.5, y0 + 5.5, area.label, size=size, font="Helvetica", color=_RED))
    for index, letter in enumerate(_POINTER_LETTERS):  # box 21's diagnosis slots, A-L
        line, slot = 38 + index // 4, index % 4
        marks.append(
            Text((1 + slot * 12) * COLUMN + 3, line * LINE - 3, f"{letter}.", 5, "Helvetica", _RED)
        )
    for index in range(LINES_PER_FORM):
        top = (42 + 2 * index) * LINE
        marks.append(Box(0, top, 85 * COLUMN, 2 * LINE, _RED))
    return marks
