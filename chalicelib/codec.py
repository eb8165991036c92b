"""Frozen domain dataclasses to JSON and back, by their type hints: the store's one way of
turning a typed claim, its postings, flags and worklist items into item attributes.

Field names are the dataclass's own; money is a Decimal string; dates and datetimes are ISO
8601; enums and literals their value; tuples JSON lists. A field equal to its default is left
out (items stay small, and a field added later with a default reads old items unchanged). An
unknown key or a value of the wrong type is a CodecError naming the path, never a guess.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

Encode = Callable[[Any], Any]
Decode = Callable[[Any, str], Any]


class CodecError(ValueError):
    """A stored value that does not fit its type; `path` says where (`lines[2].charge`)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path or '(value)'}: {message}")


def encode(value: object) -> Any:
    """`value` (a dataclass instance) as JSON-ready data."""
    kind: Any = type(value)
    return _encoder(kind)(value)


def decode(kind: type[T], data: object) -> T:
    """An instance of the dataclass `kind` from what `encode` made of one."""
    hint: Any = kind
    result: T = _decoder(hint)(data, "")
    return result


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def _fail(path: str, expected: str, data: object) -> typing.NoReturn:
    raise CodecError(path, f"expected {expected}, found {type(data).__name__}")


# -- encoders ------------------------------------------------------------------------------


@cache
def _encoder(hint: Any) -> Encode:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _dataclass_encoder(hint)  # type: ignore[arg-type]
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            item = _encoder(inner[0])
            return lambda value: None if value is None else item(value)
        return lambda value: value if value is None else encode(value)
    if origin is tuple:
        item = _encoder(args[0])
        return lambda value: [item(v) for v in value]
    if origin in (dict, Mapping, typing.Mapping) or hint in (dict, Mapping):
        value_encoder = _encoder(args[1]) if args else _identity
        return lambda value: {str(k): value_encoder(v) for k, v in value.items()}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return lambda value: value.value
    if hint is Decimal or hint in (date, datetime):
        return _text
    return _identity


def _identity(value: Any) -> Any:
    return value


def _text(value: Any) -> str:
    return str(value) if isinstance(value, Decimal) else str(value.isoformat())


