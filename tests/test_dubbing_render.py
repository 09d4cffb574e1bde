"""Rendering cues to a track, checked on the audio itself (tiny untrained two-speaker voice)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
import srt

from emotts.api import Voice
from emotts.cli import main
from emotts.dubbing import Dubber, load_cues, parse_cues
from emotts.dubbing.mixing import CEILING
from emotts.errors import ConfigError
from emotts.models.checkpoint import load_acoustic_model
from emotts.models.untrained import make_untrained_voice
from emotts.synthesis.batch import acoustic_batch, prepare_utterance
from emotts.synthesis.controls import SynthesisControls
from emotts.voices.config import VoiceConfig
from vocoders.griffinlim import GriffinLim

RATE = 22050
FRAME = 256 / RATE


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory):
    return make_untrained_voice(
        tmp_path_factory.mktemp("dub_voice"), "tiny", speakers=("a", "b"), vocoder="griffinlim"
    )


@pytest.fixture(scope="module")
def voice(voice_dir):
    # Four Griffin-Lim iterations: real audio from the mel, fast enough for many renders.
    model, _ = load_acoustic_model(voice_dir)
    return Voice(model, VoiceConfig.read(voice_dir), vocoder=GriffinLim(n_iter=4))


def _srt(*cues: tuple[float, float, str]) -> str:
    return srt.compose(
        srt.Subtitle(i, srt.timedelta(seconds=a), srt.timedelta(seconds=b), text)
        for i, (a, b, text) in enumerate(cues, start=1)
    )


def _rms(samples: np.ndarray, start: float, end: float) -> float:
    part = samples[round(start * RATE) : round(end * RATE)]
    return float(np.sqrt(np.mean(part**2))) if len(part) else 0.0


def _sounding(samples: np.ndarray, threshold: float = 1e-4) -> tuple[float, float]:
    """First and last sample above the threshold, in seconds."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    return loud[0] / RATE, (loud[-1] + 1) / RATE


EXACT = [(0.5, 1.7, "Hello there."), (2.4, 3.1, "Yes."), (4.0, 6.0, "We should go home now.")]


def test_exact_fit_speech_inside_windows_silence_outside(voice):
    track = Dubber(voice, fit="exact").render(parse_cues(_srt(*EXACT), "srt"))
    samples = track.samples
    assert track.duration == pytest.approx(6.0, abs=FRAME)
    silent_from = 0.0
    for start, end, _ in EXACT:
        assert _rms(samples, silent_from, start) == 0.0  # nothing between the cues
        onset, offset = _sounding(samples[round(start * RATE) : round(end * RATE) + 2 * 256])
        assert onset < FRAME  # speech starts at the cue start...
        assert abs(start + offset - end) <= FRAME  # ...and ends at the cue end, within a frame
        assert _rms(samples, start, end) > 1e-3
        silent_from = end + FRAME
    for row, (start, end, _) in zip(track.report, EXACT, strict=True):
        assert abs(row.speech_end - row.speech_start - (end - start)) <= FRAME / 2


def test_natural_fit_keeps_speed_speeds_up_and_runs_over_but_not_into_the_same_speaker(voice):
    cues = parse_cues(
        _srt(
            (0.0, 3.0, "Hi."),
            (3.5, 4.0, "It is too long."),
            (5.0, 5.5, "Another long line that cannot possibly fit here at all."),
            (5.9, 7.5, "Next."),
        ),
        "srt",
    )
    track = Dubber(voice, fit="natural", max_speed=1.5).render(cues)
    first, second, third, fourth = track.report
    assert first.speed == 1.0 and first.overflow == 0.0
    assert first.speech_end - first.speech_start == pytest.approx(first.natural_duration)
    assert second.speed == pytest.approx(1.5, abs=0.02) and second.overflow > 0
    assert any("past the cue end" in w for w in second.warnings)
    # The third would need more than 1.5x and the fourth line (same speaker) starts at 5.9 s.
    assert third.speed > 1.5 and third.speech_end <= 5.9 + 1e-9
    assert any("maximum speed" in w for w in third.warnings)
    assert _rms(track.samples, 3.0 + FRAME, 3.5) == 0.0


