"""How long to wait before chasing a payer, how often to chase, and the deadlines that make
chasing urgent: one `PayerPolicy` per claim filing indicator (837P SBR09), which a payer's own
policy (its contract or provider manual) overrides.

Defaults, and why (days; "checks" = 276 status inquiries):

| SBR09 | payer | first check | every | timely filing | appeal | crosses over |
| --- | --- | --- | --- | --- | --- | --- |
| MA, MB | Medicare Part A / B | 14 | 14 | 365 | 120 | yes |
| MC | Medicaid | 21 | 14 | 365 (state-set: 90-365) | 90 | no |
| CI, 12-15 | commercial, PPO, POS, EPO, indemnity | 30 | 15 | 90 | 180 | no |
| HM | HMO | 30 | 15 | 90 | 180 | no |
| 16 | HMO Medicare risk (Medicare Advantage) | 30 | 15 | 180 | 60 | no |
| BL | Blue Cross / Blue Shield | 30 | 15 | 180 | 180 | no |
| FI | Federal Employee Program | 30 | 15 | 365 | 90 | no |
| CH | TRICARE | 30 | 15 | 365 | 90 | no |
| VA | VA Community Care | 30 | 15 | 180 | 90 | no |
| WC | workers' compensation | 30 | 15 | 365 | 90 | no |
| other | fallback | 30 | 15 | 90 | 60 | no |

- Medicare: clean electronic claims are not paid before day 14 (13-day payment floor), so a
  status check earlier finds nothing; filing limit one calendar year from the date of service
  (42 CFR 424.44), written here as 365 days, never later than the real limit; redetermination
  within 120 days of the initial determination (42 CFR 405.942); Medicare forwards the claim
  to supplemental payers itself (COBA crossover).
- Medicaid: each state sets its filing limit, from 90 days (e.g. Texas 95) to the federal
  ceiling of 12 months (42 CFR 447.45(d)); 365 is that ceiling, not a typical value: set the
  state's limit per payer (the sandbox Medicaid, SBXMCD, denies after 90). Reconsideration
  windows run 30-180 days by state; 90 is common.
- Commercial and HMO: 90-180 days to file by contract (90 is the short end, e.g.
  UnitedHealthcare); appeals 180 days at most large payers (65 at UnitedHealthcare). Most
  state prompt-pay laws give a payer 30-45 days on a clean claim: the first check at 30.
- Medicare Advantage: contracted plans set their own filing limit; 60 days to ask for a
  payment reconsideration.
- BCBS: often 180 days to file and 180 to appeal; FEP claims are due by 31 December of the
  year after the service (365 days is never later), appeals 90 days.
- TRICARE: one year from the date of service (10 USC 1106), reconsideration within 90 days.
- VA Community Care Network: 180 days to file, 90 days to ask for reconsideration.
- Workers' compensation: state law, commonly 12 months to bill (e.g. California LC 4603.2,
  Maryland 9-660); second review about 90 days.
- Fallback: the shortest common commercial windows, so an unknown payer's deadline is never
  reported later than it is.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final


class PolicyError(ValueError):
    """A follow-up policy value out of range; `field` names the PayerPolicy field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


# (lowest, highest) accepted per field: a policy outside these is a typo, not a contract.
_BOUNDS: Final = MappingProxyType(
    {
        "first_status_check_days": (1, 180),
        "status_check_interval_days": (1, 90),
        "timely_filing_days": (1, 1095),  # three years: the longest any US payer allows
        "appeal_window_days": (1, 730),
        "max_status_checks": (1, 100),
        "verify_eligibility_days": (1, 365),
    }
)


@dataclass(frozen=True, slots=True)
class PayerPolicy:
    """When to send the first status check after submission and how often after that, how
    many checks at most (None: until the claim is resolved), the filing and appeal windows,
    and whether the payer forwards the claim to the secondary payer itself (so claimgate must
    not bill the secondary). `verify_eligibility_days`, when set, holds a new claim until the
    payer has answered about its patient's coverage within that many days (the
    eligibility-recheck schedule asks). `paper_only`: the payer takes no electronic claims,
    so its claims are printed on the CMS-1500 into the tenant's print queue instead of sent
    as an 837P, and its payments are posted by hand from the paper EOB."""

    first_status_check_days: int
    status_check_interval_days: int
    timely_filing_days: int
    appeal_window_days: int
    crosses_over_to_secondary: bool
    max_status_checks: int | None = None
    verify_eligibility_days: int | None = None
    paper_only: bool = False

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("crosses_over_to_secondary", "paper_only"):
                if not isinstance(value, bool):
                    raise PolicyError(item.name, f"{value!r} is not true or false")
                continue
            if value is None and item.name in ("max_status_checks", "verify_eligibility_days"):
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise PolicyError(item.name, f"{value!r} is not a whole number of days")
            lowest, highest = _BOUNDS[item.name]
            if not lowest <= value <= highest:
                raise PolicyError(item.name, f"{value} is not between {lowest} and {highest}")


