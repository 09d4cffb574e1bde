"""The SSML reader: elements, every value form, positions, errors, lenient mode, safety."""

from __future__ import annotations

import math

import pytest

from emotts.emotion.markup import parse_markup
from emotts.emotion.spec import EmotionSpec
from emotts.errors import EmottsError, MarkupError, SsmlError, TextError
from emotts.text.marked import BreakEvent, MarkEvent
from emotts.text.ssml import EMOTTS_NAMESPACE, PitchReference, looks_like_ssml, parse_ssml

# A voice whose mean F0 is 200 Hz and whose log-F0 spread is 4 semitones.
PITCH = PitchReference(200.0, 4.0)
EMO = f'xmlns:emotts="{EMOTTS_NAMESPACE}"'


def _read(body: str, **options):
    return parse_ssml(f"<speak {EMO}>{body}</speak>", pitch=PITCH, **options)


def _only_words(body: str):
    """The one segment that carries words (whitespace-only segments left out)."""
    [segment] = [s for s in _read(body).segments if s.text.strip()]
    return segment


def test_detection() -> None:
    assert looks_like_ssml("  <speak>Hi</speak>")
    assert looks_like_ssml('<?xml version="1.0"?><speak>Hi</speak>')
    assert looks_like_ssml("<speak\nversion='1.1'>Hi</speak>")
    assert not looks_like_ssml("<speaker>Hi</speaker>")
    assert not looks_like_ssml('I <emotion name="happy">am</emotion>')


def test_text_offsets_point_into_the_input_entities_included() -> None:
    text = f"<speak {EMO}>Tom &amp; Jerry&#233;\r\nnext <![CDATA[a&b]]></speak>"
    marked = parse_ssml(text)
    joined = "".join(s.text for s in marked.segments)
    assert joined == "Tom & Jerryé\nnext a&b"
    offsets = [o for s in marked.segments for o in s.offsets[:-1]]
    assert text[offsets[joined.index("&")] : offsets[joined.index("&")] + 5] == "&amp;"
    assert text[offsets[joined.index("é")]] == "&"
    assert text[offsets[joined.index("J")]] == "J"
    assert text[offsets[joined.index("n")]] == "n"
    assert text[offsets[joined.rindex("&")]] == "&"  # literal inside CDATA


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("x-slow", 0.5),
        ("slow", 0.75),
        ("medium", 1.0),
        ("default", 1.0),
        ("fast", 1.5),
        ("x-fast", 2.0),
        ("80%", 0.8),
        ("+20%", 1.2),
        ("-20%", 0.8),
        ("1.5", 1.5),
    ],
)
def test_rate_forms(value: str, rate: float) -> None:
    assert _only_words(f'<prosody rate="{value}">go</prosody>').rate == pytest.approx(rate)


@pytest.mark.parametrize(
    ("value", "semitones"),
    [
        ("x-low", -6.0),
        ("low", -3.0),
        ("medium", 0.0),
        ("high", 3.0),
        ("x-high", 6.0),
        ("+4st", 4.0),
        ("-2.5st", -2.5),
        ("+10%", 12 * math.log2(1.1)),
        ("-10%", 12 * math.log2(0.9)),
        ("110%", 12 * math.log2(1.1)),
        ("+20Hz", 12 * math.log2(220 / 200)),
        ("-50Hz", 12 * math.log2(150 / 200)),
        ("300Hz", 12 * math.log2(300 / 200)),
    ],
)
def test_pitch_forms(value: str, semitones: float) -> None:
    segment = _only_words(f'<prosody pitch="{value}">go</prosody>')
    assert segment.pitch_shift == pytest.approx(semitones)


@pytest.mark.parametrize(
    ("value", "factor"),
    [
        ("x-low", 0.25),
        ("low", 0.5),
        ("high", 1.5),
        ("x-high", 2.0),
        ("+50%", 1.5),
        ("-50%", 0.5),
        ("150%", 1.5),
        ("+2st", 6 / 4),
        ("-2st", 2 / 4),
        # The voice's range in Hz is 200 * (2^(4/12) - 1) = 51.98 Hz.
        ("+20Hz", 12 * math.log2((200 + 51.984 + 20) / 200) / 4),
        ("40Hz", 12 * math.log2(240 / 200) / 4),
    ],
)
def test_range_forms(value: str, factor: float) -> None:
    segment = _only_words(f'<prosody range="{value}">go</prosody>')
    assert segment.pitch_range == pytest.approx(factor, rel=1e-3)


