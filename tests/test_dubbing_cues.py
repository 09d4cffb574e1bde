"""Reading cues: SRT/WebVTT/JSONL/CSV files as subtitle tools write them, tags, cast, fit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emotts.dubbing import Cast, load_cues
from emotts.dubbing.fit import plan_fit
from emotts.dubbing.mixing import CEILING, db_to_gain, duck_gain, limit_peaks
from emotts.dubbing.tags import CueTagError, read_cue_text
from emotts.errors import ConfigError, ControlError

SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i> <b>there</b>.\r\n\r\n"
    "2\r\n00:00:0x,000 --> 00:00:04,000\r\nBroken.\r\n\r\n"
    "3\r\n00:00:05,000 --> 00:00:06,000 X1:100 X2:200 Y1:10 Y2:20\r\n"
    '{\\an8}<font color="#ff0000">[sad; intensity=0.8] Up</font>\r\nhere.\r\n'
)

VTT = """WEBVTT - a film

STYLE
::cue(.loud) { color: red }

NOTE written by hand
over two lines

REGION
id:top width:40%

intro
00:01.000 --> 00:02.000 align:start line:0
<v.loud Alice>Hi <c.x>you</c> &amp; me</v>

00:03.000 --> 00:0x.000
Bad time.

00:00:04.000 --> 00:00:05.500
<v Bob><i>[door slams]</i> Who <00:00:04.500>is there?
"""


def test_srt_bom_crlf_formatting_and_a_bad_timestamp(tmp_path):
    path = tmp_path / "film.srt"
    path.write_bytes(SRT.encode("utf-8"))
    first, bad, third = load_cues(path)
    assert (first.number, first.line, first.start, first.end) == (1, 1, 1.0, 2.5)
    assert first.text == "Hello there." and first.problem is None
    assert (bad.number, bad.line) == (2, 5) and "malformed timing line" in bad.problem
    assert third.text == "[sad; intensity=0.8] Up here." and third.line == 9


def test_vtt_blocks_settings_voices_entities_and_a_bad_timestamp(tmp_path):
    path = tmp_path / "film.vtt"
    path.write_text(VTT.replace("\n", "\r\n"), encoding="utf-8")
    first, bad, third = load_cues(path)
    assert (first.start, first.end, first.voice, first.line) == (1.0, 2.0, "Alice", 12)
    assert first.text == "Hi you &amp; me"  # the markup parser reads &amp; as '&'
    assert bad.number == 2 and bad.line == 16 and "00:0x.000" in bad.problem
    assert third.voice == "Bob" and third.text == "[door slams] Who is there?"


def test_vtt_without_header_is_an_error(tmp_path):
    path = tmp_path / "film.vtt"
    path.write_text("00:01.000 --> 00:02.000\nHi\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="WEBVTT"):
        load_cues(path)


def test_jsonl_script_columns_and_bad_rows(tmp_path):
    rows = [
        {
            "start": 0.5,
            "end": "00:00:02.000",
            "text": "Hi.",
            "emotion": "happy",
            "intensity": 1.2,
            "speaker": "b",
            "speed": 1.1,
        },
        {"start": 3, "end": 4, "text": "Go.", "adv": [0.7, 0.2, -0.5], "voice": "Alice"},
        {"start": 3, "end": 4, "text": "x", "colour": "red"},
        {"start": 3, "end": 4, "text": "x", "emotion": "hapy"},
        {"start": 3, "end": 4, "text": "x", "intensity": 0.5},
        {"start": "soon", "end": 4, "text": "x"},
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(2, "{not json")
    path = tmp_path / "script.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cues = load_cues(path)
    assert [c.number for c in cues] == [1, 2, 3, 4, 5, 6, 7]
    first, second = cues[0], cues[1]
    assert (first.start, first.end, first.speaker, first.speed) == (0.5, 2.0, "b", 1.1)
    assert str(first.emotion) == "happy; intensity=1.2"
    assert second.emotion.adv == (0.7, 0.2, -0.5) and second.voice == "Alice"
    problems = [(c.line, c.problem) for c in cues[2:]]
    assert problems[0][0] == 3 and "invalid JSON" in problems[0][1]
    assert "unknown keys ['colour']" in problems[1][1]
    assert "did you mean 'happy'" in problems[2][1]
    assert "intensity is given without an emotion, adv or preset" in problems[3][1]
    assert "'soon' is not a time" in problems[4][1]


def test_csv_script_quoted_text_and_header_errors(tmp_path):
    path = tmp_path / "script.csv"
    path.write_text(
        'start,end,text,emotion,speaker\n0,1.5,"Well, hello.",sad,1\n2,3,Bye.,,\n2,3\n',
        encoding="utf-8",
    )
    first, second, third = load_cues(path)
    assert first.text == "Well, hello." and str(first.emotion) == "sad" and first.speaker == "1"
    assert second.emotion is None and second.line == 3
    assert third.line == 4 and "has 2 fields" in third.problem
    path.write_text("start,end,words\n0,1,Hi\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown columns \['words'\].*missing \['text'\]"):
        load_cues(path)


def test_unknown_extension_is_an_error(tmp_path):
    path = tmp_path / "film.ass"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.srt, \.vtt, \.jsonl, \.csv"):
        load_cues(path)


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("[happy] Hi", "happy"),
        ("[sad; intensity=0.8] Hi", "sad; intensity=0.8"),
        ("[happy:0.6,surprised:0.4] Hi", "happy:0.6,surprised:0.4"),
        ("[adv=0.7,0.2,-0.5] Hi", "adv=0.7,0.2,-0.5"),
        ("[laughs] [joy] Hi", "happy"),
    ],
)
def test_leading_emotion_tags(text, emotion):
    read = read_cue_text(text)
    assert str(read.emotion) == emotion and read.spoken == "Hi"


def test_preset_tags():
    read = read_cue_text("[preset:tired] [sighs] Fine.", presets=("tired", "cheerful"))
    assert (read.preset, read.emotion, read.sounds, read.spoken) == (
        "tired",
        None,
        ("sighs",),
        "Fine.",
    )
    assert read_cue_text("[cheerful] Hi", presets=("cheerful",)).preset == "cheerful"
    assert read_cue_text("[cheerful] Hi").sounds == ("cheerful",)  # not a preset: a sound
    with pytest.raises(CueTagError, match="unknown preset 'nope'.*accepted presets: tired"):
        read_cue_text("[preset:nope] Hi", presets=("tired",))


def test_sound_descriptions_are_never_spoken_and_misplaced_tags_warn():
    read = read_cue_text("[door slams] Who [MUSIC: upbeat] is it? [happy]")
    assert read.spoken == "Who is it?" and read.emotion is None
    assert read.sounds == ("door slams", "MUSIC: upbeat", "happy")
    assert "not at the start of the cue" in read.warnings[0]
    assert "did you mean 'happy'" in read_cue_text("[hapy] Hi").warnings[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sad; intensity=5] Hi", "outside"),
        ("[calm] Hi", "not supported"),
        ("[happy:x] Hi", "not a number"),
        ("[happy] [sad] Hi", "two emotion tags"),
    ],
)
def test_invalid_emotion_tags_are_errors(text, message):
    with pytest.raises(CueTagError, match=message):
        read_cue_text(text)


def test_cast_parsing_resolution_and_errors(tmp_path):
    cast = Cast.parse("Alice=0, Bob=b\n*=a")
    assert cast.resolve(["Alice", "Bob", "Carol"], ["a", "b"]) == {"Alice": 0, "Bob": 1, "Carol": 0}
    with pytest.raises(ConfigError, match=r"'Carol'.*speakers: a, b.*--cast Carol=a"):
        Cast.parse("Alice=0").resolve(["Alice", "Carol"], ["a", "b"])
    with pytest.raises(ConfigError, match="unknown speaker 'zed'"):
        Cast.parse("Alice=zed").resolve(["Alice"], ["a", "b"])
    with pytest.raises(ConfigError, match="not Name=speaker"):
        Cast.parse("Alice")
    path = tmp_path / "cast.json"
    path.write_text('{"Alice": 1}', encoding="utf-8")
    assert Cast.from_file(path).resolve(["Alice"], ["a", "b"]) == {"Alice": 1}


def test_fit_policy():
    assert plan_fit("natural", 80, 100, None, 1.5).frames is None  # fits: natural speed
    fit = plan_fit("natural", 120, 100, None, 1.5)
    assert fit.frames == 100 and fit.speed == pytest.approx(1.2)
    fit = plan_fit("natural", 300, 100, None, 1.5)  # runs over at the maximum speed
    assert fit.frames == 200 and fit.speed == pytest.approx(1.5)
    fit = plan_fit("natural", 300, 100, 150, 1.5, "cue 2")  # but never past the limit
    assert fit.frames == 150 and fit.speed == pytest.approx(2.0) and "cue 2" in fit.warnings[0]
    assert plan_fit("exact", 50, 100, None, 1.5).frames == 100
    with pytest.raises(ControlError, match="max speed"):
        from emotts.dubbing.fit import check_fit_options

        check_fit_options("natural", 0.5)


def test_limiter_keeps_peaks_under_the_ceiling_and_leaves_quiet_audio_alone():
    rate = 22050
    t = np.arange(rate) / rate
    quiet = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    assert np.array_equal(limit_peaks(quiet, rate), quiet)
    loud = quiet.copy()
    loud[10000:12000] *= 6.0  # an overlap of several voices
    limited = limit_peaks(loud, rate)
    assert np.abs(limited).max() <= CEILING + 1e-6
    assert np.array_equal(limited[:5000], loud[:5000])  # far from the loud part: untouched


@settings(max_examples=200, deadline=None)
@given(
    natural=st.integers(1, 2000),
    window=st.integers(1, 1000),
    limit=st.one_of(st.none(), st.integers(1, 3000)),
    max_speed=st.floats(1.0, 4.0),
)
def test_fit_policy_properties(natural, window, limit, max_speed):
    exact = plan_fit("exact", natural, window, limit, max_speed)
    assert exact.frames == window
    fit = plan_fit("natural", natural, window, limit, max_speed)
    frames = natural if fit.frames is None else fit.frames
    assert fit.speed == pytest.approx(natural / frames)
    assert frames <= max(natural, window)  # never slower than natural, never padded
    if limit is not None and frames > window:
        assert frames <= limit  # overflow never passes the limit
    if fit.speed > max_speed + 1e-9:
        assert fit.warnings and limit is not None


@settings(max_examples=50, deadline=None)
@given(
    gains=st.lists(st.floats(0.0, 8.0), min_size=1, max_size=40),
    seed=st.integers(0, 1000),
)
def test_limiter_never_exceeds_the_ceiling(gains, seed):
    noise = np.random.default_rng(seed).uniform(-1, 1, 441 * len(gains)).astype(np.float32)
    loud = noise * np.repeat(np.asarray(gains, np.float32), 441)
    assert np.abs(limit_peaks(loud, 22050)).max() <= CEILING + 1e-6


def _duck_by_convolution(length, spans, rate, depth_db):
    """The ducking curve from its definition: moving averages of the speech mask."""
    mask = np.zeros(length)
    for start, end in spans:
        mask[max(0, start) : max(0, min(length, end))] = 1.0
    attack, release = round(0.05 * rate), round(0.3 * rate)
    ahead = np.convolve(mask[::-1], np.ones(attack) / attack)[:length][::-1]
    after = np.convolve(mask, np.ones(release) / release)[:length]
    envelope = np.maximum(np.maximum(np.minimum(1.0, 2 * ahead), after), mask)
    return 1.0 - (1.0 - db_to_gain(-depth_db)) * envelope


@settings(max_examples=50, deadline=None)
@given(
    spans=st.lists(st.tuples(st.integers(-50, 3000), st.integers(1, 1500)), max_size=5),
    depth=st.floats(0.5, 40.0),
)
def test_ducking_curve_matches_its_definition(spans, depth):
    rate, length = 2000, 3000  # 100-sample attack, 600-sample release
    spans = [(start, start + size) for start, size in spans]
    gain = duck_gain(length, spans, rate, depth)
    np.testing.assert_allclose(gain, _duck_by_convolution(length, spans, rate, depth), atol=1e-5)


def test_ducking_ramps_down_before_speech_and_up_after():
    rate = 1000
    gain = duck_gain(2000, [(1000, 1200)], rate, 20.0)
    floor = db_to_gain(-20.0)
    assert gain[:950] == pytest.approx(1.0) and gain[1000:1200] == pytest.approx(floor)
    assert 1.0 > gain[960] > gain[990] > floor - 1e-6  # 50 ms look-ahead ramp down
    assert floor < gain[1300] < gain[1450] < 1.0  # 300 ms ramp back up
    assert gain[1500:] == pytest.approx(1.0)


def test_vtt_cue_with_several_voices_becomes_one_cue_per_turn(tmp_path):
    path = tmp_path / "film.vtt"
    path.write_text(
        "WEBVTT\n\n00:01.000 --> 00:04.000\n[happy] <v Alice>Are you there?</v>\n"
        "<v Bob>[sad] Yes.</v> <v Bob>I am.</v>\n\n00:05.000 --> 00:06.000\n<v Alice>Good.\n",
        encoding="utf-8",
    )
    alice, bob, last = load_cues(path)
    assert (alice.number, alice.part, alice.voice, alice.text) == (
        1,
        1,
        "Alice",
        "[happy] Are you there?",
    )
    assert (bob.number, bob.part, bob.voice, bob.text) == (1, 2, "Bob", "[sad] Yes. I am.")
    # In turn, sharing the window in proportion to what each says (14 and 10 characters).
    assert (alice.start, alice.end, bob.start, bob.end) == (1.0, 2.75, 2.75, 4.0)
    assert "part 1 of 2" in alice.notes[0] and alice.where() == "cue 1 part 1 (line 3)"
    assert (last.number, last.part, last.voice) == (2, None, "Alice")
