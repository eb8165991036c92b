"""The three sandbox payers' own data: fee schedules, cost sharing, payment, filing limits,
coverage and member rosters. Frozen data a biller could read line by line; the rules that use
it live in `adjudication.py`.

Rates are allowed amounts per unit, in the shape of real ones: Medicare's near the national
physician fee schedule and clinical lab fee schedule, the commercial PPO's about 130-140 % of
Medicare, Medicaid's about 70 % of Medicare. They are the payers' side of the contract: the
payment-mismatch checker compares what a payer paid with these (and SBX01 sometimes pays
below them on purpose, see `adjudication.py`).

Member roster rule (all three payers): every member id is known except one that starts with
"UNK" (any case). So the contract examples' members W123456789, 1EG4TE5MK73 and MCD55512345
are known, and a test wanting an unknown member uses e.g. "UNK0000001".

Eligibility answers (271) follow the member id the same way, so a biller can try each case:
"TRM..." coverage terminated at the end of last year (EB01 6, plan dates of last year);
"COB..." covered, but another payer is primary (EB01 R with the primary payer in 2120C:
Sandbox Medicare, SBXMCR); "SEC..." covered, and another payer is the secondary (EB01 R with
the secondary payer in 2120C: Sandbox Medicare, or Sandbox Commercial when Medicare is asked);
"CHG..." covered under a new member id: the 271 answers with the id and "01" appended, and the
id asked as the prior one (REF*Q4), while an id that already ends in "01" is current; anyone
else active. Every payer asks for a prior authorization for
the procedures in AUTHORIZATION_REQUIRED (advanced imaging, sleep studies: EB11 Y with the
procedure in EB13).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from chalicelib.claims.model import Address
from chalicelib.payers.fee_schedules import FeeScheduleRow

UNKNOWN_MEMBER_PREFIX = "UNK"
TERMINATED_MEMBER_PREFIX = "TRM"
OTHER_PAYER_PRIMARY_PREFIX = "COB"
OTHER_PAYER_SECONDARY_PREFIX = "SEC"
CHANGED_MEMBER_PREFIX = "CHG"
# Procedures every sandbox payer authorizes first: MRI brain, CT abdomen, MRI lumbar spine,
# polysomnography.
AUTHORIZATION_REQUIRED = ("70553", "74177", "72148", "95810")
EM_OFFICE_NEW = frozenset({"99202", "99203", "99204", "99205"})
EM_OFFICE_ESTABLISHED = frozenset({"99211", "99212", "99213", "99214", "99215"})
EM_OFFICE = EM_OFFICE_NEW | EM_OFFICE_ESTABLISHED
ANATOMIC_MODIFIERS = frozenset({"RT", "LT", "50"})

# code or code-modifier: (SBX01 commercial PPO, SBXMCR Medicare Part B, SBXMCD Medicaid);
# None: the payer does not price the code (it is non-covered there, see below).
_RATES: dict[str, tuple[str, str | None, str]] = {
    "99202": ("98.00", "72.00", "52.00"),
    "99203": ("152.00", "112.00", "80.00"),
    "99204": ("228.00", "168.00", "120.00"),
    "99205": ("300.00", "222.00", "158.00"),
    "99211": ("32.00", "23.00", "17.00"),
    "99212": ("76.00", "56.00", "40.00"),
    "99213": ("124.00", "91.00", "65.00"),
    "99214": ("172.00", "129.00", "92.00"),
    "99215": ("245.00", "181.00", "129.00"),
    "99395": ("168.00", None, "95.00"),  # preventive visit 18-39: not a Medicare benefit
    "99396": ("180.00", None, "101.00"),  # preventive visit 40-64: not a Medicare benefit
    "G0439": ("175.00", "129.00", "92.00"),  # annual wellness visit, subsequent
    "83036": ("18.00", "13.00", "9.00"),  # hemoglobin A1c
    "80053": ("19.00", "10.50", "7.50"),  # comprehensive metabolic panel
    "85025": ("14.00", "7.75", "5.50"),  # CBC with differential
    "36415": ("5.00", "3.00", "2.25"),  # venipuncture
    "93000": ("24.00", "16.50", "12.00"),  # ECG with interpretation
    "81002": ("5.50", "3.50", "2.50"),  # urinalysis, non-automated
    "90471": ("30.00", "18.50", "13.00"),  # immunization administration
    "90686": ("28.00", "21.00", "15.00"),  # influenza vaccine, quadrivalent
    "97110": ("42.00", "29.50", "21.00"),  # therapeutic exercise, per 15 minutes
    "20610": ("88.00", "64.00", "46.00"),  # arthrocentesis, major joint
    "20610-50": ("132.00", "96.00", "69.00"),  # bilateral: 150 %
    "J1100": ("0.30", "0.12", "0.09"),  # dexamethasone, per 1 mg
    "71046": ("48.00", "35.00", "25.00"),  # chest x-ray, 2 views, global
    "71046-26": ("15.00", "11.00", "8.00"),  # professional component
    "71046-TC": ("33.00", "24.00", "17.00"),  # technical component
}


def _schedule(column: int) -> Mapping[tuple[str, str], Decimal]:
    """One payer's column of `_RATES`, keyed by (code, modifier) with "" for the base rate."""
    table: dict[tuple[str, str], Decimal] = {}
    for key, rates in _RATES.items():
        code, _, modifier = key.partition("-")
        rate = rates[column]
        if rate is not None:
            table[(code, modifier)] = Decimal(rate)
    return MappingProxyType(table)