@pytest.mark.parametrize(
    ("value", "decibels"),
    [
        ("x-soft", -12.0),
        ("soft", -6.0),
        ("medium", 0.0),
        ("loud", 4.0),
        ("x-loud", 8.0),
        ("-6dB", -6.0),
        ("+3.5dB", 3.5),
        ("+10%", 20 * math.log10(1.1)),
        ("-50%", 20 * math.log10(0.5)),
        ("50%", 20 * math.log10(0.5)),
        ("25", 20 * math.log10(0.25)),
    ],
)
def test_volume_forms(value: str, decibels: float) -> None:
    segment = _only_words(f'<prosody volume="{value}">go</prosody>')
    assert 20 * math.log10(segment.volume) == pytest.approx(decibels)


def test_silent_volume_and_nesting() -> None:
    assert _only_words('<prosody volume="silent">go</prosody>').volume == 0.0
    nested = _only_words(
        '<prosody rate="0.5" pitch="+2st" volume="-6dB" range="200%">'
        '<prosody rate="0.5" pitch="+1st" volume="-6dB" range="50%">go</prosody></prosody>'
    )
    assert nested.rate == pytest.approx(0.25)
    assert nested.pitch_shift == pytest.approx(3.0)
    assert 20 * math.log10(nested.volume) == pytest.approx(-12.0)
    assert nested.pitch_range == pytest.approx(1.0)


def test_emphasis_levels_add_pitch_loudness_and_slowness() -> None:
    strong = _only_words('<emphasis level="strong">go</emphasis>')
    moderate = _only_words("<emphasis>go</emphasis>")
    reduced = _only_words('<emphasis level="reduced">go</emphasis>')
    none = _only_words('<emphasis level="none">go</emphasis>')
    assert strong.pitch_shift > moderate.pitch_shift > none.pitch_shift == 0 > reduced.pitch_shift
    assert strong.volume > moderate.volume > none.volume == 1.0 > reduced.volume
    assert strong.rate < moderate.rate < none.rate == 1.0 < reduced.rate


def test_breaks_and_marks_are_events_at_plain_text_positions() -> None:
    marked = _read(
        'One <break time="500ms"/>two<break time="1.5s"/> <break strength="x-weak"/>'
        '<break/><mark name="here"/>three <break strength="none"/>'
    )
    plain = "".join(s.text for s in marked.segments)
    breaks = [e for e in marked.events if isinstance(e, BreakEvent)]
    assert [b.seconds for b in breaks] == [0.5, 1.5, 0.1, 0.4, 0.0]
    [mark] = [e for e in marked.events if isinstance(e, MarkEvent)]
    assert mark.name == "here"
    assert plain[: breaks[0].position] == "One "
    assert plain[: breaks[1].position] == "One two"
    assert plain[mark.position :].startswith("three")
    # time wins over strength, as SSML says
    [both] = _read('a<break time="2s" strength="weak"/>b').events
    assert both.seconds == 2.0


def test_break_positions_name_the_tag() -> None:
    text = '<speak>Hi <break time="250ms"/> there</speak>'
    [event] = parse_ssml(text).events
    assert text[event.start : event.end] == '<break time="250ms"/>'


def test_say_as_sub_and_phoneme_fix_the_reading() -> None:
    cases = {
        '<say-as interpret-as="characters">AB1</say-as>': "ay bee one",
        '<say-as interpret-as="spell-out">ok</say-as>': "oh kay",
        '<say-as interpret-as="cardinal">1,234</say-as>': "one thousand two hundred and thirty-four",
        '<say-as interpret-as="cardinal">-7</say-as>': "minus seven",
        '<say-as interpret-as="ordinal">21</say-as>': "twenty-first",
        '<say-as interpret-as="ordinal">3rd</say-as>': "third",
        '<say-as interpret-as="digits">0451</say-as>': "zero four five one",
        '<say-as interpret-as="date" format="mdy">12/25/2024</say-as>': (
            "December twenty-fifth twenty twenty-four"
        ),
        '<say-as interpret-as="date" format="dmy">25.12.2024</say-as>': (
            "December twenty-fifth twenty twenty-four"
        ),
        '<say-as interpret-as="date" format="ymd">2024-03-05</say-as>': (
            "March fifth twenty twenty-four"
        ),
        '<say-as interpret-as="date" format="md">Mar 5</say-as>': "March fifth",
        '<say-as interpret-as="date" format="y">1999</say-as>': "nineteen ninety-nine",
        '<say-as interpret-as="date">2024-03-05</say-as>': "March fifth twenty twenty-four",
        '<say-as interpret-as="time">3:30pm</say-as>': "three thirty p m",
        '<say-as interpret-as="time">14:05</say-as>': "fourteen oh five",
        '<say-as interpret-as="telephone">+1 (555) 010-0123</say-as>': (
            "plus one five five five zero one zero zero one two three"
        ),
        '<sub alias="World Wide Web Consortium">W3C</sub>': "World Wide Web Consortium",
        '<sub alias="2 cats">x</sub>': "two cats",
    }
    for body, spoken in cases.items():
        assert _only_words(body).spoken == spoken, body
    phoneme = _only_words('<phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme>')
    assert (phoneme.phonemes, phoneme.text) == ("təˈmɑːtoʊ", "tomato")
    assert _only_words('<phoneme ph="ˈhaɪ">hi</phoneme>').phonemes == "ˈhaɪ"


