"""Contracted rates: what a payer agreed to allow per unit of a procedure, by modifier and
place of service, for a period. The payment-mismatch check compares each paid line with the
rate in force on its date of service.

A tenant uploads a payer's schedule as JSON or CSV; each upload is a new `FeeScheduleVersion`
and none is ever overwritten, so a payment is always judged by the contract as it stood. Rows
are read in one pass that reports every bad row and field at once (`FeeScheduleError`), since
a biller fixes a spreadsheet in one sitting, not one error per upload.

Lookup (`contracted_rate`): the newest version with a row for the procedure in force on the
date of service wins, so an amendment carrying only the changed codes works, and a rate change
effective next month leaves this month's services alone. Within that version the most specific
row wins: code + modifier + place of service, then code + modifier, then code + place of
service, then the code alone. A modifier row applies when the line carries that modifier; when
rows for two of the line's modifiers apply, the modifier billed first wins.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal, cast

FeeScheduleSource = Literal["json", "csv"]

# CPT category I (5 digits), II (4 digits + F), III (4 digits + T), PLA (4 digits + U);
# HCPCS level II (a letter and 4 digits).
_PROCEDURE = re.compile(r"(?:[0-9]{5}|[0-9]{4}[FTU]|[A-Z][0-9]{4})")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_PLACE_OF_SERVICE = re.compile(r"[0-9]{2}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_X12_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_AMOUNT_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")  # ASCII: Decimal() takes "２４５"
_CENT: Final = Decimal("0.01")
_MAX_AMOUNT: Final = Decimal("9999999999.99")  # as the claim API's Money: 12 digits
# Contracts older than this are typos (0001, 0990 for 1990): nothing of ours predates 5010.
EARLIEST_EFFECTIVE: Final = date(1990, 1, 1)
# One version is one DynamoDB item (400 KB): about 150 bytes a stored row leaves room.
MAX_ROWS: Final = 2000

PROCEDURE_CODE = "procedureCode"
MODIFIER = "modifier"
PLACE_OF_SERVICE = "placeOfService"
AMOUNT = "amount"
EFFECTIVE_FROM = "effectiveFrom"
EFFECTIVE_TO = "effectiveTo"
FIELDS: Final = (PROCEDURE_CODE, MODIFIER, PLACE_OF_SERVICE, AMOUNT, EFFECTIVE_FROM, EFFECTIVE_TO)
_NAMES: Final = ", ".join(FIELDS)
REQUIRED_FIELDS: Final = frozenset({PROCEDURE_CODE, AMOUNT, EFFECTIVE_FROM})

FILE_ROW = 0  # RowError.row for a problem of the file as a whole (not a list, no header ...)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with one field of one row. `row` counts as a person does: 1-based, the
    CSV header is row 1 (so data starts at row 2), a JSON list's first object is row 1;
    `FILE_ROW` (0) is the file as a whole. `field` is the wire name (camelCase), "" for the
    row as a whole; `code` is stable for programs, `message` is for people."""

    row: int
    field: str
    code: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


