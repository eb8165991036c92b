"""`python -m chalicelib.x12 parse`: in process through main(argv), and once as a real
subprocess, for the JSON shape, --summary, exit statuses and one-line errors."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.x12.__main__ import main

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "fixtures" / "x12-samples"
MANAGED_CARE = SAMPLES / "835" / "managed-care.835"
TRUNCATED = SAMPLES / "277CA" / "FromBogeyone.txt"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_parse_prints_one_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys, "parse", str(MANAGED_CARE))
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert set(document) == {"interchanges", "transactions", "errors"}
    assert document["errors"] == []
    assert document["interchanges"][0]["control_number"] == "000000907"
    (transaction,) = document["transactions"]
    assert transaction["type"] == "835"
    assert (transaction["total_paid"], transaction["trace_number"]) == ("945.00", "7170066655")
    assert [f["code"] for f in transaction["findings"]] == ["invalid_date"]
    assert transaction["provider_adjustments"] == []
    claim = transaction["claims"][0]
    assert {
        key: claim[key]
        for key in (
            "patient_control_number",
            "status_code",
            "charge",
            "paid",
            "patient_responsibility",
            "payer_claim_control_number",
        )
    } == {
        "patient_control_number": "5554555444",
        "status_code": "1",
        "charge": "800.00",
        "paid": "450.00",
        "patient_responsibility": "300.00",
        "payer_claim_control_number": "94060555410000",
    }
    assert claim["adjustments"][0] | {"quantity": None} == {
        "group": "CO",
        "reason": "A2",
        "amount": "50.00",
        "quantity": None,
    }
    assert claim["lines"][0]["adjustments"][0]["amount"] == "300.00"


def test_cli_parse_indent_gives_the_same_document(capsys: pytest.CaptureFixture[str]) -> None:
    nth = str(SAMPLES / "835" / "ExampleFromNth.txt")  # three interchanges
    _, compact, _ = _run(capsys, "parse", nth)
    _, indented, _ = _run(capsys, "parse", "--indent", "2", nth)
    assert compact.count("\n") == 1 and indented.count("\n") > 1000
    assert json.loads(indented) == json.loads(compact)
    assert len(json.loads(compact)["interchanges"]) == 3


def test_cli_parse_other_transaction_types_are_described(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _run(capsys, "parse", str(SAMPLES / "999" / "999 Sample (Rejected).txt"))
    assert status == 0
    (transaction,) = json.loads(out)["transactions"]
    assert transaction["type"] == "999"
    (rejected,) = transaction["sets"]
    assert rejected["status"] == "R"
    assert rejected["segment_errors"][0]["segment_id"] == "NM"  # IK3*NM*17**1 as sent
    status, out, _ = _run(capsys, "parse", str(SAMPLES / "277CA" / "277CA Sample (Rejected).txt"))
    (report,) = json.loads(out)["transactions"]
    assert report["type"] == "277CA"
    assert report["claims"][0]["statuses"][0]["codes"][0]["category"] == "A7"
    status, out, _ = _run(
        capsys, "parse", str(SAMPLES / "271" / "subscriber-health-benefit-check.271")
    )
    (eligibility,) = json.loads(out)["transactions"]
    assert eligibility["type"] == "271" and eligibility["members"]


def test_cli_summary_counts_after_the_full_parse(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(
        capsys, "parse", "--summary", str(SAMPLES / "835" / "ExampleFromNth.txt")
    )
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "transactions": 3,
        "findings": 104,
        # BPR02 (the payment) and the CLP04 sum (the claims' payments) differ by the PLBs.
        "by_type": {
            "835": {
                "transactions": 3,
                "claims": 56,
                "paid_bpr02": "11482.11",
                "paid_clp04": "7327.04",
            }
        },
    }


def test_cli_truncated_file_is_one_line_naming_the_segment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = _run(capsys, "parse", str(TRUNCATED))
    assert status == 2
    assert err.count("\n") == 1
    assert "segment 10 (HL)" in err and "truncated" in err
    (error,) = json.loads(out)["errors"]  # what was read, then the reason it stopped
    assert (error["code"], error["segment_index"], error["segment_id"]) == ("unreadable", 10, "HL")
    status, out, err = _run(capsys, "parse", "--summary", str(TRUNCATED))
    assert (status, out, err.count("\n")) == (2, "", 1)


def test_cli_non_x12_and_missing_files_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    not_x12 = tmp_path / "notes.txt"
    not_x12.write_text("Dear biller,\nplease find attached...\n")
    for argv, expected in (
        (["parse", "--summary", str(not_x12)], "segment 1"),
        (["parse", "--summary", str(tmp_path / "missing.835")], "No such file"),
        (["parse", str(tmp_path)], "Is a directory"),
    ):
        status, _, err = _run(capsys, *argv)
        assert status == 2, argv
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert expected in err
        assert "Traceback" not in err


def test_cli_subprocess_summary_and_error() -> None:
    command = [sys.executable, "-m", "chalicelib.x12", "parse", "--summary"]
    done = subprocess.run(
        [*command, str(MANAGED_CARE)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {
        "transactions": 1,
        "findings": 1,
        "by_type": {
            "835": {
                "transactions": 1,
                "claims": 2,
                "paid_bpr02": "945.00",
                "paid_clp04": "945.00",
            }
        },
    }
    failed = subprocess.run(
        [*command, str(TRUNCATED)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and "segment 10 (HL)" in failed.stderr


CONTRACT = REPO / "examples"


def test_cli_render_837p_writes_a_valid_interchange(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.pyx12_oracle import validate

    status, out, err = _run(capsys, "render-837p", str(CONTRACT / "claim-dependent.json"))
    assert (status, err) == (0, "")
    assert out.startswith("ISA*00*") and "HL*3*2*23*0~" in out
    assert validate(out) == []
    _, same, _ = _run(capsys, "render-837p", str(CONTRACT / "claim-dependent.json"))
    assert same == out  # fixed test envelope values: the same claim, the same bytes
    _, other, _ = _run(
        capsys,
        "render-837p",
        str(CONTRACT / "claim-basic.json"),
        "--control-number",
        "42",
        "--sender",
        "PRACTICE01",
    )
    assert "*000000042*" in other and "*PRACTICE01" in other


def test_cli_render_837p_refuses_an_invalid_claim_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "claim.json"
    broken.write_text(json.dumps({"controlNumber": "1"}))
    status, out, err = _run(capsys, "render-837p", str(broken))
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Field required" in err


def test_cli_parse_compact_document_is_json_dumps_of_every_reading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The compact document, written a piece at a time (the 835's claims as text), is the
    json.dumps of the dicts the readers give, on every shared sample."""
    from chalicelib.x12.envelope import EnvelopeReader
    from chalicelib.x12.errors import X12ReadError
    from chalicelib.x12.readers import to_json

    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md")
    assert len([p for p in files if p.parent.name == "835"]) >= 13
    for path in files:
        status, out, _ = _run(capsys, "parse", str(path))
        document = json.loads(out)
        assert json.dumps(document) + "\n" == out, path.name  # compact, as json.dumps writes
        expected: list[dict[str, object]] = []  # what is read before an error, if any
        with contextlib.suppress(X12ReadError):
            for ts in EnvelopeReader(path.read_bytes()):
                expected.append(to_json(ts))
        assert document["transactions"] == expected, path.name
        unreadable = any(error["code"] == "unreadable" for error in document["errors"])
        assert (status != 0) == unreadable, path.name


def test_cli_parse_imports_only_the_readers_of_the_kinds_in_the_file() -> None:
    """Process start-up is part of what `parse` costs: an 835 never imports the 837P, 277
    or eligibility readers (nor pydantic, for render-837p)."""
    code = (
        "import contextlib, io, sys\n"
        "from chalicelib.x12.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['parse', sys.argv[1]])\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(MANAGED_CARE)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    modules = done.stdout.split()
    assert "chalicelib.x12.read.remit835" in modules
    others = ("claim837p", "status27", "ack999", "eligibility27", "inquiry")
    read = [m.removeprefix("chalicelib.x12.read.") for m in modules if ".x12.read." in m]
    assert [m for m in read if m.startswith(others)] == []
    assert [m for m in modules if m.startswith(("pydantic", "chalicelib.api"))] == []