def test_emotion_extension_and_language() -> None:
    segment = _only_words('<emotts:emotion name="happy" intensity="1.5">yes</emotts:emotion>')
    assert segment.emotion == EmotionSpec.label("happy", intensity=1.5)
    inner = _only_words(
        '<emotts:emotion mix="happy:0.5,sad:0.5"><emotts:emotion adv="0.1,0.2,0.3">x'
        "</emotts:emotion></emotts:emotion>"
    )
    assert inner.emotion == EmotionSpec.adv(0.1, 0.2, 0.3)
    assert _only_words('<lang xml:lang="fr-FR">bonjour</lang>').language == "fr-fr"
    assert _only_words('<lang xml:lang="de">hallo</lang>').language == "de"
    assert _only_words('<lang xml:lang="en-US">hello</lang>').language is None
    assert _only_words('<s xml:lang="en">hello</s>').language is None


def test_p_and_s_end_sentences() -> None:
    marked = _read("<p><s>One</s><s>two</s></p>")
    assert "".join(s.text for s in marked.segments).split("\n\n") == [
        "",
        "",
        "One",
        "",
        "two",
        "",
        "",
    ]


def test_text_without_speak_is_wrapped_with_offsets_of_the_input() -> None:
    text = 'Wait <break time="1s"/> now'
    marked = parse_ssml(text)
    assert text[marked.events[0].start : marked.events[0].end] == '<break time="1s"/>'
    assert [s.start for s in marked.segments] == [0, text.index(" now")]


