"""English normalization: every rule, plus pass-through for other languages."""

from __future__ import annotations

import pytest

from emotts.text.normalize import find_replacements, normalize_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have 3 cats.", "I have three cats."),
        (
            "1,234,567",
            "one million two hundred and thirty-four thousand five hundred and sixty-seven",
        ),
        ("Pi is 3.14", "Pi is three point one four"),
        ("It was -5 outside", "It was minus five outside"),
        ("Agent 007", "Agent zero zero seven"),
        ("1.2.3", "one dot two dot three"),
        (
            "12345678901234567890",
            " ".join(["one two three four five six seven eight nine zero"] * 2),
        ),
    ],
)
def test_numbers(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the 1st", "the first"),
        ("the 22nd", "the twenty-second"),
        ("the 103rd", "the one hundred and third"),
        ("the 4th", "the fourth"),
    ],
)
def test_ordinals(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$5.20", "five dollars and twenty cents"),
        ("$1", "one dollar"),
        ("$0.50", "fifty cents"),
        ("£3", "three pounds"),
        ("€1m", "one million euros"),
        ("$1.5 million", "one point five million dollars"),
        ("$1,000", "one thousand dollars"),
        ("a $ sign", "a dollars sign"),
    ],
)
def test_currency(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50% off", "fifty percent off"),
        ("-3.5 %", "minus three point five percent"),
        ("in 1999", "in nineteen ninety-nine"),
        ("since 2005", "since two thousand and five"),
        ("the 1990s", "the nineteen nineties"),
        ("the '80s", "the eighties"),
        ("2024-03-05", "March fifth twenty twenty-four"),
        ("March 5th, 2024", "March fifth, twenty twenty-four"),
        ("Sept. 3", "September third"),
        ("Marching 5 bands", "Marching five bands"),
    ],
)
def test_percent_years_dates(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3:30 pm", "three thirty p m"),
        ("14:05", "fourteen oh five"),
        ("14:00", "fourteen hundred"),
        ("3:00", "three o'clock"),
        ("3:00 p.m. sharp", "three p m sharp"),
        ("Meet at 3 p.m.", "Meet at three p m."),
        ("7am", "seven a m"),
    ],
)
def test_times(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith and Mrs. Jones", "mister Smith and missus Jones"),
        ("Dr Who", "doctor Who"),
        ("St. Louis on Main St. today", "saint Louis on Main street today"),
        ("e.g. this vs. that, i.e. none", "for example this versus that, that is none"),
        ("apples, etc. Then", "apples, et cetera. Then"),
        ("I like fruit etc.", "I like fruit et cetera."),
        ("No. 5, but No. I refuse", "number five, but No. I refuse"),
    ],
)
def test_abbreviations(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rock & roll", "rock and roll"),
        ("a&b", "a and b"),
        ("me @ home", "me at home"),
        ("2+2=4", "two plus two equals four"),
        (
            "20°C and 451 °F",
            "twenty degrees Celsius and four hundred and fifty-one degrees Fahrenheit",
        ),
        ("#1", "number one"),
    ],
)
def test_symbols(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_replacements_map_back_to_the_text() -> None:
    text = "Pay $5 on March 5th."
    spans = [(text[r.start : r.end], r.spoken) for r in find_replacements(text)]
    assert spans == [("$5", "five dollars"), ("5th", "fifth")]


def test_replacements_start_and_end_with_letters() -> None:
    text = "$5.20 50% 1st 3:30 pm 2024-03-05 in 1999 Dr. 20°C & +5 #1 1990s 1.2.3 -7"
    for replacement in find_replacements(text):
        assert replacement.spoken[0].isalpha() and replacement.spoken[-1].isalpha()


def test_other_languages_pass_through_except_whitespace() -> None:
    assert normalize_text("Zwölf  3\n Boxkämpfer & Co.  ", "de") == "Zwölf 3 Boxkämpfer & Co."
    assert find_replacements("3 €", "fr-fr") == []
