"""SSML through the front-end and the shared pipeline, on a tiny voice with untrained weights.

Breaks, marks, exact durations and volume gains are pipeline arithmetic, so an untrained voice
(Griffin-Lim vocoder, ~6 frames per phoneme) checks them exactly and fast; what they sound like
on the shipped voice is measured in test_ssml_audio.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from emotts.api import Voice
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError, SsmlError
from emotts.models.untrained import make_untrained_voice
from emotts.text import SymbolTable, TextFrontend
from emotts.text.boundaries import Pause

HOP, RATE = 256, 22050
FRAME = HOP / RATE
NEUTRAL = EmotionSpec.neutral()


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    directory = make_untrained_voice(
        tmp_path_factory.mktemp("voice"), "tiny", frames_per_phoneme=6.0, vocoder="griffinlim"
    )
    return Voice.load(directory)


@pytest.fixture(scope="module")
def frontend() -> TextFrontend:
    return TextFrontend(SymbolTable.default(), "en-us")


def _zero_run(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    return samples[int(round(start * RATE)) : int(round(end * RATE))]


def test_break_replaces_the_boundary_pause(frontend) -> None:
    [sentence] = frontend.process('<speak>Hello, <break time="300ms"/> world.</speak>', NEUTRAL)
    hello, world = sentence.words
    between = range(hello.last_phoneme_exclusive, world.first_phoneme)
    assert [sentence.phonemes[i] for i in between] == [",", " "]
    assert all(sentence.duration_scales[i] == 0.0 for i in between)
    others = [s for i, s in enumerate(sentence.duration_scales) if i not in between]
    assert all(s == 1.0 for s in others)
    assert sentence.events == [Pause(1, 0.3, 14, 35)]


def test_events_land_on_word_boundaries_and_sentences(frontend) -> None:
    text = (
        '<speak><mark name="a"/>One two<mark name="b"/>. <break time="1s"/><mark name="c"/>'
        'Three <mark name="d"/>fo<mark name="e"/>ur.<break time="2s"/></speak>'
    )
    first, second = frontend.process(text, NEUTRAL)
    assert [(e.boundary, getattr(e, "name", None)) for e in first.events] == [
        (0, "a"),
        (2, "b"),
        (2, None),  # the break between the sentences removes the first one's final pause...
    ]
    tag = (text.index('<break time="1s"/>'), text.index('<mark name="c"/>'))
    assert first.events[2] == Pause(2, 0.0, *tag, companion=True)
    assert [type(e).__name__ for e in second.events] == ["Pause", "Mark", "Mark", "Mark", "Pause"]
    assert second.events[0] == Pause(0, 1.0, *tag)  # ...and is said before the second one
    assert [e.boundary for e in second.events] == [0, 0, 1, 2, 2]  # "e" is inside "four"


def test_breaks_are_exact_silences_in_audio_and_timings(voice) -> None:
    audio = voice.synthesize(
        '<speak>One two <break time="500ms"/> three. <break time="250ms"/>Four.</speak>'
    )
    one, two, three, four = audio.words
    first, second = audio.breaks
    assert (first.start, first.end) == pytest.approx((two.end, three.start), abs=1e-9)
    assert (second.start, second.end) == pytest.approx((three.end, four.start), abs=1e-9)
    assert abs((first.end - first.start) - 0.5) <= FRAME / 2
    assert abs((second.end - second.start) - 0.25) <= FRAME / 2
    for pause in audio.breaks:
        assert not np.any(_zero_run(audio.samples, pause.start, pause.end))
    assert np.abs(_zero_run(audio.samples, one.start, two.end)).max() > 1e-3
    assert audio.timings_dict()["breaks"][0]["start"] == first.start


def test_marks_are_reached_where_the_next_word_starts(voice) -> None:
    text = '<speak><mark name="start"/>Go <mark name="mid"/>on <break time="1s"/><mark name="after"/>now.<mark name="end"/></speak>'
    audio = voice.synthesize(text)
    go, on, now = audio.words
    times = {m.name: m.time for m in audio.marks}
    assert times["mid"] == pytest.approx(on.start, abs=1e-9)
    assert times["after"] == pytest.approx(now.start, abs=1e-9)
    assert now.start == pytest.approx(audio.breaks[0].end, abs=1e-9)
    assert times["start"] <= go.start
    assert times["end"] >= now.end
    [mark] = [m for m in audio.marks if m.name == "mid"]
    assert text[mark.start_char : mark.end_char] == '<mark name="mid"/>'


@pytest.mark.parametrize("seconds", [2.0, 3.3])
def test_exact_duration_keeps_the_breaks(voice, seconds) -> None:
    audio = voice.synthesize(
        '<speak>First part <break time="700ms"/> second part.</speak>', duration=seconds
    )
    assert abs(audio.duration - seconds) <= FRAME / 2 + 1e-9
    [pause] = audio.breaks
    assert abs((pause.end - pause.start) - 0.7) <= FRAME / 2
    with pytest.raises(ControlError, match="breaks take"):
        voice.synthesize('<speak>Short <break time="3s"/> text.</speak>', duration=2.0)


def test_volume_span_is_an_exact_gain_on_its_words(voice) -> None:
    plain = voice.synthesize("<speak>We speak softly here today.</speak>")
    soft = voice.synthesize(
        '<speak>We speak <prosody volume="-6dB">softly here</prosody> today.</speak>'
    )
    assert len(plain.samples) == len(soft.samples)
    words = {w.word: w for w in soft.words}
    inside = slice(int(words["softly"].start * RATE) + HOP, int(words["here"].end * RATE) - HOP)
    outside = slice(0, int(words["speak"].end * RATE) - HOP)
    ratio = soft.samples[inside] / np.where(plain.samples[inside] == 0, 1, plain.samples[inside])
    np.testing.assert_allclose(ratio[plain.samples[inside] != 0], 10 ** (-6 / 20), rtol=1e-4)
    np.testing.assert_array_equal(soft.samples[outside], plain.samples[outside])


def test_lenient_reading_is_reported(voice) -> None:
    text = "<speak><voice name='x'>Hello there.</voice></speak>"
    with pytest.raises(SsmlError, match="unsupported element <voice>"):
        voice.synthesize(text)
    audio = voice.synthesize(text, ssml_lenient=True)
    assert [w.word for w in audio.words] == ["Hello", "there"]
    assert audio.ignored == ["unsupported element <voice> at position 7"]
    parts = list(voice.stream(text + " ", ssml_lenient=True))
    assert parts[0].ignored == audio.ignored


def test_ssml_flag(voice) -> None:
    # ssml=True reads SSML without <speak>; ssml=False reads emotts markup even with it.
    audio = voice.synthesize('Wait <break time="400ms"/> here.', ssml=True)
    assert len(audio.breaks) == 1
    with pytest.raises(SsmlError):
        voice.synthesize("<speak>a <b>c</b></speak>")
    from emotts.errors import MarkupError

    with pytest.raises(MarkupError, match="unknown tag '<speak'"):
        voice.synthesize("<speak>Hi</speak>", ssml=False)


def test_fixed_readings_and_languages(frontend) -> None:
    [sentence] = frontend.process(
        '<speak>Meet <sub alias="World Wide Web">WWW</sub>, <phoneme ph="təˈmɑːtoʊ">tomato</phoneme> '
        '<lang xml:lang="fr-fr">bonjour</lang> at <say-as interpret-as="time">3:30pm</say-as>.</speak>',
        NEUTRAL,
    )
    words = sentence.words
    assert [w.text for w in words] == ["Meet", "WWW", "tomato", "bonjour", "at", "3:30pm"]
    said = ["".join(sentence.phonemes[w.first_phoneme : w.last_phoneme_exclusive]) for w in words]
    assert said[1].count(" ") == 2  # three words said for one written
    assert said[2] == "təˈmɑːtoʊ"
    assert said[3] != "".join(frontend.process("bonjour", NEUTRAL)[0].phonemes)[1:-1]
    assert said[5].count(" ") == 3  # "three thirty p m"


def test_cli_ssml_flags(voice, tmp_path, capsys) -> None:
    from emotts.cli import main

    out, timings = tmp_path / "a.wav", tmp_path / "a.json"
    text = "Wait <break time='400ms'/> <voice>here</voice>."
    base = ["synth", "--voice", str(voice.directory), "-o", str(out), "-t", text, "--ssml"]
    assert main(base) == 2
    assert "unsupported element <voice> at position" in capsys.readouterr().err
    assert main([*base, "--ssml-lenient", "--timings", str(timings)]) == 0
    assert "ignored unsupported element <voice>" in capsys.readouterr().err
    import json

    data = json.loads(timings.read_text())
    assert len(data["breaks"]) == 1 and [w["word"] for w in data["words"]] == ["Wait", "here"]
