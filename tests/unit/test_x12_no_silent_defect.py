"""No silent defect (issue: one findings model, nothing silent, a CLI that tells the truth):
every sample's full JSON lists exactly the findings `--summary` counts; damaged variants (a NUL
in a name, a lowercase segment id, SE02 not ST02, bytes that are not X12 text) each give a
located finding; random corruption never reads clean with fewer claims."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.x12.__main__ import main
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12Error
from chalicelib.x12.readers import read
from tests.conftest import CONTRACT, X12_SAMPLES

SAMPLES = sorted(p for p in X12_SAMPLES.rglob("*") if p.is_file() and p.name != "SOURCES.md")
COMPLEX_837 = X12_SAMPLES / "837P" / "x12_complex.txt"
MANAGED_CARE = X12_SAMPLES / "835" / "managed-care.835"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def document(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, Any]]:
    status, out, _ = run_cli(capsys, "parse", str(path))
    parsed: dict[str, Any] = json.loads(out)
    return status, parsed


def listed(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every finding the full document lists: each transaction's, then the file's."""
    return [f for t in doc["transactions"] for f in t["findings"]] + [
        e for e in doc["errors"] if e.get("code") != "unreadable"
    ]


@pytest.mark.parametrize("path", SAMPLES, ids=[str(p.relative_to(X12_SAMPLES)) for p in SAMPLES])
def test_the_summary_counts_exactly_the_findings_the_document_lists(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    status, doc = document(capsys, path)
    summary_status, out, err = run_cli(capsys, "parse", "--summary", str(path))
    assert summary_status == status
    if status != 0:  # unreadable: the document ends with the located error, no summary
        assert doc["errors"][-1]["code"] == "unreadable" and out == "" and err
        return
    summary = json.loads(out)
    assert summary["findings"] == len(listed(doc))
    assert summary["transactions"] == len(doc["transactions"])
    for kind, counts in summary["by_type"].items():
        of_kind = [t for t in doc["transactions"] if t["type"] in (kind, kind[:3])]
        assert counts["transactions"] == len(of_kind)
        if "claims" in counts and kind in ("835", "837P"):
            assert counts["claims"] == sum(len(t["claims"]) for t in of_kind)


def test_every_wrong_se01_shows_in_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    wrong = []
    for path in SAMPLES:
        try:
            said = [f for ts in EnvelopeReader(path.read_bytes()) for f in ts.findings]
        except X12Error:
            continue
        if any(f.code == "se_count_mismatch" for f in said):
            wrong.append(path.name)
            _, doc = document(capsys, path)
            codes = {f["code"] for f in listed(doc)}
            assert "se_count_mismatch" in codes, path.name
    assert len(wrong) >= 6  # the shared samples with a wrong SE01


def _variant(path: Path, old: bytes, new: bytes, tmp_path: Path) -> Path:
    data = path.read_bytes()
    assert old in data
    damaged = tmp_path / f"damaged-{path.name}"
    damaged.write_bytes(data.replace(old, new, 1))
    return damaged


def _findings_of(doc: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in listed(doc) if f["code"] == code]


def test_a_nul_in_a_patient_name_is_located(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = COMPLEX_837.read_bytes()
    name = re.search(rb"NM1\*QC\*1\*([A-Z]+)", data) or re.search(rb"NM1\*IL\*1\*([A-Z]+)", data)
    assert name is not None
    last, whole = name.group(1), name.group(0)
    nul_name = whole[: -len(last)] + last[:1] + b"\x00\x00\x00" + last[1:]
    damaged = _variant(COMPLEX_837, whole, nul_name, tmp_path)
    _, doc = document(capsys, damaged)
    [found] = _findings_of(doc, "invalid_character")
    assert (found["segment_id"], found["element_position"]) == ("NM1", 3)
    assert "U+0000" in found["message"] and last.decode() not in found["message"]
    # and on the claims built from that loop, so an upload refuses them
    assert any(
        f["code"] == "invalid_character"
        for t in doc["transactions"]
        for c in t["claims"]
        for f in c["findings"]
    )


def test_bytes_that_are_not_x12_text_in_a_payer_name_are_located(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    damaged = _variant(MANAGED_CARE, b"N1*PR*", b"N1*PR*\x00\xff\x80\x1b", tmp_path)
    status, doc = document(capsys, damaged)
    assert status == 0
    [found] = _findings_of(doc, "invalid_character")
    assert (found["segment_id"], found["element_position"]) == ("N1", 2)


def test_a_lowercase_segment_id_is_a_finding_not_a_lost_claim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    damaged = _variant(COMPLEX_837, b"CLM*", b"clm*", tmp_path)
    _, doc = document(capsys, damaged)
    [found] = _findings_of(doc, "unknown_segment")
    assert found["segment_id"] == "clm" and found["segment_index"] > 0
    remit = _variant(MANAGED_CARE, b"CLP*", b"clp*", tmp_path)
    remit.write_bytes(remit.read_bytes().replace(b"SVC*", b"svc*", 1))
    _, doc = document(capsys, remit)
    assert {f["segment_id"] for f in _findings_of(doc, "unknown_segment")} == {"clp", "svc"}


def test_se02_that_is_not_st02_shows_on_an_837p(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = COMPLEX_837.read_bytes()
    found = re.search(rb"SE\*(\d+)\*(\w+)", data)
    assert found is not None
    damaged = _variant(COMPLEX_837, found.group(0), b"SE*" + found.group(1) + b"*9999", tmp_path)
    _, doc = document(capsys, damaged)
    [mismatch] = _findings_of(doc, "se_control_mismatch")
    assert (mismatch["segment_id"], mismatch["element_position"]) == ("SE", 2)


def test_render_837p_refuses_a_claim_the_api_would_refuse(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    claim = json.loads((CONTRACT / "claim-basic.json").read_text())
    claim["providers"][0]["npi"] = "1234567890"  # fails the NPI check digit
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))
    status, out, err = run_cli(capsys, "render-837p", str(path))
    assert (status, out) == (2, "")
    assert "providers[0].npi" in err and "npi_invalid" in err
    status, out, _ = run_cli(capsys, "render-837p", "--no-scrub", str(path))
    assert status == 0 and out.startswith("ISA*")


def _reading(data: bytes) -> tuple[int, int, bool]:
    """(claims, findings, stopped by an error) of a file, as the CLI reads it."""
    claims = findings = 0
    reader = EnvelopeReader(data)
    try:
        for ts in reader:
            reading = read(ts)
            claims += int(reading.counts.get("claims", 0))
            findings += len(reading.findings)
    except X12Error:
        return claims, findings, True
    return claims, findings + len(reader.findings), False


CORRUPTIBLE = [COMPLEX_837, MANAGED_CARE, X12_SAMPLES / "835" / "ExampleFromNth.txt"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from(CORRUPTIBLE),
    where=st.floats(min_value=0.05, max_value=1.0, exclude_max=True),
    byte=st.integers(min_value=0, max_value=255),
)
def test_corruption_never_reads_clean_with_fewer_claims(
    which: Path, where: float, byte: int
) -> None:
    data = which.read_bytes()
    original_claims, _, _ = _reading(data)
    at = int(where * len(data))
    corrupted = data[:at] + bytes([byte]) + data[at + 1 :]
    claims, findings, stopped = _reading(corrupted)
    if claims < original_claims:
        assert stopped or findings > 0, f"byte {at} set to {byte:#04x}: a claim went silently"
