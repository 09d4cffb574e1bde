"""Normalization rules for text from the web, chat and subtitles (English).

URLs, e-mail addresses and file paths are read the way people read them aloud ("example
dot com slash docs", "john dot doe at example dot com"); dates with slashes follow the US
order unless the first number cannot be a month; fractions, units after numbers, and the
symbols of everyday writing get their spoken forms. `emotts.text.normalize` merges these
rules into its own alternation (``LEADING_RULES`` before its rules, ``NUMBER_RULES`` before
its plain numbers) and ``SYMBOL_WORDS`` into its symbol table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from fractions import Fraction

from emotts.text.numbers import MONTHS, cardinal, decimal, digit_by_digit, ordinal, year

Spans = list[tuple[int, int, str]]

# Separators inside URLs, e-mail addresses and paths, as they are said.
_SEPARATOR_WORDS = {
    ".": "dot", "/": "slash", "\\": "backslash", "-": "dash", "_": "underscore",
    "?": "question mark", "=": "equals", "&": "and", "#": "hash", ":": "colon",
    "%": "percent", "~": "tilde", "+": "plus", "@": "at",
}  # fmt: skip
_VOWELS = set("aeiouyAEIOUY")

SYMBOL_WORDS = {
    "/": "slash", "×": "times", "÷": "divided by", "±": "plus or minus", "©": "copyright",
    "®": "registered", "™": "trademark", "§": "section", "¶": "paragraph",
    "²": "squared", "³": "cubed", "₹": "rupees", "₩": "won", "₽": "rubles", "¢": "cents",
}  # fmt: skip

_UNITS = {  # written: (singular, plural)
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "km": ("kilometer", "kilometers"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "m": ("meter", "meters"),
    "mi": ("mile", "miles"), "ft": ("foot", "feet"),
    "kg": ("kilogram", "kilograms"), "mg": ("milligram", "milligrams"), "g": ("gram", "grams"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"),
    "l": ("liter", "liters"), "L": ("liter", "liters"),
    "KB": ("kilobyte", "kilobytes"), "kB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"), "GHz": ("gigahertz", "gigahertz"),
    "kW": ("kilowatt", "kilowatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "W": ("watt", "watts"), "V": ("volt", "volts"),
    "ms": ("millisecond", "milliseconds"), "sec": ("second", "seconds"),
    "min": ("minute", "minutes"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
}  # fmt: skip
_POWERS = {"²": "square", "³": "cubic"}
_FRACTION_CHARS = "".join(
    chr(c) for c in range(0xA0, 0x2190) if unicodedata.name(chr(c), "").startswith("VULGAR")
)
_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_UNIT_NAMES = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
# A path component: word characters with inner dots ("notes.txt"), never a final period.
_COMPONENT = r"[\w-]+(?:\.[\w-]+)*"
# A URL or address ends before trailing sentence punctuation.
_TAIL = r"[^\s<>\"'.,;:!?)\]’”]"

LEADING_RULES: list[tuple[str, str]] = [
    ("url", rf"\b(?:https?://|www\.)[^\s<>\"]*{_TAIL}"),
    ("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b"),
    (
        "unix_path",
        rf"(?<![\w/.~])(?:~|\.{{1,2}})?(?:/{_COMPONENT}){{2,}}/?|(?<![\w/.])~(?:/{_COMPONENT})+",
    ),
    ("windows_path", rf"\b(?P<drive>[A-Za-z]):\\(?:{_COMPONENT}\\?)*"),
    ("hashtag", r"#(?=[A-Za-z])"),
    ("slash_date", r"\b(?P<sda>[0-9]{1,4})/(?P<sdb>[0-9]{1,2})/(?P<sdc>[0-9]{4}|[0-9]{2})\b"),
]
NUMBER_RULES: list[tuple[str, str]] = [
    (
        "fraction",
        r"(?<![0-9/.])(?:(?P<fwhole>[0-9]+)\s)?(?P<fnum>[0-9]+)/(?P<fden>[0-9]+)(?![0-9/])"
        rf"|(?P<uwhole>[0-9]+)?(?P<uchar>[{_FRACTION_CHARS}])",
    ),
    (
        "unit",
        rf"(?<![\w.])(?P<uamount>{_NUMBER})\s?(?P<uname>{_UNIT_NAMES})(?P<upower>[²³])?"
        r"(?![\w/])",
    ),
]


def _spell(token: str) -> str:
    """An alphanumeric run inside an address: a word, a number, or letters spelled out."""
    if token.isdigit():
        return cardinal(token) if len(token) <= 4 else digit_by_digit(token)
    if token.lower() == "www" or (len(token) <= 4 and not _VOWELS & set(token)):
        return " ".join(token.lower())  # "www", "cdn", "pdf": said letter by letter
    return token


def read_address(text: str) -> str:
    """``example.com/docs?id=5`` -> ``example dot com slash docs question mark id equals five``."""
    words = []
    for token in re.findall(r"[A-Za-z]+|[0-9]+|[^A-Za-z0-9]", text):
        if token[0].isalnum():
            words.append(_spell(token))
        elif token in _SEPARATOR_WORDS:
            words.append(_SEPARATOR_WORDS[token])
        elif not token.isspace():
            words.append(unicodedata.name(token, "symbol").lower())
    return " ".join(words)


def _url(m: re.Match[str], text: str) -> Spans:
    # The scheme is not read aloud ("example dot com", not "h t t p s colon slash slash").
    address = re.sub(r"^https?://", "", m.group()).rstrip("/")
    return [(m.start(), m.end(), read_address(address))]


def _address(m: re.Match[str], text: str) -> Spans:
    return [(m.start(), m.end(), read_address(m.group().rstrip("/")))]


def _windows_path(m: re.Match[str], text: str) -> Spans:
    rest = m.group()[3:].rstrip("\\")
    spoken = f"{m['drive'].upper()} drive"
    return [(m.start(), m.end(), f"{spoken} backslash {read_address(rest)}" if rest else spoken)]


def _hashtag(m: re.Match[str], text: str) -> Spans:
    return [(m.start(), m.end(), "hashtag")]


def _two_digit_year(digits: str) -> str:
    return (
        year(digits)
        if len(digits) == 4
        else f"oh {cardinal(digits[1])}"
        if digits[0] == "0"
        else cardinal(digits)
    )


def _slash_date(m: re.Match[str], text: str) -> Spans:
    a, b, c = m["sda"], m["sdb"], m["sdc"]
    if len(a) == 4 and 1 <= int(b) <= 12 and 1 <= int(c) <= 31 and len(c) == 2:
        return [(m.start(), m.end(), f"{MONTHS[int(b) - 1]} {ordinal(c)} {year(a)}")]
    if len(a) > 2:
        return []
    first, second = int(a), int(b)
    if 1 <= first <= 12 and 1 <= second <= 31:  # US order: month/day/year
        spoken = f"{MONTHS[first - 1]} {ordinal(b)} {_two_digit_year(c)}"
    elif 1 <= second <= 12 and 1 <= first <= 31:  # the first cannot be a month: day/month
        spoken = f"the {ordinal(a)} of {MONTHS[second - 1]} {_two_digit_year(c)}"
    else:
        return []
    return [(m.start(), m.end(), spoken)]


_DENOMINATORS = {2: ("half", "halves"), 4: ("quarter", "quarters")}
# Denominators read as fractions ("5/8" five eighths); others are scores ("8/10" eight out of
# ten), which is how they are mostly meant.
_FRACTION_DENOMINATORS = {2, 3, 4, 5, 6, 8, 12, 16, 32, 64}
_SAYINGS = {(24, 7): "twenty-four seven", (50, 50): "fifty fifty", (9, 11): "nine eleven"}


def fraction_words(numerator: int, denominator: int) -> str:
    """3/4 -> "three quarters", 1/2 -> "one half", 5/8 -> "five eighths"."""
    singular, many = _DENOMINATORS.get(denominator, (None, None))
    if singular is None:
        singular = ordinal(str(denominator))
        many = singular + "s"
    return f"{cardinal(str(numerator))} {singular if numerator == 1 else many}"


def _with_whole(whole: str | None, numerator: int, denominator: int) -> str:
    if not whole:
        return fraction_words(numerator, denominator)
    part = "a" if numerator == 1 else cardinal(str(numerator))
    singular, many = _DENOMINATORS.get(denominator, (None, None))
    name = (singular if numerator == 1 else many) or fraction_words(numerator, denominator).split(
        " ", 1
    )[1]
    return f"{cardinal(whole)} and {part} {name}"


def _fraction(m: re.Match[str], text: str) -> Spans:
    if m["uchar"]:
        value = Fraction(unicodedata.numeric(m["uchar"])).limit_denominator(16)
        spoken = _with_whole(m["uwhole"], value.numerator, value.denominator)
        return [(m.start(), m.end(), spoken)]
    numerator, denominator = int(m["fnum"]), int(m["fden"])
    if not m["fwhole"] and (numerator, denominator) in _SAYINGS:
        return [(m.start(), m.end(), _SAYINGS[numerator, denominator])]
    if denominator == 0:
        return [(m.start("fnum"), m.end(), f"{cardinal(m['fnum'])} slash zero")]
    if numerator < denominator and denominator in _FRACTION_DENOMINATORS:
        return [(m.start(), m.end(), _with_whole(m["fwhole"], numerator, denominator))]
    # Scores and ratios ("8/10", "50/50") rather than fractions.
    join = "out of" if numerator <= denominator else "to"
    start = m.start("fnum")
    return [(start, m.end(), f"{decimal(m['fnum'])} {join} {decimal(m['fden'])}")]


def _unit(m: re.Match[str], text: str) -> Spans:
    amount = m["uamount"]
    singular, many = _UNITS[m["uname"]]
    name = singular if amount.replace(",", "") in {"1", "1.0"} else many
    if m["upower"]:
        name = f"{_POWERS[m['upower']]} {name}"
    return [(m.start(), m.end(), f"{decimal(amount)} {name}")]


HANDLERS: dict[str, Callable[[re.Match[str], str], Spans]] = {
    "url": _url,
    "email": _address,
    "unix_path": _address,
    "windows_path": _windows_path,
    "hashtag": _hashtag,
    "slash_date": _slash_date,
    "fraction": _fraction,
    "unit": _unit,
}