class FeeScheduleError(ValueError):
    """Every problem found in an uploaded fee schedule, or in a row built in code."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = tuple(errors)
        shown = "; ".join(
            f"row {e.row} {e.field or '(row)'}: {e.message}" for e in self.errors[:10]
        )
        more = f" (and {len(self.errors) - 10} more)" if len(self.errors) > 10 else ""
        super().__init__(f"{len(self.errors)} fee schedule error(s): {shown}{more}")


@dataclass(frozen=True, slots=True)
class FeeScheduleRow:
    """The allowed amount per unit of `procedure_code` (with `modifier` and at
    `place_of_service` when set) for services from `effective_from` to `effective_to`
    (both inclusive; None: until further notice). Valid when built; amount in cents."""

    procedure_code: str
    modifier: str | None
    place_of_service: str | None
    amount: Decimal
    effective_from: date
    effective_to: date | None

    def __post_init__(self) -> None:
        problems = [
            *_procedure_problems(self.procedure_code),
            *_modifier_problems(self.modifier),
            *_place_problems(self.place_of_service),
            *_amount_problems(self.amount),
            *_order_problems(self.effective_from, self.effective_to),
        ]
        if problems:
            raise FeeScheduleError(RowError(FILE_ROW, *problem) for problem in problems)
        object.__setattr__(self, "amount", self.amount.quantize(_CENT))

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """What two rows of one version must not both price on the same day."""
        return (self.procedure_code, self.modifier, self.place_of_service)

    @property
    def specificity(self) -> int:
        """3 code + modifier + place of service, 2 code + modifier, 1 code + place, 0 code."""
        return (2 if self.modifier is not None else 0) + (
            1 if self.place_of_service is not None else 0
        )

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def to_json(self) -> dict[str, object]:
        """The upload's JSON shape, so a stored row reads back with `parse_fee_schedule_json`."""
        return {
            PROCEDURE_CODE: self.procedure_code,
            MODIFIER: self.modifier,
            PLACE_OF_SERVICE: self.place_of_service,
            AMOUNT: str(self.amount),
            EFFECTIVE_FROM: self.effective_from.isoformat(),
            EFFECTIVE_TO: None if self.effective_to is None else self.effective_to.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class FeeScheduleVersion:
    """One upload of one payer's schedule. `version` numbers a payer's uploads from 1; the
    highest is the newest."""

    version: int
    uploaded_at: datetime
    rows: tuple[FeeScheduleRow, ...]
    source: FeeScheduleSource

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise ValueError(f"version {self.version!r} is not a whole number")
        if self.version < 1:
            raise ValueError(f"version {self.version} is not 1 or more")
        if self.source not in ("json", "csv"):
            raise ValueError(f"source {self.source!r} is not 'json' or 'csv'")
        overlaps = list(_overlaps(list(enumerate(self.rows, 1))))
        if overlaps:
            raise FeeScheduleError(overlaps)


@dataclass(frozen=True, slots=True)
class ContractedRate:
    """The rate a line is judged by, with the version and row it came from, so a flag can
    say which contract line it used."""

    amount: Decimal
    version: int
    row: FeeScheduleRow


# -- parsing -----------------------------------------------------------------------------


def parse_fee_schedule_json(data: object, *, stored: bool = False) -> tuple[FeeScheduleRow, ...]:
    """Rows from decoded JSON: a list of objects with the camelCase keys of `FIELDS`. Amounts
    are strings (a JSON number would have passed through a float); dates YYYY-MM-DD or
    CCYYMMDD. Raises FeeScheduleError with every problem. `stored`: rows read back from the
    table, which older uploads wrote before the row limit and the earliest date existed."""
    if not isinstance(data, list):
        raise FeeScheduleError(
            [RowError(FILE_ROW, "", "not_a_list", "a fee schedule is a JSON list of rows")]
        )
    items = cast("list[object]", data)
    if not stored:
        _check_row_count(len(items))
    records: list[tuple[int, Mapping[str, object]]] = []
    errors: list[RowError] = []
    for number, item in enumerate(items, 1):
        if isinstance(item, dict):
            records.append((number, cast("dict[str, object]", item)))
        else:
            errors.append(RowError(number, "", "not_an_object", "a row is a JSON object"))
    return _rows(records, errors, earliest=None if stored else EARLIEST_EFFECTIVE)


def parse_fee_schedule_csv(text: str) -> tuple[FeeScheduleRow, ...]:
    """Rows from CSV text whose header row names the columns (the camelCase names of
    `FIELDS`, in any order and letter case; modifier, placeOfService and effectiveTo may be
    left out). A byte-order mark, CRLF or CR line ends, blank lines and quoted fields are
    fine. Raises FeeScheduleError with every problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for number, row in enumerate(reader, 1):
            if any(cell.strip() for cell in row):
                records.append((number, row))
                _check_row_count(len(records) - 1)  # the header is no row of rates
    except csv.Error:
        # The csv module's own limit (a field over 131,072 characters) or a broken quote.
        raise FeeScheduleError(
            [
                RowError(
                    number + 1,
                    "",
                    "invalid_csv",
                    f"the row cannot be read as CSV (a field longer than "
                    f"{csv.field_size_limit()} characters, or an unclosed quote)",
                )
            ]
        ) from None
    if not records:
        raise FeeScheduleError([RowError(FILE_ROW, "", "empty", "the file has no header row")])
    (header_row, header), *body = records
    columns, errors = _columns(header_row, header)
    if errors:
        raise FeeScheduleError(errors)
    mapped: list[tuple[int, Mapping[str, object]]] = []
    for number, row in body:
        if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns) :]):
            errors.append(
                RowError(
                    number,
                    "",
                    "extra_cells",
                    f"the row has {len(row)} cells but the header names {len(columns)} columns",
                )
            )
            continue
        mapped.append((number, dict(zip(columns, row, strict=False))))
    return _rows(mapped, errors, earliest=EARLIEST_EFFECTIVE)


def _check_row_count(rows: int) -> None:
    if rows > MAX_ROWS:
        raise FeeScheduleError(
            [
                RowError(
                    FILE_ROW,
                    "",
                    "too_many_rows",
                    f"a fee schedule has at most {MAX_ROWS} rows: upload it in parts "
                    "(each part is a version; the newest with a row for a code applies)",
                )
            ]
        )


def _columns(number: int, header: list[str]) -> tuple[list[str], list[RowError]]:
    """The header's cells as field names (matched ignoring case and spaces)."""
    known = {name.lower(): name for name in FIELDS}
    columns: list[str] = []
    errors: list[RowError] = []
    for cell in header:
        name = known.get(cell.strip().lower())
        if name is None:
            errors.append(
                RowError(number, cell.strip(), "unknown_field", f"unknown column {cell.strip()!r}")
            )
        elif name in columns:
            errors.append(RowError(number, name, "duplicate_field", f"column {name} twice"))
        columns.append(name or cell.strip())
    errors.extend(
        RowError(number, name, "missing_column", f"the header has no {name} column")
        for name in FIELDS
        if name in REQUIRED_FIELDS and name not in columns
    )
    return columns, errors


def _rows(
    records: Sequence[tuple[int, Mapping[str, object]]],
    errors: list[RowError],
    *,
    earliest: date | None,
) -> tuple[FeeScheduleRow, ...]:
    rows: list[tuple[int, FeeScheduleRow]] = []
    for number, record in records:
        row = _row(number, record, errors, earliest)
        if row is not None:
            rows.append((number, row))
    errors.extend(_overlaps(rows))
    if not records and not errors:
        errors.append(RowError(FILE_ROW, "", "empty", "the fee schedule has no rows"))
    if errors:
        raise FeeScheduleError(sorted(errors, key=lambda e: (e.row, _field_order(e.field))))
    return tuple(row for _, row in rows)


def _field_order(name: str) -> int:
    return FIELDS.index(name) if name in FIELDS else len(FIELDS)


def _row(
    number: int, record: Mapping[str, object], errors: list[RowError], earliest: date | None
) -> FeeScheduleRow | None:
    """One row, or None with its problems added to `errors`."""
    found: list[RowError] = [
        RowError(number, str(key)[:40], "unknown_field", f"unknown field: the fields are {_NAMES}")
        for key in record
        if key not in FIELDS
    ]
    values: dict[str, str | Decimal | None] = {}
    for name in FIELDS:
        value = record.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in REQUIRED_FIELDS:
                found.append(RowError(number, name, "required", f"{name} is required"))
            values[name] = None
        elif isinstance(value, str):
            values[name] = value.strip()
        elif name == AMOUNT and isinstance(value, Decimal | int) and not isinstance(value, bool):
            values[name] = Decimal(value)
        else:
            what = 'a decimal string such as "92.00"' if name == AMOUNT else "text"
            found.append(RowError(number, name, "invalid_type", f"{name} must be {what}"))
            values[name] = None
    code = _text(values[PROCEDURE_CODE])
    modifier = _text(values[MODIFIER])
    place = _text(values[PLACE_OF_SERVICE])
    if code is not None:
        code = code.upper()
        found.extend(RowError(number, *p) for p in _procedure_problems(code))
    if modifier is not None:
        modifier = modifier.upper()
        found.extend(RowError(number, *p) for p in _modifier_problems(modifier))
    if place is not None:
        found.extend(RowError(number, *p) for p in _place_problems(place))
    amount = _amount(number, values[AMOUNT], found)
    start = _date(number, EFFECTIVE_FROM, _text(values[EFFECTIVE_FROM]), found, earliest)
    end = _date(number, EFFECTIVE_TO, _text(values[EFFECTIVE_TO]), found, earliest)
    if start is not None:
        found.extend(RowError(number, *p) for p in _order_problems(start, end))
    if found:
        errors.extend(found)
        return None
    assert code is not None and amount is not None and start is not None  # required, checked
    return FeeScheduleRow(code, modifier, place, amount, start, end)


def _text(value: str | Decimal | None) -> str | None:
    return value if isinstance(value, str) else None


def _amount(number: int, value: str | Decimal | None, found: list[RowError]) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace(",", "").removeprefix("$")
        if not _AMOUNT_TEXT.fullmatch(text):
            found.append(
                RowError(
                    number,
                    AMOUNT,
                    "invalid_amount",
                    "amount must be digits 0-9 with an optional decimal point, such as 92.00",
                )
            )
            return None
        amount = Decimal(text)
    else:
        amount = value
    problems = _amount_problems(amount)
    found.extend(RowError(number, *p) for p in problems)
    return None if problems else amount


def _date(
    number: int, name: str, value: str | None, found: list[RowError], earliest: date | None
) -> date | None:
    """YYYY-MM-DD or CCYYMMDD (ASCII digits, a four-digit year), a real calendar day, not
    before `earliest`."""
    if value is None:
        return None
    day: date | None = None
    match = _ISO_DATE.fullmatch(value) or _X12_DATE.fullmatch(value)
    if match is not None:
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            day = None
    if day is None:
        found.append(
            RowError(
                number,
                name,
                "invalid_date",
                f"{name} is not a real day written YYYY-MM-DD or CCYYMMDD",
            )
        )
        return None
    if earliest is not None and day < earliest:
        found.append(
            RowError(
                number, name, "date_too_early", f"{name} must be on or after {earliest.isoformat()}"
            )
        )
        return None
    return day


# -- field rules, shared by the parsers and FeeScheduleRow -------------------------------

_Problem = tuple[str, str, str]  # field, code, message


def _procedure_problems(code: object) -> list[_Problem]:
    if isinstance(code, str) and _PROCEDURE.fullmatch(code):
        return []
    return [
        (
            PROCEDURE_CODE,
            "invalid_procedure_code",
            "procedureCode is not a CPT (5 digits, or 4 digits and F, T or U) or HCPCS "
            "(a letter and 4 digits) code",
        )
    ]


def _modifier_problems(modifier: object) -> list[_Problem]:
    if modifier is None or (isinstance(modifier, str) and _MODIFIER.fullmatch(modifier)):
        return []
    return [(MODIFIER, "invalid_modifier", "modifier is not 2 letters or digits")]


def _place_problems(place: object) -> list[_Problem]:
    if place is None or (isinstance(place, str) and _PLACE_OF_SERVICE.fullmatch(place)):
        return []
    return [(PLACE_OF_SERVICE, "invalid_place_of_service", "placeOfService is not 2 digits")]


def _amount_problems(amount: object) -> list[_Problem]:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return [(AMOUNT, "invalid_amount", "amount is not a number")]
    if amount <= 0:
        return [(AMOUNT, "amount_not_positive", "amount must be more than 0")]
    if amount > _MAX_AMOUNT:
        return [(AMOUNT, "amount_too_large", f"amount must be at most {_MAX_AMOUNT}")]
    if amount != amount.quantize(_CENT):
        return [(AMOUNT, "too_many_decimals", "amount has more than 2 decimal places")]
    return []


def _order_problems(start: date, end: date | None) -> list[_Problem]:
    if end is None or end >= start:
        return []
    return [
        (
            EFFECTIVE_TO,
            "effective_to_before_from",
            f"effectiveTo {end.isoformat()} is before effectiveFrom {start.isoformat()}",
        )
    ]


def _overlaps(rows: Sequence[tuple[int, FeeScheduleRow]]) -> Iterable[RowError]:
    """One error per row whose period overlaps an earlier row with the same code, modifier
    and place of service: the lookup could not tell which of the two is the contract."""
    seen: dict[tuple[str, str | None, str | None], list[tuple[int, FeeScheduleRow]]] = {}
    for number, row in rows:
        earlier = seen.setdefault(row.key, [])
        clash = next((n for n, other in earlier if _overlap(row, other)), None)
        if clash is not None:
            yield RowError(
                number,
                EFFECTIVE_FROM,
                "overlapping_rows",
                f"{_describe(row)} from {row.effective_from.isoformat()} overlaps row {clash}",
            )
        earlier.append((number, row))


def _overlap(a: FeeScheduleRow, b: FeeScheduleRow) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def _describe(row: FeeScheduleRow) -> str:
    modifier = f"-{row.modifier}" if row.modifier else ""
    place = f" at place of service {row.place_of_service}" if row.place_of_service else ""
    return f"{row.procedure_code}{modifier}{place}"


# -- lookup --------------------------------------------------------------------------------


def contracted_rate(
    versions: Sequence[FeeScheduleVersion],
    *,
    procedure_code: str,
    modifiers: Sequence[str],
    place_of_service: str | None,
    service_date: date,
) -> ContractedRate | None:
    """The per-unit rate for a service (module docstring: newest version with a row in force,
    then the most specific row); None when no version prices it."""
    code = procedure_code.strip().upper()
    billed = [modifier.strip().upper() for modifier in modifiers if modifier.strip()]
    place = place_of_service.strip() if place_of_service else None
    for version in sorted(versions, key=lambda v: (v.version, v.uploaded_at), reverse=True):
        candidates = [
            row
            for row in version.rows
            if row.procedure_code == code
            and row.in_force(service_date)
            and (row.modifier is None or row.modifier in billed)
            and (row.place_of_service is None or row.place_of_service == place)
        ]
        if candidates:
            best = min(
                candidates,
                key=lambda row: (
                    -row.specificity,
                    billed.index(row.modifier) if row.modifier is not None else 0,
                ),
            )
            return ContractedRate(best.amount, version.version, best)
    return None
