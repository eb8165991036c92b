"""`python -m chalicelib.x12 COMMAND`: the codec's command-line tools, and the only module of
the package that does I/O.

    parse FILE            one JSON document {"transactions", "interchanges", "errors"},
                          written transaction by transaction
    parse --summary FILE  {"transactions", "findings", "by_type": {kind: counts}} after the
                          same full typed parse: claims for an 837P (and the unreadable ones),
                          claims, paid_bpr02 and paid_clp04 for an 835, sets for a 999 ...
    render-837p CLAIM.json
                          the 837P interchange for a claim in the API's JSON contract shape,
                          with fixed test envelope values unless options say otherwise; a
                          claim the API would refuse (scrubbing) is not written: exit 2 with
                          one line per field error (--no-scrub writes it anyway)

Exit status: 0 when the file was read (findings and all), 2 when it cannot be read (one line
on stderr naming the segment, or the path), 1 on an internal error; never a traceback. When a
file cannot be read, `parse` still prints what it read before the defect, with the error last
in "errors"; `--summary` prints nothing, since partial totals would mislead.

A command is a function taking the parsed arguments and returning the exit status, plus an
entry in `_COMMANDS` that adds its parser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .envelope import EnvelopeReader, Interchange
from .errors import X12ReadError
from .readers import read, to_json, to_json_text

if TYPE_CHECKING:
    from chalicelib.api.contract import ClaimRequest
    from chalicelib.claims.model import Claim

EXIT_READ = 0
EXIT_INTERNAL = 1
EXIT_UNREADABLE = 2

Command = Callable[[argparse.Namespace], int]


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_UNREADABLE


def _interchange(interchange: Interchange) -> dict[str, object]:
    delimiters = interchange.delimiters
    return {
        "control_number": interchange.control_number,
        "sender_qualifier": interchange.sender_qualifier,
        "sender_id": interchange.sender_id,
        "receiver_qualifier": interchange.receiver_qualifier,
        "receiver_id": interchange.receiver_id,
        "date": interchange.date,
        "time": interchange.time,
        "version": interchange.version,
        "usage_indicator": interchange.usage_indicator,
        "delimiters": {
            "element": delimiters.element,
            "component": delimiters.component,
            "segment": delimiters.segment,
            "repetition": delimiters.repetition,
        },
    }


def _read_error(error: X12ReadError) -> dict[str, object]:
    return {
        "code": "unreadable",
        "message": error.message,
        "segment_index": error.segment_index,
        "segment_id": error.segment_id,
        "element_position": error.element_position,
    }


def _document(stream: BinaryIO, name: str, indent: int | None) -> int:
    """Each transaction is written as soon as it is read, so a large file never has to fit in
    memory as one document; the interchanges and errors, complete only at the end, follow."""
    out = sys.stdout

    def newline(level: int) -> str:
        return "" if indent is None else "\n" + " " * (indent * level)

    def nested(value: object, level: int) -> str:
        return json.dumps(value, indent=indent).replace("\n", newline(level))

    reader = EnvelopeReader(stream)
    failure: X12ReadError | None = None
    separator = ""
    out.write("{" + newline(1) + '"transactions": [')
    try:
        for ts in reader:
            if indent is None:  # compact: written as the reader gives it, piece by piece
                out.write(separator)
                out.writelines(to_json_text(ts))
            else:
                out.write(separator + newline(2) + nested(to_json(ts), 2))
            separator = ", " if indent is None else ","
    except X12ReadError as error:
        failure = error
    errors = [finding.as_dict() for finding in reader.findings]
    if failure is not None:
        errors.append(_read_error(failure))
    interchanges = [_interchange(interchange) for interchange in reader.interchanges]
    between = newline(1) if indent is not None else " "
    out.write((newline(1) if separator else "") + "]," + between)
    out.write(f'"interchanges": {nested(interchanges, 1)},{between}')
    out.write(f'"errors": {nested(errors, 1)}{newline(0)}}}\n')
    if failure is not None:
        return _fail(f"{name}: {failure.located()}")
    return EXIT_READ


def _summary(stream: BinaryIO, name: str) -> int:
    """Counts per kind of transaction after the same full typed reading as `parse`; the
    findings are exactly those the full document lists (each transaction's, then the file's
    envelope findings)."""
    reader = EnvelopeReader(stream)
    transactions = findings = 0
    by_type: dict[str, dict[str, int | Decimal]] = {}
    try:
        for ts in reader:
            reading = read(ts)
            transactions += 1
            findings += len(reading.findings)
            counts = by_type.setdefault(reading.kind, {"transactions": 0})
            counts["transactions"] += 1
            for key, value in reading.counts.items():
                counts[key] = counts.get(key, 0) + value
    except X12ReadError as error:
        return _fail(f"{name}: {error.located()}")
    findings += len(reader.findings)
    summary = {
        "transactions": transactions,
        "findings": findings,
        "by_type": {
            kind: {
                key: str(value) if isinstance(value, Decimal) else value
                for key, value in counts.items()
            }
            for kind, counts in by_type.items()
        },
    }
    print(json.dumps(summary))
    return EXIT_READ


def parse(args: argparse.Namespace) -> int:
    """Read every transaction set of FILE with the registered readers."""
    name: str = args.file
    try:
        if name == "-":
            return _parse_stream(sys.stdin.buffer, name, args)
        with Path(name).open("rb") as stream:
            return _parse_stream(stream, name, args)
    except BrokenPipeError:  # our reader went away, not our input: main() handles it
        raise
    except OSError as error:
        return _fail(f"{name}: cannot read: {error.strerror or error}")


def _parse_stream(stream: BinaryIO, name: str, args: argparse.Namespace) -> int:
    if args.summary:
        return _summary(stream, name)
    return _document(stream, name, args.indent)


def _add_parse(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="read an X12 file and print it as JSON",
        description="Read an X12 file (or - for stdin) and print one JSON document.",
    )
    parser.add_argument("file", help="X12 file to read, - for stdin")
    parser.add_argument(
        "--summary",
        action="store_true",
        help="print only counts and the total paid, after the same full parse",
    )
    parser.add_argument("--indent", type=int, default=None, help="indent the JSON output")
    parser.set_defaults(run=parse)


def render_837p_command(args: argparse.Namespace) -> int:
    """A claim in the API's JSON contract shape, written as an 837P interchange. The contract
    schema (pydantic) is the API's, so it is imported here, in the entry point, and never by
    the codec itself."""
    import datetime as dt

    from pydantic import ValidationError

    from chalicelib.api.contract import ClaimRequest

    from .errors import X12WriteError
    from .write.claim837p import render_837p
    from .writer import EnvelopeValues

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except OSError as error:
        return _fail(f"{args.file}: {error.strerror or error}")
    try:
        request = ClaimRequest.model_validate_json(text)
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return _fail(f"{args.file}: {where}: {first['msg']} ({error.error_count()} error(s))")
    claim = request.to_claim()
    if not args.no_scrub:
        refused = _scrub_errors(request, claim)
        if refused:
            for line in refused:
                print(f"error: {args.file}: {line}", file=sys.stderr)
            return EXIT_UNREADABLE
    created = dt.datetime.combine(args.date, dt.time(12, 0), tzinfo=dt.UTC)
    try:
        out = render_837p(
            [claim],
            EnvelopeValues(
                sender_qualifier="ZZ",
                sender_id=args.sender,
                receiver_qualifier="ZZ",
                receiver_id=args.receiver,
                interchange_control_number=args.control_number,
                group_control_number=args.control_number,
                date=args.date,
                time="1200",
                usage_indicator=args.usage or claim.usage_indicator,
                functional_id="HC",
                implementation_reference="005010X222A1",
            ),
            submitter_id=args.sender,
            receiver_id=args.receiver,
            transaction_control_number=f"{args.control_number:04d}",
            reference_id=f"{args.control_number:09d}",
            created_at=created,
            line_breaks=args.line_breaks,
        )
    except X12WriteError as error:
        return _fail(f"{args.file}: cannot write an 837P: {error}")
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return EXIT_READ


def _scrub_errors(request: ClaimRequest, claim: Claim) -> list[str]:
    """What the API would refuse the claim for (POST /v1/claims answers 422 with these), each
    as `field: message (code)` with the field as the request names it."""
    import datetime as dt

    from chalicelib.api.views import ProblemOut
    from chalicelib.claims.scrub import scrub_claim

    paths = request.domain_paths()
    problems = [ProblemOut.of(f, paths) for f in scrub_claim(claim, today=dt.date.today())]
    return [
        f"{p.field or 'claim'}: {p.message} ({p.code})" for p in problems if p.severity == "error"
    ]


def _add_render_837p(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import datetime as dt

    parser = subparsers.add_parser(
        "render-837p",
        help="write the 837P for a claim in the API's JSON shape",
        description="Write the 837P (005010X222A1) interchange for a claim JSON file in the "
        "contract shape. Envelope values are fixed test values unless given.",
    )
    parser.add_argument("file", help="claim JSON (the POST /v1/claims body)")
    parser.add_argument("--sender", default="CLAIMGATE", help="ISA06 / 1000A submitter id")
    parser.add_argument("--receiver", default="SANDBOXCH", help="ISA08 / 1000B receiver id")
    parser.add_argument("--control-number", type=int, default=1, help="ISA13 / GS06 / ST02")
    parser.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 11, 20),
        help="interchange date, YYYY-MM-DD",
    )
    parser.add_argument("--usage", choices=("T", "P"), help="ISA15; default: the claim's")
    parser.add_argument("--line-breaks", action="store_true", help="a line break per segment")
    parser.add_argument(
        "--no-scrub",
        action="store_true",
        help="write the 837P even when the API would refuse the claim (tests of the writer)",
    )
    parser.set_defaults(run=render_837p_command)


_COMMANDS: tuple[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], ...] = (
    _add_parse,
    _add_render_837p,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chalicelib.x12", description="X12 5010 command-line tools."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _COMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except BrokenPipeError:  # the reader of our output went away (`| head`): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_READ
    except Exception as error:  # a command-line tool prints one line, never a traceback
        print(f"error: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
