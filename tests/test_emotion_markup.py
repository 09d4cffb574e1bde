"""Inline emotion markup: segments, offsets, entities, nesting and errors."""

from __future__ import annotations

import pytest

from emotts.emotion import EmotionSpec, MarkupSegment, emotion_tag, escape, parse_markup
from emotts.emotion.prosody import SPEED_RANGE, prosody_tag
from emotts.errors import EmottsError, MarkupError

HAPPY = EmotionSpec.label("happy", 1.2)


def test_plain_text_is_one_segment() -> None:
    assert parse_markup("Hello there.") == [MarkupSegment("Hello there.", None, 0)]
    assert parse_markup("") == []


def test_segments_and_starts() -> None:
    text = 'Hi <emotion name="happy" intensity="1.2">there</emotion> you.'
    segments = parse_markup(text)
    assert [(s.text, s.emotion, s.start) for s in segments] == [
        ("Hi ", None, 0),
        ("there", HAPPY, text.index("there")),
        (" you.", None, text.index(" you.")),
    ]
    assert segments[1].end == text.index("</emotion>")


def test_nesting_inner_wins() -> None:
    text = (
        "<emotion mix='happy:0.6,sad:0.4'>a <emotion adv=\"0.7,0.2,-0.5\">b</emotion> c</emotion>"
    )
    outer = EmotionSpec.mix("happy:0.6,sad:0.4")
    inner = EmotionSpec.adv(0.7, 0.2, -0.5)
    assert [(s.text, s.emotion) for s in parse_markup(text)] == [
        ("a ", outer),
        ("b", inner),
        (" c", outer),
    ]


def test_entities_map_back_to_original_offsets() -> None:
    text = 'x <emotion name="sad">a &lt;b&gt; &amp; c</emotion>'
    (_, segment) = parse_markup(text)
    assert segment.text == "a <b> & c"
    for index, char in enumerate(segment.text):
        begin, end = segment.original_span(index, index + 1)
        assert text[begin:end] in (char, escape(char))
        assert segment.original_offset(index) == begin
    assert segment.original_span(2, 5) == (text.index("&lt;"), text.index(" &amp;"))
    assert segment.end == text.index("</emotion>")


def test_literal_ampersand_and_greater_than() -> None:
    (segment,) = parse_markup("AT&T > you")
    assert segment.text == "AT&T > you"


def test_adjacent_and_empty_tags() -> None:
    text = '<emotion name="sad"></emotion><emotion name="angry">x</emotion>'
    assert [(s.text, s.emotion) for s in parse_markup(text)] == [("x", EmotionSpec.label("angry"))]


def test_aliases_whitespace_and_quotes_in_tags() -> None:
    text = "<emotion   name = 'Joy'\n intensity=\" 0.5 \" >x</emotion >"
    assert parse_markup(text)[0].emotion == EmotionSpec.label("happy", 0.5)


def test_emotion_tag_renders_parseable_tags() -> None:
    for spec in (HAPPY, EmotionSpec.mix("happy:0.6,sad:0.4"), EmotionSpec.adv(0.1, 0.2, 0.3)):
        (segment,) = parse_markup(f"{emotion_tag(spec)}x</emotion>")
        assert segment.emotion == spec