def _error(body: str, **options) -> str:
    with pytest.raises(EmottsError) as caught:
        _read(body, **options)
    return str(caught.value)


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        (
            "<voice name='x'>hi</voice>",
            ["unsupported element <voice>", "position 33", "Supported:"],
        ),
        ("<audio src='a.wav'>hi</audio>", ["<audio>", "--ssml-lenient"]),
        ("<emotts:other>hi</emotts:other>", ["emotts namespace has only <emotion>"]),
        ("<emotion name='happy'>hi</emotion>", ["xmlns:emotts"]),
        ("<prosody contour='(0%,+20Hz)'>hi</prosody>", ["'contour'", "rate, pitch, range, volume"]),
        ("<prosody rate='fastest'>hi</prosody>", ["rate 'fastest'", "position 48", "x-slow"]),
        ("<prosody rate='10'>hi</prosody>", ["outside [0.25, 4]"]),
        ("<prosody pitch='+30st'>hi</prosody>", ["outside [-24, 24]"]),
        ("<prosody pitch='4st'>hi</prosody>", ["pitch '4st'", "+2st"]),
        ("<prosody pitch='-200Hz'>hi</prosody>", ["0 Hz"]),
        ("<prosody volume='6dB'>hi</prosody>", ["needs a sign"]),
        ("<prosody volume='+40dB'>hi</prosody>", ["outside [-60, 20]"]),
        ("<prosody range='-200%'>hi</prosody>", ["outside [0, 4]"]),
        ("<break time='5 parsecs'/>", ["break time"]),
        ("<break time='-1s'/>", ["break time"]),
        ("<break strength='huge'/>", ["break strength", "x-weak"]),
        ("<break time='1s'>no</break>", ["must be empty"]),
        ("<emphasis level='loud'>x</emphasis>", ["emphasis level", "strong, moderate"]),
        ("<say-as>12</say-as>", ["needs a interpret-as"]),
        ("<say-as interpret-as='digits'>12a</say-as>", ["digits", "'12a'"]),
        ("<say-as interpret-as='date' format='mdy'>13/45/2000</say-as>", ["date", "mdy"]),
        ("<say-as interpret-as='date' format='qq'>1</say-as>", ["format 'qq'"]),
        ("<say-as interpret-as='digits' format='mdy'>1</say-as>", ["takes no format"]),
        ("<say-as interpret-as='cardinal'>many</say-as>", ["cardinal"]),
        ("<say-as interpret-as='time'>soon</say-as>", ["time"]),
        ("<say-as interpret-as='telephone'>call me</say-as>", ["telephone"]),
        ("<say-as interpret-as='currency'>$5</say-as>", ["interpret-as='currency'"]),
        ("<say-as interpret-as='digits'><sub alias='x'>1</sub></say-as>", ["takes text only"]),
        ("<sub alias='x'></sub>", ["is empty"]),
        ("<sub alias='...'>x</sub>", ["no words"]),
        ("<phoneme ph='x' alphabet='x-sampa'>x</phoneme>", ["alphabet 'x-sampa'"]),
        ("<phoneme ph=' '>x</phoneme>", ["ph at position", "empty"]),
        ("<mark/>", ["needs a name"]),
        ("<lang xml:lang='tlh'>Qapla</lang>", ["xml:lang 'tlh'", "espeak-ng"]),
        ("<speak>again</speak>", ["<speak> inside <speak>"]),
        ("<emotts:emotion name='glad'>x</emotts:emotion>", ["invalid <emotion> tag", "glad"]),
        ("<lang xml:lang='fr'><say-as interpret-as='digits'>1</say-as></lang>", ["English"]),
        ("<b>unclosed", ["not well-formed", "position"]),
        ("&nbsp;", ["undefined entity", "&lt;"]),
    ],
)
def test_errors_name_the_problem_position_and_what_is_accepted(body: str, needles) -> None:
    message = _error(body)
    for needle in needles:
        assert needle in message, message


def test_error_types() -> None:
    with pytest.raises(SsmlError):
        _read("<voice>x</voice>")
    assert issubclass(SsmlError, MarkupError)
    with pytest.raises(TextError):
        _read("<lang xml:lang='fr'><say-as interpret-as='digits'>1</say-as></lang>")
    with pytest.raises(SsmlError, match="root element is <p>"):
        parse_ssml("<?xml version='1.0'?><p>x</p>")
    with pytest.raises(SsmlError, match="must be a string"):
        parse_ssml(b"<speak/>")  # type: ignore[arg-type]


def test_entity_expansion_and_external_entities_are_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;">]>'
        "<speak>&b;</speak>"
    )
    external = '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY x SYSTEM "file:///etc/passwd">]><speak>&x;</speak>'
    for text in (laughs, external):
        with pytest.raises(SsmlError, match="refused"):
            parse_ssml(text)


def test_lenient_speaks_unsupported_text_and_lists_it() -> None:
    marked = _read(
        "<voice name='x'>hello <prosody contour='x' rate='slow'>there</prosody></voice> "
        "<say-as interpret-as='currency'>$5</say-as>",
        lenient=True,
    )
    words = "".join(s.text for s in marked.segments)
    assert words == "hello there $5"
    slow = [s for s in marked.segments if s.text == "there"][0]
    assert slow.rate == 0.75  # the supported attribute still applies
    assert len(marked.ignored) == 3
    assert "unsupported element <voice> at position" in marked.ignored[0]
    assert "'contour'" in marked.ignored[1]
    assert "currency" in marked.ignored[2]
    # bad values stay errors in lenient mode
    assert "rate 'fastest'" in _error("<prosody rate='fastest'>x</prosody>", lenient=True)


def test_hz_values_need_the_voice_statistics() -> None:
    with pytest.raises(SsmlError, match="pitch statistics"):
        parse_ssml("<speak><prosody pitch='+20Hz'>x</prosody></speak>")
    with pytest.raises(SsmlError, match="pitch statistics"):
        parse_ssml("<speak><prosody range='+2st'>x</prosody></speak>")


def test_emotts_markup_is_unchanged() -> None:
    [segment] = parse_markup('<prosody rate="0.8">slow</prosody>')
    assert (segment.rate, segment.pitch_shift, segment.volume, segment.spoken) == (
        0.8,
        0.0,
        1.0,
        None,
    )