MEDICARE: Final = PayerPolicy(14, 14, 365, 120, crosses_over_to_secondary=True)
MEDICAID: Final = PayerPolicy(21, 14, 365, 90, crosses_over_to_secondary=False)
COMMERCIAL: Final = PayerPolicy(30, 15, 90, 180, crosses_over_to_secondary=False)
MEDICARE_ADVANTAGE: Final = PayerPolicy(30, 15, 180, 60, crosses_over_to_secondary=False)
BLUE_CROSS: Final = PayerPolicy(30, 15, 180, 180, crosses_over_to_secondary=False)
FEDERAL_EMPLOYEE: Final = PayerPolicy(30, 15, 365, 90, crosses_over_to_secondary=False)
TRICARE: Final = PayerPolicy(30, 15, 365, 90, crosses_over_to_secondary=False)
VETERANS_AFFAIRS: Final = PayerPolicy(30, 15, 180, 90, crosses_over_to_secondary=False)
WORKERS_COMP: Final = PayerPolicy(30, 15, 365, 90, crosses_over_to_secondary=False)
FALLBACK: Final = PayerPolicy(30, 15, 90, 60, crosses_over_to_secondary=False)

DEFAULT_POLICIES: Final = MappingProxyType(
    {
        "MA": MEDICARE,
        "MB": MEDICARE,
        "MC": MEDICAID,
        "CI": COMMERCIAL,
        "12": COMMERCIAL,  # PPO
        "13": COMMERCIAL,  # POS
        "14": COMMERCIAL,  # EPO
        "15": COMMERCIAL,  # indemnity
        "HM": COMMERCIAL,
        "16": MEDICARE_ADVANTAGE,
        "BL": BLUE_CROSS,
        "FI": FEDERAL_EMPLOYEE,
        "CH": TRICARE,
        "VA": VETERANS_AFFAIRS,
        "WC": WORKERS_COMP,
    }
)


def policy_for(filing_code: str, overrides: PayerPolicy | None = None) -> PayerPolicy:
    """The payer's own policy when it has one, else the default of its SBR09 filing code,
    else the fallback."""
    if overrides is not None:
        return overrides
    return DEFAULT_POLICIES.get(filing_code.strip().upper(), FALLBACK)


def first_check_due(submitted: date, policy: PayerPolicy) -> date:
    """The first 276: asking earlier than the payer can have adjudicated finds nothing."""
    return submitted + timedelta(days=policy.first_status_check_days)


def next_check_due(last_check: date, policy: PayerPolicy) -> date:
    return last_check + timedelta(days=policy.status_check_interval_days)


def checks_exhausted(checks_sent: int, policy: PayerPolicy) -> bool:
    """True once the payer's cap on status checks is reached: a person takes over."""
    return policy.max_status_checks is not None and checks_sent >= policy.max_status_checks


def timely_filing_deadline(service_date: date, policy: PayerPolicy) -> date:
    """The last day the payer may receive the claim (the payers deny when more than the
    limit has passed since the date of service)."""
    return service_date + timedelta(days=policy.timely_filing_days)


def timely_filing_at_risk(
    service_date: date, today: date, policy: PayerPolicy, *, within_days: int = 30
) -> bool:
    """True from `within_days` before the filing deadline on, past it included: a claim
    not yet received by then needs a person, not another scheduled retry."""
    if within_days < 0:
        raise ValueError(f"within_days must not be negative, not {within_days}")
    return today >= timely_filing_deadline(service_date, policy) - timedelta(days=within_days)


def appeal_deadline(remit_date: date, policy: PayerPolicy) -> date:
    """The last day to appeal, counted from the remittance (the initial determination)."""
    return remit_date + timedelta(days=policy.appeal_window_days)