def test_segment_default_offsets_and_validation() -> None:
    segment = MarkupSegment("abc", None, 5)
    assert segment.offsets == (5, 6, 7, 8)
    with pytest.raises(ValueError):
        MarkupSegment("abc", None, 5, (5, 6))


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        # "a < b" and "<b>x</b>" are text (tests/test_text_real_world.py); a tag-like word
        # that is neither emotts markup nor a formatting tag is still refused.
        ("a <blink>x</blink>", ["unknown tag '<blink'", "position 2", "&lt;"]),
        ("<Emotion name='happy'>", ["tag names are lower case", "position 0"]),
        ('x <emotion name="happy">y', ["never closed", "position 2"]),
        ("x</emotion>", ["closes no open", "position 1"]),
        ('<emotion name="happy">y</emotion', ["not followed by '>'", "position 32"]),
        ('<emotion name="happy"', ["not closed with '>'", "position 0"]),
        ("<emotion>x</emotion>", ["needs one of name, mix or adv", "position 0"]),
        ('<emotion intensity="1">x</emotion>', ["needs one of name, mix or adv"]),
        ('<emotion nam="happy">', ["unknown attribute 'nam'", "did you mean 'name'", "position 9"]),
        ('<emotion name="a" name="b">', ["'name' is given twice", "position 18"]),
        ('<emotion name="happy" mix="sad:1">', ["both name and mix", "position 27"]),
        ('<emotion name="">x</emotion>', ["value of 'name' is empty", "position 15"]),
        ('<emotion name="  ">x</emotion>', ["is empty"]),
        ("<emotion name=happy>", ["not in quotes", "position 14"]),
        ('<emotion name="happy>x', ["no closing", "position 14"]),
        ("<emotion name>x", ["has no '=\"value\"'", "position 13"]),
        ('<emotion name="happy"intensity="1">', ["separated by whitespace", "position 21"]),
        ('<emotion name="happy"/>', ["self-closing", "position 21"]),
        ('<emotion name="happy" ?>', ["unexpected '?'", "position 22"]),
        ('<emotion name="hapy">x</emotion>', ["unknown emotion label 'hapy'", "position 15"]),
        ('<emotion name="happy:1,sad:1">x</emotion>', ["use mix=", "position 15"]),
        ("<emotion mix='happy:0.5,sad:-1'>x</emotion>", ["negative", "position 28"]),
        ('ok <emotion mix="happy:1,joy:1">x</emotion>', ["twice", "position 25"]),
        ('<emotion adv="1,1">x</emotion>', ["2 components", "position 14"]),
        ('<emotion adv="0,0,2">x</emotion>', ["valence 2.0 is outside", "position 18"]),
        ('<emotion name="sad" intensity="3">x</emotion>', ["intensity 3.0", "position 31"]),
        ('<emotion name="sad" intensity="x">x</emotion>', ["not a number", "position 31"]),
        ("&quot;", ["unknown entity '&quot;'", "position 0", "&lt;"]),
    ],
)
def test_markup_errors(text: str, fragments: list[str]) -> None:
    with pytest.raises(MarkupError) as info:
        parse_markup(text)
    assert isinstance(info.value, EmottsError)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert "Accepted" in str(info.value)


def test_non_string_input() -> None:
    with pytest.raises(MarkupError, match="must be a string"):
        parse_markup(None)  # type: ignore[arg-type]


# <prosody rate="..."> spans ------------------------------------------------------------------

SAD = EmotionSpec.label("sad")


def _runs(text: str) -> list[tuple[str, EmotionSpec | None, float]]:
    return [(s.text, s.emotion, s.rate) for s in parse_markup(text)]


def test_prosody_segments_carry_their_rate() -> None:
    text = 'Well, <prosody rate="0.8">take your time</prosody>.'
    segments = parse_markup(text)
    assert [(s.text, s.emotion, s.rate, s.start) for s in segments] == [
        ("Well, ", None, 1.0, 0),
        ("take your time", None, 0.8, text.index("take")),
        (".", None, 1.0, text.index("</prosody>") + len("</prosody>")),
    ]
    assert segments[1].end == text.index("</prosody>")
    assert MarkupSegment("x", None, 0).rate == 1.0


def test_prosody_inside_emotion() -> None:
    text = '<emotion name="sad">a <prosody rate="0.7">b</prosody> c</emotion>'
    assert _runs(text) == [("a ", SAD, 1.0), ("b", SAD, 0.7), (" c", SAD, 1.0)]


def test_emotion_inside_prosody() -> None:
    text = "<prosody rate='2'>a <emotion name=\"sad\">b</emotion> c</prosody> d"
    assert _runs(text) == [("a ", None, 2.0), ("b", SAD, 2.0), (" c", None, 2.0), (" d", None, 1.0)]


def test_nested_prosody_multiplies_and_emotion_innermost_wins() -> None:
    text = (
        '<prosody rate="0.5"><emotion name="happy" intensity="1.2">a '
        '<prosody rate=" 0.5 "><emotion name="sad">b</emotion> c</prosody></emotion>'
        "</prosody>"
    )
    assert _runs(text) == [("a ", HAPPY, 0.5), ("b", SAD, 0.25), (" c", HAPPY, 0.25)]


