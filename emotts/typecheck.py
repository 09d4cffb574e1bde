"""Type checks for values read from JSON files (voice configs, voice.json), with clear errors.

JSON gives numbers, strings, lists and objects of any shape; a config field of the wrong type
would otherwise surface far from the file (a ``TypeError`` deep inside torch or numpy). These
helpers check a value against the few kinds our files use and raise a
:class:`~emotts.errors.ConfigError` naming the file, the dotted key, what was found and what
is accepted.
"""

from __future__ import annotations

import math
import typing
from dataclasses import fields
from pathlib import Path

from emotts.errors import ConfigError


def describe(value: object) -> str:
    """A short description of a JSON value for an error message."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_NAMES = {int: "an integer", float: "a finite number", str: "a string", bool: "true or false"}


def kind_name(kind: object) -> str:
    """How an error message names what ``kind`` accepts."""
    if kind is dict or typing.get_origin(kind) is dict:
        return "a JSON object"
    if typing.get_origin(kind) is list:
        return f"a list, each {kind_name(typing.get_args(kind)[0])}"
    return _NAMES[kind]


def check_value(value: object, kind: object, where: str) -> None:
    """Check ``value`` against ``kind``: int, float, str, bool, dict, or a list of those
    (``list[str]``, ``list[list[float]]``).

    ``where`` names the key (``"path/config.json: model.hidden"``). Floats must be finite;
    ints are accepted where floats are.
    """
    origin = typing.get_origin(kind)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return
    if kind is float and _is_number(value) and math.isfinite(value):
        return
    if kind in (str, bool) and isinstance(value, kind):
        return
    if (kind is dict or origin is dict) and isinstance(value, dict):
        return
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(kind)
        for index, element in enumerate(value):
            check_value(element, item, f"{where}[{index}]")
        return
    raise ConfigError(f"{where} is {describe(value)}; accepted: {kind_name(kind)}")


def check_dataclass_fields(cls: type, values: dict, where: str) -> None:
    """Check each key of ``values`` present in dataclass ``cls`` against its annotation."""
    hints = typing.get_type_hints(cls)
    for spec in fields(cls):
        if spec.name in values:
            check_value(values[spec.name], hints[spec.name], f"{where}{spec.name}")


def check_positive(values: dict, names: typing.Iterable[str], where: str) -> None:
    """Numbers in ``values`` under ``names`` (those present) must be > 0."""
    for name in names:
        if name in values and values[name] <= 0:
            raise ConfigError(f"{where}{name} is {values[name]!r}; accepted: a number > 0")


def graph_file(directory: Path, name: object, where: str) -> Path:
    """A file named in a voice file: a plain name inside ``directory`` that exists."""
    check_value(name, str, where)
    assert isinstance(name, str)
    path = directory / name
    if Path(name).is_absolute() or ".." in Path(name).parts or path.parent != directory:
        raise ConfigError(
            f"{where} is {name!r}; accepted: a file name inside the voice directory {directory}"
        )
    if not path.is_file():
        raise ConfigError(f"{where} names {name!r}, but {path} does not exist")
    return path