def test_sound_descriptions_are_not_spoken(voice):
    cues = parse_cues(_srt((0.5, 1.5, "[door slams]"), (2.0, 3.0, "[laughs] Hello [sighs]")), "srt")
    track = Dubber(voice, fit="exact").render(cues)
    sound, spoken = track.report
    assert sound.status == "sound" and sound.sounds == ["door slams"]
    assert np.abs(track.samples[: round(2.0 * RATE)]).max() == 0.0  # no audio in its window
    assert spoken.sounds == ["laughs", "sighs"] and [w.word for w in track.words] == ["Hello"]
    assert _rms(track.samples, 2.0, 3.0) > 1e-3


def test_vtt_voices_map_to_distinct_speakers(voice, tmp_path):
    vtt = tmp_path / "scene.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00.500 --> 00:02.000\n<v Alice>We will meet again.\n\n"
        "00:03.000 --> 00:04.500\n<v Bob>We will meet again.\n",
        encoding="utf-8",
    )
    track = Dubber(voice, fit="exact", cast="Alice=a,Bob=b").render(load_cues(vtt))
    alice, bob = track.report
    assert (alice.speaker, alice.voice, bob.speaker, bob.voice) == ("a", "Alice", "b", "Bob")
    a, b = (
        track.samples[round(s * RATE) : round(s * RATE) + round(1.5 * RATE)] for s in (0.5, 3.0)
    )
    assert np.abs(a - b).mean() > 0.1 * np.abs(a).mean()  # same words, another speaker
    with pytest.raises(ConfigError, match=r"'Bob'.*speakers: a, b"):
        Dubber(voice, cast="Alice=a").render(load_cues(vtt))


def test_overlapping_speakers_are_mixed_without_clipping(voice):
    cues = [
        *parse_cues(_srt((0.2, 2.0, "Everybody listen to me right now."), (0.6, 2.2, "No!")), "srt")
    ]
    cues = [cues[0], type(cues[1])(**{**vars(cues[1]), "speaker": "b"})]
    track = Dubber(voice, fit="exact", dialogue_level=12.0).render(cues)
    assert np.abs(track.samples).max() <= CEILING + 1e-6
    first, second = track.report
    assert first.overlaps == [2] and second.overlaps == [1]


def test_bed_is_ducked_under_speech(voice, tmp_path):
    bed_path = tmp_path / "bed.wav"
    t = np.arange(round(5.0 * RATE)) / RATE
    sf.write(bed_path, (0.02 * np.sin(2 * np.pi * 110 * t)).astype(np.float32), RATE)
    cues = parse_cues(_srt((2.0, 3.0, "Quiet, please.")), "srt")
    # Dialogue 20 dB down keeps the limiter out of it, so the difference is the bed alone.
    dry = Dubber(voice, fit="exact", length=5.0, dialogue_level=-20).render(cues).samples
    assert np.abs(dry).max() < 0.5 * CEILING
    wet = Dubber(voice, fit="exact", bed=bed_path, duck=12.0, dialogue_level=-20).render(cues)
    assert wet.duration == pytest.approx(5.0)  # as long as the bed
    bed = wet.samples - dry
    outside, under = _rms(bed, 0.5, 1.5), _rms(bed, 2.3, 2.7)
    assert outside == pytest.approx(0.02 / np.sqrt(2), rel=0.02)
    assert 20 * np.log10(under / outside) == pytest.approx(-12.0, abs=0.5)


def test_batched_rows_match_single_synthesis(voice):
    """Rows of different speakers and speeds share a batch without changing each other."""
    texts = [("Short.", "a", 1.0), ("A rather longer sentence to pad the batch.", "b", 1.3)]
    utterances = [
        prepare_utterance(voice, t, speaker=s, controls=SynthesisControls(speed=v))
        for t, s, v in texts
    ]
    batched = acoustic_batch(voice, utterances)
    for (text, speaker, speed), parts in zip(texts, batched, strict=True):
        alone = voice.synthesize(text, speaker=speaker, speed=speed).mel
        assert parts[0].mel.shape == alone.shape
        np.testing.assert_allclose(parts[0].mel, alone, atol=1e-4)