def test_prosody_range_edges_and_tag_helper() -> None:
    low, high = SPEED_RANGE
    for rate in (low, 1.0, 0.8, high):
        (segment,) = parse_markup(f"{prosody_tag(rate)}x</prosody>")
        assert segment.rate == rate


def test_speed_range_is_shared_with_the_global_speed_control() -> None:
    from emotts.synthesis import controls

    assert controls.SPEED_RANGE == SPEED_RANGE


def test_segment_rate_validation() -> None:
    assert MarkupSegment("x", None, 0, (), 0.5).rate == 0.5
    for bad in (0.0, -1.0, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError):
            MarkupSegment("x", None, 0, rate=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            '<emotion name="sad">a<prosody rate="0.5">b</emotion>c</prosody>',
            ["</emotion> at position 42", "<emotion> opened at position 0"]
            + ["<prosody> opened at position 21", "close </prosody> first"],
        ),
        (
            '<prosody rate="0.5">a<emotion name="sad">b</prosody>c</emotion>',
            ["</prosody> at position 42", "<prosody> opened at position 0"]
            + ["<emotion> opened at position 21", "close </emotion> first"],
        ),
    ],
)
def test_crossing_tags_name_both(text: str, fragments: list[str]) -> None:
    with pytest.raises(MarkupError) as info:
        parse_markup(text)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert "Accepted: properly nested" in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("<prosody>x</prosody>", ["needs a rate", "position 0"]),
        ('<prosody rate="1" rate="2">x</prosody>', ["'rate' is given twice", "position 18"]),
        ('<prosody rat="1">x</prosody>', ["unknown attribute 'rat'", "'rate'", "position 9"]),
        ('<prosody rate="1" pitch="2">x', ["unknown attribute 'pitch'", "position 18", ": rate"]),
        ('<prosody name="sad">x</prosody>', ["unknown attribute 'name'", "position 9"]),
        ('<emotion name="sad" rate="1">x</emotion>', ["unknown attribute 'rate'", "position 20"]),
        ('<prosody rate="fast">x</prosody>', ["'fast' is not a number", "position 15"]),
        ('<prosody rate="80%">x</prosody>', ["'80%' is not a number", "position 15"]),
        ('<prosody rate="nan">x</prosody>', ["finite number", "'nan'", "position 15"]),
        ('<prosody rate="inf">x</prosody>', ["finite number", "'inf'", "position 15"]),
        ('<prosody rate="1e999">x</prosody>', ["too large", "position 15"]),
        ('<prosody rate="5">x</prosody>', ["rate 5.0 is outside [0.25, 4]", "position 15"]),
        ('<prosody rate="0.2">x</prosody>', ["rate 0.2 is outside [0.25, 4]", "position 15"]),
        ('<prosody rate="0">x</prosody>', ["is outside", "position 15"]),
        ('<prosody rate="-1">x</prosody>', ["is outside", "position 15"]),
        ('<prosody rate="">x</prosody>', ["value of 'rate' is empty", "position 15"]),
        ("<prosody rate=1>x</prosody>", ["not in quotes", "position 14"]),
        ('<prosody rate="1">x', ["<prosody> tag is never closed", "position 0"]),
        ('a <prosody rate="1"><emotion name="sad">x', ["<emotion> tag is never closed"]),
        ("x</prosody>", ["</prosody> closes no open <prosody> tag", "position 1"]),
        ('<prosody rate="1">x</emotion>', ["</emotion> closes no open <emotion>", "position 19"]),
        ('<prosody rate="1">x</prosody', ["</prosody is not followed by '>'", "position 28"]),
        ('<prosody rate="1"', ["<prosody> tag is not closed with '>'", "position 0"]),
        ('<prosody rate="1"/>', ["self-closing <prosody/>", "position 17"]),
        ('<prosody rate="1" ?>', ["unexpected '?' inside <prosody>", "position 18"]),
        ('<Prosody rate="1">x</Prosody>', ["tag names are lower case", "position 0"]),
        ('<prosodyx rate="1">', ["unknown tag '<prosodyx'", "<prosody rate="]),
    ],
)
def test_prosody_errors(text: str, fragments: list[str]) -> None:
    with pytest.raises(MarkupError) as info:
        parse_markup(text)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message
    assert "Accepted" in message
