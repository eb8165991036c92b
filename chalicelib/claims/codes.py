"""Code lists the scrubbing edits check against, kept as data so a biller can read them and a
code-set update is a one-line change. Each list cites where it comes from.
"""

from __future__ import annotations

# CMS Place of Service Code Set (cms.gov, "Place of Service Code Set"), used in CLM05-1 and SV105.
# Assigned codes only: 28-30, 35-40, 43-48, 59, 63-64, 67-70, 73-80 and 82-98 are unassigned.
PLACE_OF_SERVICE_CODES: frozenset[str] = frozenset(
    {
        "01",  # Pharmacy
        "02",  # Telehealth provided other than in patient's home
        "03",  # School
        "04",  # Homeless shelter
        "05",  # Indian Health Service free-standing facility
        "06",  # Indian Health Service provider-based facility
        "07",  # Tribal 638 free-standing facility
        "08",  # Tribal 638 provider-based facility
        "09",  # Prison / correctional facility
        "10",  # Telehealth provided in patient's home
        "11",  # Office
        "12",  # Home
        "13",  # Assisted living facility
        "14",  # Group home
        "15",  # Mobile unit
        "16",  # Temporary lodging
        "17",  # Walk-in retail health clinic
        "18",  # Place of employment / worksite
        "19",  # Off campus outpatient hospital
        "20",  # Urgent care facility
        "21",  # Inpatient hospital
        "22",  # On campus outpatient hospital
        "23",  # Emergency room, hospital
        "24",  # Ambulatory surgical center
        "25",  # Birthing center
        "26",  # Military treatment facility
        "27",  # Outreach site / street
        "31",  # Skilled nursing facility
        "32",  # Nursing facility
        "33",  # Custodial care facility
        "34",  # Hospice
        "41",  # Ambulance, land
        "42",  # Ambulance, air or water
        "49",  # Independent clinic
        "50",  # Federally qualified health center
        "51",  # Inpatient psychiatric facility
        "52",  # Psychiatric facility, partial hospitalization
        "53",  # Community mental health center
        "54",  # Intermediate care facility / individuals with intellectual disabilities
        "55",  # Residential substance abuse treatment facility
        "56",  # Psychiatric residential treatment center
        "57",  # Non-residential substance abuse treatment facility
        "58",  # Non-residential opioid treatment facility
        "60",  # Mass immunization center
        "61",  # Comprehensive inpatient rehabilitation facility
        "62",  # Comprehensive outpatient rehabilitation facility
        "65",  # End-stage renal disease treatment facility
        "66",  # Programs of All-Inclusive Care for the Elderly (PACE) center
        "71",  # Public health clinic (state or local)
        "72",  # Rural health clinic
        "81",  # Independent laboratory
        "99",  # Other place of service
    }
)

# USPS state abbreviations as N402 takes them for US addresses: the 50 states, DC, the
# territories (PR, VI, GU, AS, MP) and the armed forces "states" (AA, AE, AP).
STATE_CODES: frozenset[str] = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA",
        "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD",
        "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
        "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC",
        "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
        "DC",
        "PR", "VI", "GU", "AS", "MP",
        "AA", "AE", "AP",
    }
)  # fmt: skip

# DMG03 administrative gender (837P 2010BA / 2010CA): female, male, unknown.
GENDER_CODES: frozenset[str] = frozenset({"F", "M", "U"})

# 837P 005010X222A1 loop 2000C PAT01: how the patient relates to the subscriber. 18 (self) is
# absent on purpose: a patient who is the subscriber has no 2000C loop.
PATIENT_RELATIONSHIP_CODES: frozenset[str] = frozenset(
    {
        "01",  # spouse
        "19",  # child
        "20",  # employee
        "21",  # unknown
        "39",  # organ donor
        "40",  # cadaver donor
        "53",  # life partner
        "G8",  # other relationship
    }
)

# 837P 005010X222A1 loop 2320 SBR02: the patient's relationship to the other payer's insured.
OTHER_INSURED_RELATIONSHIP_CODES: frozenset[str] = PATIENT_RELATIONSHIP_CODES | {"18"}

# 837P 005010X222A1 SBR09 / 2320 SBR09 claim filing indicator codes.
CLAIM_FILING_CODES: frozenset[str] = frozenset(
    {
        "11",  # other non-federal programs
        "12",  # preferred provider organization (PPO)
        "13",  # point of service (POS)
        "14",  # exclusive provider organization (EPO)
        "15",  # indemnity insurance
        "16",  # health maintenance organization (HMO) Medicare risk
        "17",  # dental maintenance organization
        "AM",  # automobile medical
        "BL",  # Blue Cross / Blue Shield
        "CH",  # CHAMPUS (TRICARE)
        "CI",  # commercial insurance
        "DS",  # disability
        "FI",  # Federal Employees Program
        "HM",  # health maintenance organization
        "LM",  # liability medical
        "MA",  # Medicare Part A
        "MB",  # Medicare Part B
        "MC",  # Medicaid
        "OF",  # other federal program
        "TV",  # Title V
        "VA",  # Veterans Affairs plan
        "WC",  # workers' compensation
        "ZZ",  # mutually defined
    }
)

# Claim filing codes of Medicare fee-for-service, where the member id must be an MBI.
MEDICARE_FILING_CODES: frozenset[str] = frozenset({"MA", "MB"})
