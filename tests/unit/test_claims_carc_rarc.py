"""CARC / RARC / CLP02 / CAS01 code tables: the codes billers meet, and honest about the rest."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from chalicelib.claims.carc_rarc import (
    CARC,
    CARC_VERSION,
    CLAIM_STATUS_CODES,
    DEACTIVATED_CARC,
    GROUP_CODES,
    RARC,
    RARC_VERSION,
    describe_carc,
    describe_rarc,
)
from chalicelib.x12.read.remit835 import iter_remittances

SAMPLES_835 = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples" / "835"

COMMON_CARC = [
    "1", "2", "3", "4", "5", "6", "11", "15", "16", "18", "22", "23", "24", "26", "27", "29",
    "31", "45", "49", "50", "96", "97", "109", "119", "129", "140", "146", "151", "167", "170",
    "185", "197", "198", "204", "226", "227", "234", "242", "251", "253", "A1",
]  # fmt: skip
COMMON_RARC = [
    "M15", "M20", "M51", "M76", "M80", "MA01", "MA04", "MA07", "MA18", "MA19", "MA130", "N4",
    "N19", "N20", "N30", "N130", "N362", "N381", "N432", "N479", "N522", "N290", "N115",
]  # fmt: skip
# Codes on the sample remittances that are not codes of either list.
NOT_CODES = {"X999"}


def test_claims_carc_rarc_versions_are_publication_dates() -> None:
    assert date.fromisoformat(CARC_VERSION)
    assert date.fromisoformat(RARC_VERSION)


@pytest.mark.parametrize("code", COMMON_CARC)
def test_claims_carc_rarc_common_carc_described(code: str) -> None:
    description = describe_carc(code)
    assert description
    assert "Usage:" not in description


@pytest.mark.parametrize("code", COMMON_RARC)
def test_claims_carc_rarc_common_rarc_described(code: str) -> None:
    assert describe_rarc(code)


def test_claims_carc_rarc_wording() -> None:
    assert describe_carc("45") == (
        "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement."
    )
    assert describe_carc("4") == "The procedure code is inconsistent with the modifier used."
    assert describe_carc("18") == (
        "Exact duplicate claim/service (Use only with Group Code OA except where state "
        "workers' compensation regulations requires CO)"
    )
    assert describe_rarc("N4") == "Missing/Incomplete/Invalid prior Insurance Carrier(s) EOB."
    assert describe_rarc("N522") == (
        "Duplicate of a claim processed, or to be processed, as a crossover claim."
    )


def test_claims_carc_rarc_normalises_code() -> None:
    assert describe_carc(" a1 ") == describe_carc("A1")
    assert describe_rarc("ma18") == describe_rarc("MA18")


@pytest.mark.parametrize("code", ["", "0", "999", "ZZ", "X999"])
def test_claims_carc_rarc_unknown_codes_are_none(code: str) -> None:
    assert describe_carc(code) is None
    assert describe_rarc(code) is None


def test_claims_carc_rarc_codes_used_by_the_samples_are_described() -> None:
    reasons: set[str] = set()
    remarks: set[str] = set()
    for path in sorted(SAMPLES_835.iterdir()):
        for remittance in iter_remittances(path.read_bytes()):
            for claim in remittance.claims:
                reasons.update(a.reason for a in claim.adjustments)
                remarks.update(claim.inpatient_remark_codes + claim.outpatient_remark_codes)
                for line in claim.lines:
                    reasons.update(a.reason for a in line.adjustments)
                    remarks.update(line.remark_codes)
    assert reasons and remarks
    assert sorted(code for code in reasons if describe_carc(code) is None) == []
    assert sorted(code for code in remarks - NOT_CODES if describe_rarc(code) is None) == []


def test_claims_carc_rarc_tables_are_well_formed() -> None:
    assert set(CARC) >= DEACTIVATED_CARC
    assert all(re.fullmatch(r"[A-Z]?\d{1,3}", code) for code in CARC)
    assert all(re.fullmatch(r"(M|MA|N)\d{1,3}", code) for code in RARC)
    assert all(text == text.strip() and text for text in (*CARC.values(), *RARC.values()))


def test_claims_carc_rarc_claim_status_and_group_codes() -> None:
    assert set(CLAIM_STATUS_CODES) == {"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"}
    assert CLAIM_STATUS_CODES["22"] == "Reversal of Previous Payment"
    assert CLAIM_STATUS_CODES["4"] == "Denied"
    assert set(GROUP_CODES) == {"CO", "CR", "OA", "PI", "PR"}
    assert GROUP_CODES["PR"] == "Patient Responsibility"


def test_claims_carc_rarc_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        CARC["1"] = "changed"  # type: ignore[index]
