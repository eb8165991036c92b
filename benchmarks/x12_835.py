"""Benchmark the typed 835 reader against a naive split pass over the same bytes.

Generates a deterministic (seeded) 835 that balances (TR3 front-matter balancing: each line
SVC02 - line CAS = SVC03, each claim CLP03 - claim and line CAS = CLP04, each transaction
BPR02 = sum CLP04 - sum PLB), writes it to a temporary file and, in the same run, times:

- naive: read the bytes, decode, ``split("~")``, ``split("*")`` each segment, count CLP;
- typed: ``iter_remittances`` over the file (streamed), touching every claim and line and
  summing the paid amounts, with balancing findings, i.e. what ``parse --summary`` does.

and, to show where the time goes, the tokenizer and envelope reader alone, and a floor no typed
reader can go below: Decimal() of just the amounts balancing adds up (CLP03-04, SVC02-03, CAS
amounts; the strings are found before the clock starts). Wall-clock and CPU times are the best
of N interleaved runs.

As whole processes (interpreter start-up included, what a user of the command line waits
for), `parse --summary` and `parse` (the full JSON document) against a naive split that keeps
every segment's elements: `summary_over_naive` and `document_over_naive`. What the naive
split's floor costs (start-up, then reading and splitting) is printed, and where the
document's time goes: start-up and imports (whole processes), then, in process and streamed
a set at a time as `parse` does, the tokenizer and envelope, the typed reading with its
balancing, the JSON text and writing it.

Peak memory is the peak resident set size of a fresh subprocess (VmHWM on Linux, else
ru_maxrss) that runs the typed pass, or `parse` with its output thrown away, for the file and
for one twice as large, next to the interpreter's own baseline and the naive split's;
--tracemalloc adds the peak of traced Python allocations of the typed pass.

    python -m benchmarks.x12_835 [--claims 20000] [--repeats 5] [--seed 835] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.read.remit835 import iter_remittances

_PROCEDURES = ("99213", "99214", "99203", "97110", "97140", "80053", "85025", "36415", "93000")
_MODIFIERS = ("", "", "", "25", "59", "GP", "26:TC")
_DENIAL_REASONS = ("16", "18", "29", "50", "96", "197")


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _claim(rng: random.Random, number: int) -> tuple[list[str], int]:
    """One Loop 2100 with 1-4 Loop 2110 lines; returns its segments and CLP04 in cents."""
    kind = rng.random()
    status = "4" if kind < 0.15 else ("22" if kind < 0.18 else "1")
    sign = -1 if status == "22" else 1
    lines: list[str] = []
    charge_total = paid_total = patient_total = 0
    for line_number in range(rng.randint(1, 4)):
        charge = rng.randint(2_000, 60_000)
        if status == "4":
            adjustments = [("CO", rng.choice(_DENIAL_REASONS), charge)]
        else:
            contractual = charge * rng.randint(10, 45) // 100
            adjustments = [("CO", "45", contractual)]
            if rng.random() < 0.35:  # partially paid: deductible or co-insurance
                patient = (charge - contractual) * rng.randint(10, 60) // 100
                adjustments.append(("PR", rng.choice(("1", "2", "3")), patient))
                patient_total += patient
        paid = charge - sum(amount for _, _, amount in adjustments)
        charge_total += charge
        paid_total += paid
        modifier = rng.choice(_MODIFIERS)
        procedure = "HC:" + rng.choice(_PROCEDURES) + (":" + modifier if modifier else "")
        lines.append(f"SVC*{procedure}*{_money(sign * charge)}*{_money(sign * paid)}**1")
        lines.append(f"DTM*472*2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}")
        lines.extend(
            f"CAS*{group}*{reason}*{_money(sign * amount)}" for group, reason, amount in adjustments
        )
        lines.append(f"REF*6R*{number:07d}L{line_number + 1}")
        if status != "4":
            lines.append(f"AMT*B6*{_money(sign * (charge - adjustments[0][2]))}")
        else:
            lines.append("LQ*HE*N130")
    claim_level: list[str] = []
    if status == "1" and paid_total > 1_000 and rng.random() < 0.2:  # sequestration
        cut = paid_total * 2 // 100
        claim_level.append(f"CAS*CO*253*{_money(cut)}")
        paid_total -= cut
    head = [
        f"CLP*PCN{number:09d}*{status}*{_money(sign * charge_total)}*{_money(sign * paid_total)}"
        f"*{_money(sign * patient_total) if patient_total else ''}*12*PCC{number:011d}*11*1",
        *claim_level,
        f"NM1*QC*1*LAST{number % 9973}*FIRST****MI*M{number:010d}",
        "NM1*82*1*RENDERING*DOC****XX*1234567893",
        "DTM*232*20240101",
        "DTM*233*20240102",
    ]
    if status != "4":
        head.append(f"AMT*AU*{_money(sign * paid_total)}")
    return head + lines, sign * paid_total


def generate_835(claims: int, *, seed: int = 835, claims_per_set: int = 500) -> bytes:
    """A deterministic, balanced 835 interchange with `claims` claims in many ST sets."""
    rng = random.Random(seed)
    out = [
        "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLAIMGATE      "
        "*240301*1200*^*00501*000000001*0*P*:",
        "GS*HP*PAYERSENDER*CLAIMGATE*20240301*1200*1*X*005010X221A1",
    ]
    sets = 0
    for first in range(0, claims, claims_per_set):
        sets += 1
        body: list[str] = []
        paid_cents = 0
        for number in range(first, min(first + claims_per_set, claims)):
            segments, paid = _claim(rng, number)
            body.extend(segments)
            paid_cents += paid
        plb: list[str] = []
        if sets % 3 == 0:  # an overpayment recovery and an interest payment
            recovery, interest = rng.randint(100, 5_000), rng.randint(1, 500)
            plb.append(
                f"PLB*1234567893*20241231*WO:RECOV{sets}*{_money(recovery)}*L6*-{_money(interest)}"
            )
            paid_cents -= recovery - interest
        header = [
            f"ST*835*{sets:04d}",
            f"BPR*I*{_money(paid_cents)}*C*ACH*CCP*01*999999999*DA*123456789*1512345678"
            "**01*999988880*DA*98765*20240301",
            f"TRN*1*EFT{sets:08d}*1512345678",
            "DTM*405*20240229",
            "N1*PR*BENCHMARK HEALTH PLAN",
            "N3*1 MAIN STREET",
            "N4*ANYTOWN*CA*90001",
            "REF*2U*99999",
            "PER*BL*PROVIDER SERVICES*TE*8005551212",
            "N1*PE*BENCHMARK CLINIC*XX*1234567893",
            "REF*TJ*123456789",
            "LX*1",
        ]
        segments = header + body + plb
        out.extend(segments)
        out.append(f"SE*{len(segments) + 1}*{sets:04d}")
    out.append(f"GE*{sets}*1")
    out.append("IEA*1*000000001")
    return ("~".join(out) + "~").encode("ascii")


def naive_pass(path: Path) -> int:
    """The floor: split on the terminator and the element separator, count claims."""
    text = path.read_bytes().decode("utf-8")
    claims = 0
    for segment in text.split("~"):
        elements = segment.split("*")
        if elements[0] == "CLP":
            claims += 1
    return claims


def typed_pass(path: Path) -> tuple[int, Decimal, int]:
    """What ``parse --summary`` does: every claim and line read, balanced and touched.
    Returns the claims, the sum of CLP04 and SVC03, and the findings."""
    claims = 0
    paid = Decimal(0)
    findings = 0
    with path.open("rb") as stream:
        for remittance in iter_remittances(stream):
            findings += len(remittance.findings)
            for claim in remittance.claims:
                claims += 1
                paid += claim.paid
                for line in claim.lines:
                    paid += line.paid
            del remittance  # as the CLI does: not held while the next set is read
    return claims, paid, findings


_BALANCED = re.compile(
    r"~(?:CLP\*[^*~]*\*[^*~]*\*([^*~]*)\*([^*~]*)|SVC\*[^*~]*\*([^*~]*)\*([^*~]*)"
    r"|CAS\*[^*~]*\*[^*~]*\*([^*~]*))"
)


def balanced_amounts(path: Path) -> list[str]:
    """The text of every amount that balancing adds up, in a file written as generate_835 does."""
    text = path.read_text("ascii")
    return [amount for found in _BALANCED.findall(text) for amount in found if amount]


def decimal_pass(amounts: list[str]) -> int:
    """The floor: only the Decimal construction that exact balancing cannot avoid."""
    return len(list(map(Decimal, amounts)))


def envelope_pass(path: Path) -> int:
    """The part of the typed pass before any 835 parsing: tokenizer and envelope reader."""
    with path.open("rb") as stream:
        return sum(1 for _ in EnvelopeReader(stream))


def _best_of(repeats: int, runs: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """Best wall-clock and best CPU time of each run; the runs are interleaved so that a
    busy machine slows them alike."""
    best = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


_PEAK = """
try:  # Linux: this process's own peak; ru_maxrss would include the parent's (kept by exec)
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM")))
except OSError:
    import resource
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
_CHILD = (
    """
import sys
from pathlib import Path
from benchmarks.x12_835 import typed_pass
if sys.argv[1] != "-":
    typed_pass(Path(sys.argv[1]))
"""
    + _PEAK
)
# `parse FILE` (the full JSON document), its output thrown away, in a child that then says
# its peak.
_CHILD_DOCUMENT = (
    """
import contextlib, os, sys
from chalicelib.x12.__main__ import main
with open(os.devnull, "w") as out, contextlib.redirect_stdout(out):
    main(["parse", sys.argv[1]])
"""
    + _PEAK
)


