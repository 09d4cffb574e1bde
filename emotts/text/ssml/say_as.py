"""``<say-as interpret-as="...">``: the written content -> the words to say (English voices).

Supported ``interpret-as`` values (aliases in brackets): characters [spell-out, verbatim],
cardinal [number], ordinal, digits, date (``format`` one of mdy, dmy, ymd, md, dm, ym, my, y,
m, d), time and telephone. Content that does not fit the type is an error naming the element's
position and the form expected; content is never read "as best we can".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from emotts.errors import SsmlError
from emotts.text.normalize import cardinal, decimal, find_replacements, ordinal, year

LETTER_NAMES = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        [
            "ay",
            "bee",
            "see",
            "dee",
            "ee",
            "eff",
            "gee",
            "aitch",
            "eye",
            "jay",
            "kay",
            "el",
            "em",
            "en",
            "oh",
            "pee",
            "cue",
            "ar",
            "ess",
            "tee",
            "you",
            "vee",
            "double-you",
            "ex",
            "why",
            "zee",
        ],
        strict=True,
    )
)
_DIGIT_NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_SYMBOL_NAMES = {
    "&": "and", "@": "at", "+": "plus", "=": "equals", "%": "percent", "#": "hash",
    "-": "dash", ".": "dot", "/": "slash", "_": "underscore", "*": "star", "$": "dollar",
}  # fmt: skip
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_NAMES = {name.lower()[:3]: number for number, name in enumerate(_MONTHS, start=1)}
DATE_FORMATS = ("mdy", "dmy", "ymd", "md", "dm", "ym", "my", "y", "m", "d")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)?", re.I)
_PHONE = re.compile(r"\+?[\d\s().-]*\d[\d\s().-]*")


def _fail(kind: str, content: str, position: int, expected: str) -> SsmlError:
    return SsmlError(
        f'<say-as interpret-as="{kind}"> at position {position} cannot read {content!r}. '
        f"Accepted: {expected}"
    )


def characters(content: str, position: int, fmt: str | None) -> str:
    words = []
    for ch in content:
        lower = ch.lower()
        if ch.isspace():
            continue
        if lower in LETTER_NAMES:
            words.append(LETTER_NAMES[lower])
        elif ch.isdigit() and ch.isascii():
            words.append(_DIGIT_NAMES[int(ch)])
        elif ch in _SYMBOL_NAMES:
            words.append(_SYMBOL_NAMES[ch])
        else:
            expected = "Latin letters, digits and the symbols " + " ".join(_SYMBOL_NAMES)
            raise _fail("characters", ch, position, expected)
    return " ".join(words)


def number(content: str, position: int, fmt: str | None) -> str:
    text = content.strip()
    if not _NUMBER.fullmatch(text):
        raise _fail("cardinal", text, position, "a number such as 42, -7, 1,234 or 3.5")
    words = decimal(text.lstrip("+-"))
    return f"minus {words}" if text.startswith("-") else words


def ordinal_number(content: str, position: int, fmt: str | None) -> str:
    match = _ORDINAL.fullmatch(content.strip())
    if match is None:
        raise _fail("ordinal", content.strip(), position, "a whole number such as 3 or 3rd")
    return ordinal(match.group(1))


def digits(content: str, position: int, fmt: str | None) -> str:
    text = content.strip()
    if not text or not all(ch.isascii() and ch.isdigit() for ch in text):
        raise _fail("digits", text, position, "digits only, such as 0451")
    return " ".join(_DIGIT_NAMES[int(ch)] for ch in text)


def _month(token: str) -> int | None:
    if token.isdigit():
        return int(token) if 1 <= int(token) <= 12 else None
    return _MONTH_NAMES.get(token.lower()[:3]) if token.isalpha() else None


def date(content: str, position: int, fmt: str | None) -> str:
    text = content.strip()
    fields = [part for part in re.split(r"[\s/.,-]+", text) if part]
    if fmt is None:
        fmt = "ymd" if fields and len(fields[0]) == 4 and len(fields) == 3 else "mdy"
    expected = (
        f"a date in the format {fmt!r} with parts separated by / - . or spaces, "
        "e.g. 12/25/2024 for mdy; months as numbers or names, days 1-31, years as digits"
    )
    if len(fields) != len(fmt):
        raise _fail("date", text, position, expected)
    parts = dict(zip(fmt, fields, strict=True))
    month = _month(parts["m"]) if "m" in parts else None
    day = parts.get("d")
    year_text = parts.get("y")
    if ("m" in parts and month is None) or (
        day is not None and not (day.isdigit() and 1 <= int(day) <= 31)
    ):
        raise _fail("date", text, position, expected)
    if year_text is not None and not year_text.isdigit():
        raise _fail("date", text, position, expected)
    words = []
    if month is not None:
        words.append(_MONTHS[month - 1])
    if day is not None:
        words.append(ordinal(str(int(day))) if month is not None else f"the {ordinal(day)}")
    if year_text is not None:
        words.append(year(year_text) if len(year_text) == 4 else cardinal(year_text))
    return " ".join(words)


def _whole_replacement(kind: str, text: str, position: int, expected: str) -> str:
    replacements = find_replacements(text)
    if len(replacements) != 1 or (replacements[0].start, replacements[0].end) != (0, len(text)):
        raise _fail(kind, text, position, expected)
    return replacements[0].spoken


def time(content: str, position: int, fmt: str | None) -> str:
    text = content.strip()
    if not re.search(r"\d", text) or re.fullmatch(r"\d+", text):
        raise _fail("time", text, position, "a clock time such as 3:30, 14:05, 9:15pm or 3 pm")
    return _whole_replacement("time", text, position, "a clock time such as 3:30pm or 14:05")


def telephone(content: str, position: int, fmt: str | None) -> str:
    text = content.strip()
    if not _PHONE.fullmatch(text):
        raise _fail(
            "telephone", text, position, "digits with optional + ( ) - . and spaces, e.g. 555-0123"
        )
    groups = [group for group in re.split(r"[\s().-]+", text) if group]
    words = []
    for group in groups:
        if group.startswith("+"):
            words.append("plus")
            group = group[1:]
        words.extend(_DIGIT_NAMES[int(ch)] for ch in group)
    return " ".join(words)


INTERPRETERS: dict[str, Callable[[str, int, str | None], str]] = {
    "characters": characters,
    "spell-out": characters,
    "verbatim": characters,
    "cardinal": number,
    "number": number,
    "ordinal": ordinal_number,
    "digits": digits,
    "date": date,
    "time": time,
    "telephone": telephone,
}


def check_format(kind: str, fmt: str | None, position: int) -> None:
    """Only ``date`` takes a format, one of :data:`DATE_FORMATS`."""
    if fmt is None:
        return
    if kind != "date":
        raise SsmlError(
            f'<say-as interpret-as="{kind}"> at position {position} takes no format '
            f'(got {fmt!r}). Accepted: format only with interpret-as="date"'
        )
    if fmt not in DATE_FORMATS:
        raise SsmlError(
            f"<say-as> date format {fmt!r} at position {position} is not supported. "
            f"Accepted: {', '.join(DATE_FORMATS)}"
        )
