"""English number words: cardinals, decimals, ordinals, years, digit strings, month names.

Shared by the normalization rules (`emotts.text.normalize`, `emotts.text.web_forms`).
"""

from __future__ import annotations

from num2words import num2words

# Above this many digits num2words runs out of scale words; such strings are read digit by
# digit, which is also how people read long codes and serial numbers.
_MAX_CARDINAL_DIGITS = 15
_DIGIT_WORDS = [num2words(d) for d in range(10)]


def _clean(words: str) -> str:
    # num2words writes "one million, two hundred": the commas would become pauses.
    return words.replace(",", "")


def digit_by_digit(text: str) -> str:
    """``"007"`` -> ``"zero zero seven"``."""
    return " ".join(_DIGIT_WORDS[int(d)] for d in text)


def cardinal(digits: str) -> str:
    """Words for a string of ASCII digits (leading zeros and very long strings digit-wise)."""
    if len(digits) > _MAX_CARDINAL_DIGITS or (len(digits) > 1 and digits[0] == "0"):
        return digit_by_digit(digits)
    return _clean(num2words(int(digits)))


def decimal(number: str) -> str:
    """Words for ``123``, ``1,234`` or ``3.14`` (fraction read digit by digit)."""
    whole, _, fraction = number.replace(",", "").partition(".")
    words = cardinal(whole) if whole else "zero"
    return f"{words} point {digit_by_digit(fraction)}" if fraction else words


def ordinal(digits: str) -> str:
    if len(digits) > _MAX_CARDINAL_DIGITS:
        return digit_by_digit(digits)
    return _clean(num2words(int(digits), to="ordinal"))


def year(digits: str) -> str:
    return _clean(num2words(int(digits), to="year"))


def plural(words: str) -> str:
    # "nineteen ninety" -> "nineteen nineties", "nineteen hundred" -> "nineteen hundreds".
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
MONTH_BY_PREFIX = {name[:3]: name for name in MONTHS}