def test_cli_reports_skipped_cues_and_writes_everything(voice_dir, tmp_path, capsys):
    subs = tmp_path / "film.srt"
    subs.write_text(
        "1\n00:00:00,500 --> 00:00:01,500\n[happy] Hello.\n\n"
        "2\n00:00:0x,000 --> 00:00:03,000\nBroken time.\n\n"
        "3\n00:00:04,000 --> 00:00:03,000\nBackwards.\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\n[sad; intensity=9] Too sad.\n\n"
        "5\n00:00:05,000 --> 00:00:06,000\n\u4f60\u597d\n\n"
        "6\n00:00:06,000 --> 00:00:07,000\nGoodbye.\n",
        encoding="utf-8",
    )
    out, report, words, timings = (tmp_path / n for n in ("t.flac", "r.json", "w.srt", "t.json"))
    args = [
        "dub",
        str(subs),
        "-o",
        str(out),
        "-v",
        str(voice_dir),
        "--no-progress",
        "--report",
        str(report),
        "--words-srt",
        str(words),
        "--timings",
        str(timings),
        "--sample-rate",
        "16000",
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    for where in ("cue 2 (line 5)", "cue 3 (line 9)", "cue 4 (line 13)", "cue 5 (line 17)"):
        assert f"{where} skipped" in err
    rows = json.loads(report.read_text())["cues"]
    assert [r["status"] for r in rows] == ["spoken", *["skipped"] * 4, "spoken"]
    assert "intensity" in rows[3]["reason"] and "cannot be spoken" in rows[4]["reason"]
    samples, rate = sf.read(out)
    assert rate == 16000 and len(samples) / rate == pytest.approx(7.0, abs=0.02)
    assert np.sqrt(np.mean(samples[round(6.0 * rate) : round(6.5 * rate)] ** 2)) > 1e-3
    word_subs = list(srt.parse(words.read_text()))
    data = json.loads(timings.read_text())
    assert (
        [s.content for s in word_subs] == [w["word"] for w in data["words"]] == ["Hello", "Goodbye"]
    )
    assert 6.0 <= word_subs[1].start.total_seconds() < word_subs[1].end.total_seconds() <= 7.0
    subs.write_text(
        "1\n00:00:00,500 --> 00:00:01,000\nHi.\n\n2\n00:00:0x,000 --> 00:00:03,000\nBad.\n",
        encoding="utf-8",
    )
    assert main([*args, "--allow-skips"]) == 0
    assert "cue 2 (line 5) skipped" in capsys.readouterr().err


def test_script_columns_speakers_and_presets(voice, tmp_path):
    script = tmp_path / "script.jsonl"
    rows = (
        {"start": 0.2, "end": 1.0, "text": "One.", "emotion": "angry", "speaker": "b"},
        {"start": 1.5, "end": 2.5, "text": "Two.", "speed": 0.8},
        {"start": 3.0, "end": 5.0, "text": "Three.", "preset": "tired"},
        {"start": 5.5, "end": 7.5, "text": "Four.", "emotion": "preset:tired", "intensity": 0.2},
        {"start": 8.0, "end": 9.0, "text": "Five.", "preset": "sleepy-ish"},
        {"start": 9.5, "end": 11.0, "text": "[tired] Six."},
    )
    script.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    report = Dubber(voice, emotion="sad").render(load_cues(script)).report
    one, two, three, four, five, six = report
    assert (one.speaker, one.emotion, two.speaker, two.emotion) == ("b", "angry", "a", "sad")
    assert two.speed == pytest.approx(0.8)
    # The preset gives the emotion and the prosody: speed 0.8, so the natural length grows.
    assert (three.preset, three.emotion, three.speed) == ("tired", "sad; intensity=0.6", 0.8)
    assert three.natural_duration > 1.1 * _natural_seconds(voice, "Three.")
    assert (four.preset, four.emotion) == ("tired", "sad; intensity=0.2")
    assert five.status == "skipped" and "unknown preset 'sleepy-ish'" in five.reason
    assert (six.preset, six.text, six.sounds) == ("tired", "Six.", [])


def _natural_seconds(voice, text: str) -> float:
    return voice.synthesize(text).duration


def test_fixed_length_skips_cues_past_the_end(voice):
    cues = parse_cues(_srt((0.2, 1.0, "Hi."), (1.5, 3.0, "Too late.")), "srt")
    track = Dubber(voice, length=2.0).render(cues)
    assert track.duration == pytest.approx(2.0)
    assert track.report[0].status == "spoken"
    assert track.skipped[0].cue == 2 and "after the end of the track" in track.skipped[0].reason


def test_cli_unknown_cast_name_stops_before_synthesis(voice_dir, tmp_path, capsys):
    vtt = tmp_path / "scene.vtt"
    vtt.write_text("WEBVTT\n\n00:00.500 --> 00:02.000\n<v Zed>Hello.\n", encoding="utf-8")
    cast = tmp_path / "cast.txt"
    cast.write_text("# who is who\nAlice=a\n", encoding="utf-8")
    out = tmp_path / "t.wav"
    args = ["dub", str(vtt), "-o", str(out), "-v", str(voice_dir), "--cast-file", str(cast)]
    assert main(args) == 2
    assert "'Zed'" in capsys.readouterr().err and not out.exists()


def test_vtt_cue_with_several_voices_is_spoken_in_turn_by_their_speakers(voice, tmp_path):
    vtt = tmp_path / "scene.vtt"
    both = "WEBVTT\n\n00:00.500 --> 00:03.500\n<v Alice>We will meet again.</v> <v Bob>We will meet again.</v>\n"
    vtt.write_text(both, encoding="utf-8")
    track = Dubber(voice, fit="exact", cast="Alice=a,Bob=b").render(load_cues(vtt))
    first, second = track.report
    assert (first.cue, first.part, first.speaker, second.cue, second.part, second.speaker) == (
        1,
        1,
        "a",
        1,
        2,
        "b",
    )
    # Each turn fills its half of the window, one after the other.
    assert (first.speech_start, second.speech_start) == pytest.approx((0.5, 2.0), abs=1e-3)
    assert first.speech_end == pytest.approx(2.0, abs=FRAME)
    assert second.speech_end == pytest.approx(3.5, abs=FRAME)
    assert _rms(track.samples, 0.5, 2.0) > 1e-3 and _rms(track.samples, 2.0, 3.5) > 1e-3
    assert [w.speaker for w in track.words] == ["a"] * 4 + ["b"] * 4

    def turn_difference(samples: np.ndarray) -> float:
        a, b = (samples[round(s * RATE) : round((s + 1.4) * RATE)] for s in (0.5, 2.0))
        return float(np.abs(a - b).mean() / np.abs(a).mean())

    # Same words, another speaker: far more different than the same speaker's two turns.
    same = Dubber(voice, fit="exact", cast="Alice=a,Bob=a").render(load_cues(vtt)).samples
    assert turn_difference(track.samples) > 0.1
    assert turn_difference(same) < 0.3 * turn_difference(track.samples)


def test_inline_emotion_markup_changes_the_speech_and_word_vtt_has_track_times(voice, tmp_path):
    plain = "Stay right here with me."
    marked = 'Stay <emotion name="angry" intensity="1.5">right here</emotion> with me.'
    cues = parse_cues(_srt((1.0, 3.0, plain), (4.0, 6.0, marked)), "srt")
    track = Dubber(voice, fit="exact").render(cues)
    a, b = (track.samples[round(s * RATE) : round((s + 2.0) * RATE)] for s in (1.0, 4.0))
    assert np.abs(a - b).mean() > 0.05 * np.abs(a).mean()  # the markup reached the model
    assert track.report[1].text == marked and track.report[1].status == "spoken"
    import webvtt

    path = track.save_word_subtitles(tmp_path / "words.vtt")
    captions = webvtt.read(str(path)).captions
    words = [c.text for c in captions]
    assert words == ["Stay", "right", "here", "with", "me"] * 2
    for caption in captions[5:]:  # the second cue's words lie in its window, in track time
        start, end = (t.in_milliseconds() / 1000 for t in (caption.start_time, caption.end_time))
        assert 4.0 - 1e-3 <= start < end <= 6.0 + 1e-3
