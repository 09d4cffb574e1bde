"""Real-world text: dates, URLs, addresses, paths, fractions, units and symbols read aloud."""

from __future__ import annotations

import pytest

from emotts.text.normalize import normalize_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 12/25/2024.", "on December twenty-fifth twenty twenty-four."),
        ("on 25/12/24", "on the twenty-fifth of December twenty-four"),
        ("by 1/5/05", "by January fifth oh five"),
        ("2024/12/25", "December twenty-fifth twenty twenty-four"),
        ("at 3:45 pm", "at three forty-five p m"),
        ("at 10:05", "at ten oh five"),
        (
            "see https://www.example.com/docs?id=5.",
            "see w w w dot example dot com slash docs question mark id equals five.",
        ),
        ("at http://example.org/", "at example dot org"),
        ("mail john.doe@example.com", "mail john dot doe at example dot com"),
        ("run /usr/local/bin/emotts now", "run slash usr slash local slash bin slash emotts now"),
        ("open ~/notes.txt", "open tilde slash notes dot t x t"),
        (
            "C:\\Users\\me\\a.wav here",
            "C drive backslash Users backslash me backslash a dot wav here",
        ),
        ("1/2 cup", "one half cup"),
        ("3/4 done", "three quarters done"),
        ("2 1/2 cups", "two and a half cups"),
        ("½ cup", "one half cup"),
        ("2¾ miles", "two and three quarters miles"),
        ("5/8 inch", "five eighths inch"),
        ("8/10 stars", "eight out of ten stars"),
        ("24/7 support", "twenty-four seven support"),
        ("and/or", "and slash or"),
        ("5 km", "five kilometers"),
        ("1 km", "one kilometer"),
        ("100 km/h", "one hundred kilometers per hour"),
        ("6 ft", "six feet"),
        ("5GB", "five gigabytes"),
        ("3.5 kg", "three point five kilograms"),
        ("20 m²", "twenty square meters"),
        ("₹500", "five hundred rupees"),
        ("50¢", "fifty cents"),
        ("#blessed", "hashtag blessed"),
        ("#1", "number one"),
        ("©2024 ACME™", "copyright two thousand and twenty-four ACME trademark"),
        ("3 × 4 ÷ 2", "three times four divided by two"),
        ("20 °C", "twenty degrees Celsius"),
        ("a+b=c", "a plus b equals c"),
        ("R&D @ home", "R and D at home"),
        ("50% off", "fifty percent off"),
    ],
)
def test_spoken_forms(text, expected):
    assert normalize_text(text) == expected
