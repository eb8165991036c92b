"""`python -m chalicelib.x12 COMMAND`: the codec's command-line tools, and the only module of
the package that does I/O.

    parse FILE            one JSON document {"transactions", "interchanges", "errors"},
                          written transaction by transaction
    parse --summary FILE  {"transactions", "claims", "total_paid", "findings"} after the same
                          full typed parse (what the benchmark times)

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
from typing import BinaryIO

from .envelope import EnvelopeReader, Interchange
from .errors import X12ReadError
from .readers import to_json, transaction_kind
from .remittance import parse_835

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
    reader = EnvelopeReader(stream)
    transactions = claims = findings = 0
    total_paid = Decimal(0)
    try:
        for ts in reader:
            transactions += 1
            if transaction_kind(ts) == "835":
                remittance = parse_835(ts)
                claims += len(remittance.claims)
                total_paid += remittance.total_paid
                findings += len(remittance.findings)
            else:
                findings += len(ts.findings)
    except X12ReadError as error:
        return _fail(f"{name}: {error.located()}")
    findings += len(reader.findings)
    summary = {
        "transactions": transactions,
        "claims": claims,
        "total_paid": str(total_paid),
        "findings": findings,
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


_COMMANDS: tuple[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], ...] = (
    _add_parse,
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