def _peak_rss(path: Path | None, child: str = _CHILD) -> int:
    """Peak resident set size in bytes of a fresh interpreter that runs `child` (the typed
    pass, by default) over `path` (None: only the imports, the interpreter's baseline); read
    from VmHWM on Linux, else ru_maxrss (KiB), the child's last line."""
    done = subprocess.run(
        [sys.executable, "-c", child, str(path) if path else "-"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.split()[-1]) * 1024


# The naive reader a whole-process user compares with: every segment split into its elements
# and kept, as a split-based parser holds a file (about 200 MB for the 8.8 MB file).
_NAIVE_PROCESS = (
    "import sys\n"
    "text = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
    "segments = [s.split('*') for s in text.split('~')]\n"
    "print(sum(1 for s in segments if s[0] == 'CLP'))\n"
)


_CLI = [sys.executable, "-m", "chalicelib.x12"]


def _whole_processes(path: Path, repeats: int) -> dict[str, float]:
    """Best wall time of each command as a whole process (interpreter start included), the
    commands interleaved: what a user of `parse` waits for, beside the naive split."""
    commands = {
        "naive split (python -c)": [sys.executable, "-c", _NAIVE_PROCESS, str(path)],
        "parse --summary": [
            sys.executable,
            "-m",
            "chalicelib.x12",
            "parse",
            "--summary",
            str(path),
        ],
        "parse (full JSON document)": [sys.executable, "-m", "chalicelib.x12", "parse", str(path)],
    }
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(repeats):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _document_parts(path: Path) -> dict[str, float]:
    """Where the full document's time goes, in process and streamed as `parse` does (one
    transaction set at a time): the tokenizer and envelope reader, the typed reading with its
    balancing (`readers.read`), the JSON text of each set, and writing it out."""
    import os

    from chalicelib.x12.readers import read

    parts = dict.fromkeys(
        ("tokenizer + envelope", "typed reading (balanced)", "JSON text", "writing"), 0.0
    )
    gc.collect()
    with path.open("rb") as stream, Path(os.devnull).open("w") as out:
        sets = iter(EnvelopeReader(stream))
        while True:
            start = time.perf_counter()
            ts = next(sets, None)
            read_set = time.perf_counter()
            if ts is None:
                break
            reading = read(ts)
            typed = time.perf_counter()
            assert reading.json_text is not None
            text = "".join(reading.json_text())
            written = time.perf_counter()
            out.write(text)
            out.flush()
            done = time.perf_counter()
            parts["tokenizer + envelope"] += read_set - start
            parts["typed reading (balanced)"] += typed - read_set
            parts["JSON text"] += written - typed
            parts["writing"] += done - written
            del reading, text
        parts["tokenizer + envelope"] += read_set - start
    return parts


_START_UP = {
    "interpreter start-up": [sys.executable, "-c", "pass"],
    "interpreter + parse's imports": [
        sys.executable,
        "-c",
        "import chalicelib.x12.__main__, chalicelib.x12.read.remit835_json",
    ],
}


def _start_up(repeats: int) -> dict[str, float]:
    """Best wall time of an interpreter that does nothing, and of one that only imports what
    `parse` of an 835 imports."""
    best = dict.fromkeys(_START_UP, float("inf"))
    for _ in range(repeats):
        for name, command in _START_UP.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, cwd=Path(__file__).resolve().parents[1])
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _peak_traced(path: Path) -> int:
    """Peak of the Python allocations traced during the typed pass (slow: tracing)."""
    gc.collect()
    tracemalloc.start()
    try:
        typed_pass(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.x12_835",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--claims", type=int, default=20_000, help="claims in the 1x file")
    parser.add_argument("--repeats", type=int, default=5, help="best of N timed runs")
    parser.add_argument("--seed", type=int, default=835)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure peak memory with tracemalloc"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="claimgate-bench-") as tmp:
        files = {factor: Path(tmp) / f"bench-{args.claims * factor}.835" for factor in (1, 2)}
        for factor, file in files.items():
            file.write_bytes(generate_835(args.claims * factor, seed=args.seed))
        path = files[1]
        claims, paid, findings = typed_pass(path)
        if claims != naive_pass(path) or findings:
            print(f"generated file does not read cleanly: {claims} claims, {findings} findings")
            return 1
        amounts = balanced_amounts(path)
        best = _best_of(
            args.repeats,
            {
                "naive split pass": lambda: naive_pass(path),
                "tokenizer + envelope only": lambda: envelope_pass(path),
                f"Decimal() of {len(amounts):,} amounts": lambda: decimal_pass(amounts),
                "typed parse": lambda: typed_pass(path),
            },
        )
        print(
            f"file: {path.stat().st_size / 1e6:.1f} MB, {claims} claims, sum CLP04 + SVC03 {paid}"
        )
        print(f"best of {args.repeats}:                    wall ms    CPU ms   x naive")
        naive_wall = best["naive split pass"][0]
        for name, (wall, cpu) in best.items():
            print(f"  {name:33} {wall * 1000:8.1f}  {cpu * 1000:8.1f}  {wall / naive_wall:7.2f}")
        naive, typed = best["naive split pass"], best["typed parse"]
        print(f"ratio typed/naive: {typed[0] / naive[0]:.2f}x wall, {typed[1] / naive[1]:.2f}x CPU")
        print(f"typed claims/s: {claims / typed[0]:,.0f}")
        processes = _whole_processes(path, args.repeats)
        print(f"whole processes, best of {args.repeats}:          wall ms   x naive")
        floor = processes["naive split (python -c)"]
        for name, wall in processes.items():
            print(f"  {name:33} {wall * 1000:8.1f}  {wall / floor:7.2f}")
        document = processes["parse (full JSON document)"]
        start_up = _start_up(args.repeats)
        interpreter = start_up["interpreter start-up"]
        imports = start_up["interpreter + parse's imports"] - interpreter
        print("the floor, the naive split as a whole process (ms):")
        print(f"  {'interpreter start-up':33} {interpreter * 1000:8.1f}")
        print(f"  {'read, decode, split and keep':33} {(floor - interpreter) * 1000:8.1f}")
        parts = {
            "interpreter start-up": interpreter,
            "parse's imports": imports,
            **_document_parts(path),
        }
        print(
            "where the full document's time goes (ms; start-up and imports as whole processes,"
            " the rest in process, streamed a set at a time):"
        )
        for name, seconds in parts.items():
            print(f"  {name:33} {seconds * 1000:8.1f}")
        rest = document - sum(parts.values())
        # The parts are timed apart from the whole process: on a busy machine this is noise.
        print(f"  {'whole process less the parts':33} {rest * 1000:8.1f}")
        print(f"summary_over_naive={processes['parse --summary'] / floor:.2f}")
        heaviest = max(parts, key=lambda name: parts[name])
        print(
            f"document_over_naive={document / floor:.2f} (goal 1.50; the floor is "
            f"{floor * 1000:.0f} ms, {(floor - interpreter) * 1000:.0f} of them reading and "
            f"splitting; parse {document * 1000:.0f} ms, its largest part: {heaviest}, "
            f"{parts[heaviest] * 1000:.0f} ms)"
        )
        baseline = _peak_rss(None)
        print(f"peak RSS of a subprocess (VmHWM): interpreter alone {baseline / 1e6:.1f} MB")
        for factor, file in files.items():
            peak = _peak_rss(file)
            print(
                f"  typed parse, {factor}x file ({file.stat().st_size / 1e6:.1f} MB): "
                f"{peak / 1e6:.1f} MB (+{(peak - baseline) / 1e6:.1f} MB)"
            )
        for factor, file in files.items():
            peak = _peak_rss(file, _CHILD_DOCUMENT)
            print(
                f"  parse (full JSON document), {factor}x file: "
                f"{peak / 1e6:.1f} MB (+{(peak - baseline) / 1e6:.1f} MB)"
            )
        naive_peak = _peak_rss(path, _NAIVE_PROCESS + _PEAK)
        print(f"  naive split, 1x file: {naive_peak / 1e6:.1f} MB")
        if args.tracemalloc:
            for factor, file in files.items():
                print(
                    f"peak traced (tracemalloc), {factor}x file: {_peak_traced(file) / 1e6:.1f} MB"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
