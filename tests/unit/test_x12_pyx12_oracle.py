"""pyx12 as an independent oracle for the 835 reader (STYLE: a second implementation as the
oracle). For every 835 sample that pyx12's validator accepts with zero errors, pyx12's own
reading of the claims (Loop 2100 CLP, Loop 2110 SVC) and of BPR02 must equal ours.

pyx12 is a dev dependency, never imported by runtime code; without it this module skips.
"""

from __future__ import annotations

import functools
import io
import logging
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.x12.read.remit835 import iter_remittances

x12context = pytest.importorskip("pyx12.x12context")
x12n_document = pytest.importorskip("pyx12.x12n_document")
pyx12_params = pytest.importorskip("pyx12.params")
pyx12_errors = pytest.importorskip("pyx12.errors")
error_handler = pytest.importorskip("pyx12.error_handler")

SAMPLES_835 = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples" / "835"
# The sample files only: a validator run may leave acknowledgments (.997) beside them.
NAMES = sorted(p.name for p in SAMPLES_835.iterdir() if p.suffix in (".835", ".txt"))

Claim = tuple[str, str, Decimal, tuple[Decimal, ...]]


def _text(name: str) -> str:
    # pyx12 reads text and does not expect a byte-order mark.
    return (SAMPLES_835 / name).read_text(encoding="utf-8-sig")


@functools.cache
def _accepted(name: str) -> bool:
    """pyx12's validator (what its x12valid script runs) reports zero errors."""
    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return bool(
            x12n_document.x12n_document(
                param=pyx12_params.params(),
                src_file=io.StringIO(_text(name)),
                fd_997=None,
                fd_html=None,
            )
        )
    except pyx12_errors.EngineError:  # e.g. no map for a mislabelled GS08
        return False
    finally:
        logger.setLevel(level)


def _pyx12_reading(name: str) -> tuple[list[Decimal], list[Claim]]:
    """BPR02 of each transaction and, per Loop 2100, CLP01, CLP02, CLP04 and the SVC03s."""
    payments: list[Decimal] = []
    claims: list[Claim] = []
    with x12context.X12ContextReader(
        pyx12_params.params(), error_handler.errh_null(), io.StringIO(_text(name))
    ) as reader:
        for node in reader.iter_segments("2100"):
            if node.id == "BPR":
                payments.append(Decimal(str(node.get_value("BPR02"))))
            elif node.id == "2100":
                lines = tuple(Decimal(str(line.get_value("SVC03"))) for line in node.select("2110"))
                claims.append(
                    (
                        str(node.get_value("CLP01")),
                        str(node.get_value("CLP02")),
                        Decimal(str(node.get_value("CLP04"))),
                        lines,
                    )
                )
    return payments, claims


def test_pyx12_oracle_accepts_the_clean_samples() -> None:
    """Guards the oracle against passing vacuously: pyx12 accepts the six eMedNY files."""
    accepted = [name for name in NAMES if _accepted(name)]
    assert len(accepted) == 6
    assert all(name.startswith("835") for name in accepted)


@pytest.mark.parametrize("name", NAMES)
def test_pyx12_oracle_agrees_on_claims_and_payments(name: str) -> None:
    if not _accepted(name):
        pytest.skip("pyx12 reports errors in this file")
    payments, claims = _pyx12_reading(name)
    remittances = list(iter_remittances((SAMPLES_835 / name).read_bytes()))
    ours = [
        (c.patient_control_number, c.status_code, c.paid, tuple(line.paid for line in c.lines))
        for r in remittances
        for c in r.claims
    ]
    assert len(ours) == len(claims)
    assert sum(c.paid for r in remittances for c in r.claims) == sum(c[2] for c in claims)
    assert ours == claims
    assert [r.total_paid for r in remittances] == payments