@dataclass(frozen=True, slots=True)
class Bundle:
    """`component` is not paid separately (CO-97, RARC M15) when a code of `comprehensive`
    is billed on the same date of service on the same claim."""

    component: str
    comprehensive: frozenset[str]


@dataclass(frozen=True, slots=True)
class SandboxPayer:
    """One sandbox payer's contract, benefits and payment set-up."""

    payer_id: str
    name: str
    filing_code: str  # 837 SBR09: CI commercial, MB Medicare Part B, MC Medicaid
    remittance_filing_code: str  # 835 CLP06, whose list has no CI: 12 PPO, MB, MC
    tax_id: str  # EIN: TRN03 and BPR10 are "1" + this
    address: Address
    contact_phone: str
    contact_url: str
    fee_schedule: Mapping[tuple[str, str], Decimal]  # allowed per unit
    unknown_code_rate: Decimal  # share of the charge allowed for codes not on the schedule
    timely_filing_days: int  # from the date of service to receipt
    payment_method: str  # BPR04: ACH (EFT) or CHK
    routing_number: str  # BPR07 payer's bank (ACH)
    account_number: str  # BPR09 payer's account (ACH)
    copay: Decimal = Decimal(0)  # PR-3 per line of a code in `copay_codes`
    copay_codes: frozenset[str] = frozenset()
    coinsurance_rate: Decimal = Decimal(0)  # PR-2 share of the allowed after deductible
    annual_deductible: Decimal = Decimal(0)  # PR-1
    deductible_by_member: bool = False  # True: met or not decided per member (see below)
    non_covered: frozenset[str] = frozenset()  # codes denied as non-covered (CARC 96)
    non_covered_group: str = "PR"  # PR: the patient may be billed; CO: may not (Medicaid)
    non_covered_remark: str = "N130"  # consult plan benefit documents/guidelines
    bundles: tuple[Bundle, ...] = ()
    modifier_required: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    underpays: bool = False  # pays some lines below its own fee schedule (adjudication.py)
    interest_on_late_claims: bool = False  # PLB L6 on a deterministic share of claims
    recovers_overpayments: bool = False  # PLB WO on a deterministic share of claims
    remark_codes: tuple[str, ...] = ()  # MOA remarks on every claim (e.g. Medicare MA01)

    def allowed_per_unit(self, code: str, modifiers: tuple[str, ...]) -> Decimal | None:
        """The schedule rate: a modifier-specific one (26, TC, 50) first, else the base rate;
        None when the code is not on the schedule."""
        for modifier in modifiers:
            rate = self.fee_schedule.get((code, modifier))
            if rate is not None:
                return rate
        return self.fee_schedule.get((code, ""))

    def initial_deductible(self, member_id: str) -> Decimal:
        """Deductible still to meet for a member the sandbox has not adjudicated before.

        SBX01: met or not per member, from the first byte of sha256("deductible|" + member
        id): even = met (W123456789 of the contract examples has met it), odd = the whole
        annual deductible remains. SBXMCR: the whole Part B deductible is due on the member's
        first claim. SBXMCD: none."""
        if not self.deductible_by_member:
            return self.annual_deductible
        digest = hashlib.sha256(f"deductible|{member_id}".encode()).digest()
        return Decimal(0) if digest[0] % 2 == 0 else self.annual_deductible


def member_known(member_id: str) -> bool:
    """The roster rule shared by the three payers (module docstring)."""
    return not member_id.upper().startswith(UNKNOWN_MEMBER_PREFIX)


