"""English text normalization: numbers, money, dates, times, abbreviations and symbols -> words.

Normalization is expressed as a list of :class:`Replacement` s (``text[start:end]`` is said as
``spoken``) rather than as a rewritten string, so the frontend can map every spoken word back
to the characters the user wrote. :func:`normalize_text` applies them for callers that only
want the string.

Only English is normalized: number words come from ``num2words`` and the rules (currency
order, "oh five" times, abbreviation expansions) are English. For other languages the text
passes through unchanged except that runs of whitespace become one space; espeak-ng then reads
digits in that language itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from emotts.text import web_forms
from emotts.text.numbers import (
    MONTH_BY_PREFIX,
    MONTHS,
    cardinal,
    decimal,
    ordinal,
    plural,
    year,
)


@dataclass(frozen=True)
class Replacement:
    """``text[start:end]`` is spoken as ``spoken`` (which starts and ends with a letter)."""

    start: int
    end: int
    spoken: str


def is_english(language: str) -> bool:
    return language.lower().startswith("en")


_CURRENCIES = {  # symbol: (singular, plural, cent singular, cent plural)
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₩": ("won", "won", "jeon", "jeon"),
    "₽": ("ruble", "rubles", "kopek", "kopeks"),
}
_SCALES = {
    "k": "thousand", "thousand": "thousand",
    "m": "million", "mn": "million", "million": "million",
    "b": "billion", "bn": "billion", "billion": "billion",
    "trillion": "trillion",
}  # fmt: skip

# Abbreviations that are expanded when followed by a period (titles also without one).
_ABBREVIATIONS = {
    "Mr": "mister", "Mrs": "missus", "Ms": "miz", "Dr": "doctor", "Prof": "professor",
    "Jr": "junior", "Sr": "senior", "Mt": "mount", "Ave": "avenue", "Rd": "road",
    "Gen": "general", "Capt": "captain", "Lt": "lieutenant", "Col": "colonel",
    "Sgt": "sergeant", "Rev": "reverend", "Gov": "governor", "Sen": "senator",
    "Inc": "incorporated", "Ltd": "limited", "Corp": "corporation", "Dept": "department",
    "vs": "versus", "etc": "et cetera", "approx": "approximately", "e.g": "for example",
    "i.e": "that is", "cf": "compare", "St": "street", "No": "number",
}  # fmt: skip
_TITLES_WITHOUT_PERIOD = ("Mr", "Mrs", "Ms", "Dr")
# Abbreviations that (almost) never end a sentence: a period after them is not a full stop.
# Shared with the sentence splitter so both agree.
NON_FINAL_ABBREVIATIONS = frozenset(
    {"Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Mt", "Gen", "Capt", "Lt", "Col", "Sgt", "Rev",
     "Gov", "Sen", "vs", "e.g", "i.e", "cf", "No"}
)  # fmt: skip

_SYMBOLS = {
    "&": "and", "@": "at", "+": "plus", "=": "equals", "%": "percent", "°": "degrees",
    "$": "dollars", "£": "pounds", "€": "euros", "¥": "yen", "<": "less than",
    ">": "greater than", **web_forms.SYMBOL_WORDS,
}  # fmt: skip

_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_MONTH_NAME = "(?:" + "|".join([*MONTHS, "Sept", *MONTH_BY_PREFIX]) + r")\b"
_YEAR_CONTEXT = r"in|In|since|Since|by|from|From|until|till|of|during|During|circa|around|before|after|year|Year"

# One alternation scanned left to right: at each position the first rule that matches wins,
# so specific rules (dates, money) come before general ones (plain numbers).
_RULES: list[tuple[str, str]] = [
    *web_forms.LEADING_RULES,
    ("iso_date", r"\b(?P<iy>[0-9]{4})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12][0-9]|3[01])\b"),
    (
        "month_day",
        rf"\b(?P<mname>{_MONTH_NAME})\.?\s(?P<mday>3[01]|[12][0-9]|0?[1-9])(?P<msuf>st|nd|rd|th)?\b"
        r"(?![0-9:,.]?[0-9])(?:,?\s(?P<myear>[0-9]{4})\b(?![.,:]?[0-9]))?",
    ),
    (
        "time",
        r"\b(?P<th>[01]?[0-9]|2[0-3]):(?P<tm>[0-5][0-9])(?::(?P<ts>[0-5][0-9]))?(?![0-9])"
        r"(?:\s?(?P<tap>[AaPp])\.?[Mm]\b\.?)?",
    ),
    ("clock", r"\b(?P<ch>1[0-2]|0?[1-9])\s?(?P<cap>[AaPp])\.?[Mm]\b\.?"),
    (
        "money",
        r"(?P<cur>[" + "".join(_CURRENCIES) + r"])\s?(?P<amount>" + _NUMBER + r")"
        r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|[kKmMbB])\b)?",
    ),
    ("percent", r"(?P<pneg>(?<![0-9A-Za-z])-)?(?P<pct>" + _NUMBER + r")\s?%"),
    ("degrees", r"(?P<dneg>(?<![0-9A-Za-z])-)?(?P<deg>" + _NUMBER + r")\s?°\s?(?P<unit>[CF]\b)?"),
    ("ordinal", r"\b(?P<ord>[0-9]+)(?:st|nd|rd|th|ST|ND|RD|TH)\b"),
    ("decade", r"(?<![\w'])'?(?P<dec>1[0-9]{3}|20[0-9]{2}|[1-9]0)s\b"),
    ("year", rf"\b(?:{_YEAR_CONTEXT})\s(?P<yr>1[0-9]{{3}}|20[0-9]{{2}})\b(?![.,:]?[0-9])"),
    ("dotted", r"(?<![0-9.])(?P<dotted>[0-9]+(?:\.[0-9]+){2,})(?![0-9])"),
    *web_forms.NUMBER_RULES,
    ("number", r"(?P<neg>(?<![0-9A-Za-z])[-−](?=[0-9]))?(?P<num>" + _NUMBER + r")"),
    ("number_sign", r"#(?=[0-9])"),
    ("abbreviation", r"(?<![\w.])(?P<abbr>" + "|".join(map(re.escape, _ABBREVIATIONS)) + r")\."),
    ("title", r"\b(?P<ttl>" + "|".join(_TITLES_WITHOUT_PERIOD) + r")\b(?=\s[A-Z])"),
    # "<3" on its own is the chat heart, not "less than three" ("x < 3", "x<3" are).
    ("heart", r"(?<![\w<>=])<3+(?![\w<>=]|[.,][0-9])"),
    ("symbol", "[" + re.escape("".join(_SYMBOLS)) + "]"),
]
# Rule groups are prefixed so they cannot clash with the groups inside the rules.
_PATTERN = re.compile("|".join(f"(?P<rule_{name}>{pattern})" for name, pattern in _RULES))

Spans = list[tuple[int, int, str]]


def _whole(match: re.Match[str], spoken: str) -> Spans:
    return [(match.start(), match.end(), spoken)]


def _group(match: re.Match[str], name: str, spoken: str) -> tuple[int, int, str]:
    return (match.start(name), match.end(name), spoken)


def _iso_date(m: re.Match[str], text: str) -> Spans:
    month = MONTHS[int(m["im"]) - 1]
    return _whole(m, f"{month} {ordinal(m['id'])} {year(m['iy'])}")


def _month_day(m: re.Match[str], text: str) -> Spans:
    spans = [(m.start("mday"), m.end("msuf") if m["msuf"] else m.end("mday"), ordinal(m["mday"]))]
    name = m["mname"]
    full = MONTH_BY_PREFIX.get(name[:3])
    if name != full:  # abbreviated ("Mar." or "Sept"): say the full name, period included
        end = m.end("mname") + (1 if text[m.end("mname")] == "." else 0)
        spans.insert(0, (m.start("mname"), end, full))
    if m["myear"]:
        spans.append(_group(m, "myear", year(m["myear"])))
    return spans


def _am_pm(letter: str) -> str:
    return "a m" if letter.lower() == "a" else "p m"


def _trailing_period_kept(m: re.Match[str], text: str, spoken: str, final: bool = True) -> Spans:
    """Replace the match, but leave a final period that also ends the sentence.

    "3 p.m." or "etc." at the end of the text (or, when ``final``, before a capitalized
    word) ends the sentence too; swallowing that period would lose the sentence's prosody.
    """
    end = m.end()
    if text[end - 1] == "." and (
        not text[end:].strip() or (final and re.match(r"\s+[A-Z]", text[end:]))
    ):
        end -= 1
    return [(m.start(), end, spoken)]


def _time(m: re.Match[str], text: str) -> Spans:
    hour, minute = int(m["th"]), m["tm"]
    words = cardinal(str(hour))
    if minute == "00":
        words += "" if m["tap"] else " hundred" if hour > 12 or hour == 0 else " o'clock"
    elif minute[0] == "0":
        words += f" oh {cardinal(minute[1])}"
    else:
        words += f" {cardinal(minute)}"
    if m["ts"]:
        words += f" and {cardinal(str(int(m['ts'])))} seconds"
    if m["tap"]:
        words += f" {_am_pm(m['tap'])}"
    return _trailing_period_kept(m, text, words)


def _clock(m: re.Match[str], text: str) -> Spans:
    return _trailing_period_kept(m, text, f"{cardinal(str(int(m['ch'])))} {_am_pm(m['cap'])}")


def _money(m: re.Match[str], text: str) -> Spans:
    unit, units, cent, cents = _CURRENCIES[m["cur"]]
    amount = m["amount"].replace(",", "")
    if m["scale"]:
        scale = _SCALES[m["scale"].lower()]
        return _whole(m, f"{decimal(amount)} {scale} {units}")
    whole, _, fraction = amount.partition(".")
    if len(fraction) > 2:
        return _whole(m, f"{decimal(amount)} {units}")
    parts = []
    if int(whole) or not fraction:
        parts.append(f"{cardinal(whole)} {unit if int(whole) == 1 else units}")
    if fraction and int(fraction):
        count = int(fraction.ljust(2, "0"))
        parts.append(f"{cardinal(str(count))} {cent if count == 1 else cents}")
    return _whole(m, " and ".join(parts) or f"zero {units}")


def _signed(m: re.Match[str], sign_group: str, number_group: str) -> str:
    words = decimal(m[number_group])
    return f"minus {words}" if m[sign_group] else words


def _percent(m: re.Match[str], text: str) -> Spans:
    return _whole(m, f"{_signed(m, 'pneg', 'pct')} percent")


def _degrees(m: re.Match[str], text: str) -> Spans:
    unit = {"C": " Celsius", "F": " Fahrenheit"}.get(m["unit"] or "", "")
    return _whole(m, f"{_signed(m, 'dneg', 'deg')} degrees{unit}")


def _ordinal(m: re.Match[str], text: str) -> Spans:
    return _whole(m, ordinal(m["ord"]))


def _decade(m: re.Match[str], text: str) -> Spans:
    digits = m["dec"]
    return _whole(m, plural(year(digits) if len(digits) == 4 else cardinal(digits)))


def _year(m: re.Match[str], text: str) -> Spans:
    return [_group(m, "yr", year(m["yr"]))]


def _dotted(m: re.Match[str], text: str) -> Spans:
    # Versions and addresses ("1.2.3", "192.168.0.1") are read part by part.
    return _whole(m, " dot ".join(cardinal(part) for part in m["dotted"].split(".")))


def _number(m: re.Match[str], text: str) -> Spans:
    return _whole(m, _signed(m, "neg", "num"))


def _number_sign(m: re.Match[str], text: str) -> Spans:
    return _whole(m, "number")


def _abbreviation(m: re.Match[str], text: str) -> Spans:
    spoken = _ABBREVIATIONS[m["abbr"]]
    if m["abbr"] == "No" and not re.match(r"\s?[0-9]", text[m.end() :]):
        return []  # "No." without a number after it is the word "no"
    if m["abbr"] == "St":
        spoken = "saint" if re.match(r"\s[A-Z]", text[m.end() :]) else "street"
    final = m["abbr"] not in NON_FINAL_ABBREVIATIONS
    return _trailing_period_kept(m, text, spoken, final)


def _title(m: re.Match[str], text: str) -> Spans:
    return _whole(m, _ABBREVIATIONS[m["ttl"]])


def _symbol(m: re.Match[str], text: str) -> Spans:
    return _whole(m, _SYMBOLS[m.group()])


_HANDLERS: dict[str, Callable[[re.Match[str], str], Spans]] = {
    **web_forms.HANDLERS,
    "iso_date": _iso_date,
    "month_day": _month_day,
    "time": _time,
    "clock": _clock,
    "money": _money,
    "percent": _percent,
    "degrees": _degrees,
    "ordinal": _ordinal,
    "decade": _decade,
    "year": _year,
    "dotted": _dotted,
    "number": _number,
    "number_sign": _number_sign,
    "abbreviation": _abbreviation,
    "title": _title,
    "symbol": _symbol,
    "heart": lambda m, text: _whole(m, "heart"),
}


def find_replacements(text: str, language: str = "en-us") -> list[Replacement]:
    """The non-overlapping, ordered spans of ``text`` that are said differently than written.

    Empty for languages other than English (see the module docstring).
    """
    if not is_english(language):
        return []
    replacements = []
    for match in _PATTERN.finditer(text):
        handler = _HANDLERS[(match.lastgroup or "").removeprefix("rule_")]
        replacements.extend(Replacement(*span) for span in handler(match, text))
    return replacements


def join_spoken(parts: list[str]) -> str:
    """Concatenate pieces, adding a space where two words would otherwise run together."""
    out = ""
    for part in parts:
        if out and part and out[-1].isalnum() and part[0].isalnum():
            out += " "
        out += part
    return out


def normalize_text(text: str, language: str = "en-us") -> str:
    """Text with numbers, money, dates, times, abbreviations and symbols written as words.

    English only; other languages only have their whitespace collapsed.
    """
    parts = []
    position = 0
    for replacement in find_replacements(text, language):
        parts.append(text[position : replacement.start])
        parts.append(replacement.spoken)
        position = replacement.end
    parts.append(text[position:])
    return " ".join(join_spoken(parts).split())