def _dataclass_encoder(kind: type) -> Encode:
    fields = [(field.name, _encoder(hint), _default_of(field)) for field, hint in _fields(kind)]

    def encode_dataclass(value: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, encode_field, default in fields:
            item = getattr(value, name)
            if default is not _REQUIRED and item == default:
                continue
            out[name] = encode_field(item)
        return out

    return encode_dataclass


# -- decoders ------------------------------------------------------------------------------

_REQUIRED = object()


def _default_of(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return _REQUIRED


def _fields(kind: type) -> list[tuple[dataclasses.Field[Any], Any]]:
    hints = typing.get_type_hints(kind)
    return [(field, hints[field.name]) for field in dataclasses.fields(kind)]


@cache
def _decoder(hint: Any) -> Decode:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)  # type: ignore[arg-type]
    if origin in (typing.Union, types.UnionType):
        return _union_decoder([a for a in args if a is not type(None)], type(None) in args)
    if origin is tuple:
        return _tuple_decoder(args)
    if origin in (dict, Mapping, typing.Mapping) or hint in (dict, Mapping):
        return _mapping_decoder(_decoder(args[1]) if args else _any)
    if origin is typing.Literal:
        return _literal_decoder(args)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_decoder(hint)
    if hint is object:  # plain JSON kept as it came (a result's counts and problems)
        return _any
    simple = _SIMPLE.get(hint)
    if simple is None:
        raise TypeError(f"no codec for {hint!r}")
    return simple


def _any(data: Any, path: str) -> Any:
    return data


def _exactly(kind: type, what: str) -> Decode:
    def check(data: Any, path: str) -> Any:
        if type(data) is not kind:
            _fail(path, what, data)
        return data

    return check


_str, _bool = _exactly(str, "text"), _exactly(bool, "true or false")


def _int(data: Any, path: str) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        if isinstance(data, Decimal) and data == data.to_integral_value():
            return int(data)
        _fail(path, "a whole number", data)
    return data


def _decimal(data: Any, path: str) -> Decimal:
    if not isinstance(data, str):
        _fail(path, "an amount as text", data)
    try:
        amount = Decimal(data)
    except InvalidOperation:
        raise CodecError(path, f"{data!r} is not an amount") from None
    if not amount.is_finite():
        raise CodecError(path, f"{data!r} is not an amount")
    return amount


def _date(data: Any, path: str) -> date:
    try:
        return date.fromisoformat(_str(data, path))
    except ValueError:
        raise CodecError(path, f"{data!r} is not a date") from None


def _datetime(data: Any, path: str) -> datetime:
    try:
        return datetime.fromisoformat(_str(data, path))
    except ValueError:
        raise CodecError(path, f"{data!r} is not a date and time") from None


_SIMPLE: dict[Any, Decode] = {
    str: _str,
    int: _int,
    bool: _bool,
    Decimal: _decimal,
    date: _date,
    datetime: _datetime,
    Any: _any,
}


def _union_decoder(options: list[Any], optional: bool) -> Decode:
    decoders = [_decoder(option) for option in options]

    def decode_union(data: Any, path: str) -> Any:
        if data is None:
            if optional:
                return None
            _fail(path, "a value", data)
        errors: list[CodecError] = []
        for decode_option in decoders:
            try:
                return decode_option(data, path)
            except CodecError as error:
                errors.append(error)
        raise errors[0]

    return decode_union


def _tuple_decoder(args: tuple[Any, ...]) -> Decode:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])

        def decode_items(data: Any, path: str) -> tuple[Any, ...]:
            if not isinstance(data, list):
                _fail(path, "a list", data)
            return tuple(item(value, _join(path, i)) for i, value in enumerate(data))

        return decode_items
    items = [_decoder(arg) for arg in args]

    def decode_fixed(data: Any, path: str) -> tuple[Any, ...]:
        if not isinstance(data, list) or len(data) != len(items):
            _fail(path, f"a list of {len(items)}", data)
        return tuple(d(v, _join(path, i)) for i, (d, v) in enumerate(zip(items, data, strict=True)))

    return decode_fixed


def _mapping_decoder(value_decoder: Decode) -> Decode:
    def decode_mapping(data: Any, path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            _fail(path, "an object", data)
        return {str(k): value_decoder(v, _join(path, str(k))) for k, v in data.items()}

    return decode_mapping


def _literal_decoder(values: tuple[Any, ...]) -> Decode:
    def decode_literal(data: Any, path: str) -> Any:
        if data not in values:
            raise CodecError(path, f"{data!r} is not one of {', '.join(map(str, values))}")
        return data

    return decode_literal


def _enum_decoder(kind: type[enum.Enum]) -> Decode:
    def decode_enum(data: Any, path: str) -> enum.Enum:
        try:
            return kind(data)
        except ValueError:
            raise CodecError(path, f"{data!r} is not a {kind.__name__}") from None

    return decode_enum


def _dataclass_decoder(kind: type) -> Decode:
    fields = [
        (field.name, _decoder(hint), _default_of(field) is _REQUIRED)
        for field, hint in _fields(kind)
        if field.init
    ]
    names = frozenset(name for name, _, _ in fields)

    def decode_dataclass(data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            _fail(path, f"an object ({kind.__name__})", data)
        unknown = data.keys() - names
        if unknown:
            raise CodecError(path, f"unknown field {sorted(unknown)[0]!r} for {kind.__name__}")
        values: dict[str, Any] = {}
        for name, decode_field, required in fields:
            if name in data:
                values[name] = decode_field(data[name], _join(path, name))
            elif required:
                raise CodecError(_join(path, name), "missing")
        try:
            return kind(**values)
        except (TypeError, ValueError) as error:
            raise CodecError(path, f"not a valid {kind.__name__}: {error}") from None

    return decode_dataclass