def coverage_case(member_id: str) -> str:
    """How a known member's eligibility reads (module docstring): `terminated`,
    `other_payer_primary`, `other_payer_secondary` or `active`."""
    upper = member_id.upper()
    if upper.startswith(TERMINATED_MEMBER_PREFIX):
        return "terminated"
    if upper.startswith(OTHER_PAYER_PRIMARY_PREFIX):
        return "other_payer_primary"
    if upper.startswith(OTHER_PAYER_SECONDARY_PREFIX):
        return "other_payer_secondary"
    return "active"


def current_member_id(member_id: str) -> str:
    """The id the payer holds for a member (module docstring: "CHG..." ids changed)."""
    upper = member_id.upper()
    if upper.startswith(CHANGED_MEMBER_PREFIX) and not upper.endswith("01"):
        return member_id + "01"
    return member_id


_VENIPUNCTURE_WITH_VISIT = Bundle("36415", EM_OFFICE)

SBX01 = SandboxPayer(
    payer_id="SBX01",
    name="Sandbox Commercial PPO",
    filing_code="CI",
    remittance_filing_code="12",
    tax_id="366001001",
    address=Address("100 Sandbox Plaza", "Chicago", "IL", "606010001"),
    contact_phone="8005550101",
    contact_url="www.sandbox.example/commercial",
    fee_schedule=_schedule(0),
    unknown_code_rate=Decimal("0.60"),
    timely_filing_days=180,
    payment_method="ACH",
    routing_number="071000013",
    account_number="550010001",
    copay=Decimal("20.00"),
    copay_codes=EM_OFFICE_ESTABLISHED,
    coinsurance_rate=Decimal("0.20"),
    annual_deductible=Decimal("500.00"),
    deductible_by_member=True,
    bundles=(_VENIPUNCTURE_WITH_VISIT,),
    modifier_required=MappingProxyType({"20610": ANATOMIC_MODIFIERS}),
    underpays=True,
    interest_on_late_claims=True,
)

SBXMCR = SandboxPayer(
    payer_id="SBXMCR",
    name="Sandbox Medicare Part B",
    filing_code="MB",
    remittance_filing_code="MB",
    tax_id="366002002",
    address=Address("200 Contractor Way", "Indianapolis", "IN", "462040002"),
    contact_phone="8005550102",
    contact_url="www.sandbox.example/medicare",
    fee_schedule=_schedule(1),
    unknown_code_rate=Decimal("0.40"),
    timely_filing_days=365,
    payment_method="ACH",
    routing_number="074000010",
    account_number="550020002",
    coinsurance_rate=Decimal("0.20"),
    annual_deductible=Decimal("257.00"),
    non_covered=frozenset({"99395", "99396"}),
    bundles=(_VENIPUNCTURE_WITH_VISIT,),
    modifier_required=MappingProxyType({"20610": ANATOMIC_MODIFIERS}),
    recovers_overpayments=True,
    remark_codes=("MA01",),
)

SBXMCD = SandboxPayer(
    payer_id="SBXMCD",
    name="Sandbox State Medicaid",
    filing_code="MC",
    remittance_filing_code="MC",
    tax_id="366003003",
    address=Address("300 Capitol Ave", "Springfield", "IL", "627060003"),
    contact_phone="8005550103",
    contact_url="www.sandbox.example/medicaid",
    fee_schedule=_schedule(2),
    unknown_code_rate=Decimal("0.30"),
    timely_filing_days=90,
    payment_method="CHK",
    routing_number="071000039",
    account_number="550030003",
    non_covered=frozenset({"G0439"}),  # a Medicare benefit, not a Medicaid one
    non_covered_group="CO",  # Medicaid members may not be billed for it
    bundles=(_VENIPUNCTURE_WITH_VISIT, Bundle("81002", EM_OFFICE)),
    modifier_required=MappingProxyType({"20610": ANATOMIC_MODIFIERS}),
)

SANDBOX_PAYERS: Mapping[str, SandboxPayer] = MappingProxyType(
    {payer.payer_id: payer for payer in (SBX01, SBXMCR, SBXMCD)}
)


def sandbox_payer(payer_id: str) -> SandboxPayer | None:
    return SANDBOX_PAYERS.get(payer_id)


def sandbox_contract_rows(payer_id: str, effective_from: date) -> tuple[FeeScheduleRow, ...]:
    """The demo tenant's contract with a sandbox payer: the payer's own fee schedule (what
    its adjudication allows), open-ended from `effective_from`, so that the lines the sandbox
    underpays on purpose are found. ValueError for a payer the sandbox does not have."""
    payer = sandbox_payer(payer_id)
    if payer is None:
        raise ValueError(f"{payer_id!r} is not a sandbox payer")
    return tuple(
        FeeScheduleRow(code, modifier or None, None, amount, effective_from, None)
        for (code, modifier), amount in sorted(payer.fee_schedule.items())
    )
