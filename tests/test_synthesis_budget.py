"""The phoneme budget: long sentences are cut into windows, no acoustic call exceeds the
budget, the joined audio has no seam at the cuts and the timings do not show them.

Plumbing runs on a tiny untrained voice (fast); the seam is measured on the shipped default
voice, whose audio is speech, with the vocos-emotts vocoder (fast on a CPU).
"""

from __future__ import annotations

import numpy as np
import pytest

from emotts.backends.torch_voice import Voice
from emotts.emotion.spec import EmotionSpec
from emotts.models.untrained import make_untrained_voice
from emotts.synthesis import pipeline
from emotts.synthesis.budget import CONTEXT_PHONEMES, cut_points, plan_windows, reconcile
from emotts.text.frontend import TextFrontend
from emotts.text.symbols import WORD_SEPARATOR, SymbolTable

HOP, RATE = 256, 22050
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "the",
    "lazy",
    "dog",
    "while",
    "seven",
    "happy",
    "children",
    "watch",
    "it",
    "from",
    "a",
    "garden",
    "wall",
    "and",
    "laugh",
    "at",
    "every",
    "single",
    "leap",
    "it",
    "makes",
    "across",
    "the",
    "wet",
    "green",
    "grass",
]


def long_text(words: int, comma_every: int = 0) -> str:
    out = []
    for index in range(words):
        word = WORDS[index % len(WORDS)]
        out.append(word + ("," if comma_every and index % comma_every == comma_every - 1 else ""))
    return " ".join(out)


@pytest.fixture(scope="module")
def frontend() -> TextFrontend:
    return TextFrontend(SymbolTable.default())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Voice:
    directory = make_untrained_voice(
        tmp_path_factory.mktemp("voice"), "tiny", frames_per_phoneme=4.0, vocoder="griffinlim"
    )
    return Voice.load(directory)


class Budget:
    """Sets a voice's phoneme budget and records the rows of every acoustic call."""

    def __init__(self, voice, monkeypatch, budget: int) -> None:
        self.rows: list[int] = []
        self.budget = budget
        monkeypatch.setattr(type(voice), "phoneme_budget", property(lambda _: budget))
        run = voice.run_acoustic

        def spy(inputs, *args):
            self.rows += [int(n) for n in inputs["phoneme_lengths"]]
            assert inputs["phoneme_ids"].shape[1] <= budget
            return run(inputs, *args)

        monkeypatch.setattr(voice, "run_acoustic", spy)


def test_cuts_prefer_clause_boundaries_then_words(frontend) -> None:
    (clauses,) = frontend.process(long_text(60, comma_every=6), EmotionSpec.neutral())
    (plain,) = frontend.process(long_text(60), EmotionSpec.neutral())
    for sentence, mark in ((clauses, ","), (plain, None)):
        cuts = cut_points(sentence, 60)
        bounds = [0, *cuts, len(sentence.phoneme_ids)]
        assert max(b - a for a, b in zip(bounds, bounds[1:], strict=False)) <= 60
        for cut in cuts:
            assert sentence.phonemes[cut - 1] == WORD_SEPARATOR  # a piece starts a word
            if mark:
                assert sentence.phonemes[cut - 2] == mark
    # One word longer than the budget is cut inside the word: still within the budget.
    (word,) = frontend.process("a" + "bc" * 200, EmotionSpec.neutral())
    bounds = [0, *cut_points(word, 50), len(word.phoneme_ids)]
    assert max(b - a for a, b in zip(bounds, bounds[1:], strict=False)) <= 50


def test_windows_add_context_inside_the_budget(frontend) -> None:
    (sentence,) = frontend.process(long_text(200), EmotionSpec.neutral())
    windows = plan_windows(sentence, 256)
    assert len(windows) > 2
    assert all(w.phonemes <= 256 for w in windows)
    kept = [(w.start + w.keep[0], w.start + w.keep[1]) for w in windows]
    assert kept[0][0] == 0 and kept[-1][1] == len(sentence.phoneme_ids)
    assert all(a[1] == b[0] for a, b in zip(kept, kept[1:], strict=False))  # tiled, no overlap
    assert all(w.keep[0] == CONTEXT_PHONEMES for w in windows[1:])
    short = plan_windows(sentence, len(sentence.phoneme_ids))
    assert len(short) == 1 and short[0].sentence is sentence


def test_no_acoustic_call_over_the_budget(tiny, monkeypatch) -> None:
    budget = Budget(tiny, monkeypatch, 96)
    text = long_text(150)
    whole = tiny.synthesize(text)
    assert len(budget.rows) > 4 and max(budget.rows) <= 96
    budget.rows.clear()
    streamed = list(tiny.stream(text))
    assert max(budget.rows) <= 96
    budget.rows.clear()
    timed = tiny.synthesize(text + ". And a short one.", duration=20.0)
    assert max(budget.rows) <= 96
    assert abs(timed.duration - 20.0) <= HOP / RATE / 2 + 1e-9
    joined = np.concatenate([p.samples for p in streamed])
    assert len(joined) == len(whole.samples) == whole.mel.shape[1] * HOP


def test_timings_are_monotone_and_cover_the_cut_sentence(tiny, monkeypatch) -> None:
    text = long_text(150)
    reference = tiny.synthesize(text)  # within the default budget of 512: one window
    Budget(tiny, monkeypatch, 96)
    audio = tiny.synthesize(text)
    assert [(w.word, w.start_char, w.end_char) for w in audio.words] == [
        (w.word, w.start_char, w.end_char) for w in reference.words
    ]
    for a, b in zip(audio.words, audio.words[1:], strict=False):
        assert a.start < a.end <= b.start + 1e-9
    # Phonemes tile the audio: each starts where the previous one (or a silent symbol) ended.
    ends = [p.end for p in audio.phonemes]
    assert ends == sorted(ends)
    assert audio.words[-1].end <= audio.duration + 1e-9
    assert len(audio.samples) == audio.mel.shape[1] * HOP
    # Every phoneme of the sentence has frames from exactly one window.
    assert len(audio.phonemes) == len(reference.phonemes)


def test_reconcile_meets_the_target_exactly() -> None:
    rng = np.random.default_rng(0)
    durations = rng.integers(0, 9, 40)
    mel = rng.normal(size=(80, int(durations.sum()))).astype(np.float32)
    for target in (int(durations.sum()) - 7, int(durations.sum()) + 5, int(durations.sum())):
        new_mel, new_durations = reconcile(mel, durations, target)
        assert int(new_durations.sum()) == target == new_mel.shape[1]
        assert np.abs(new_durations - durations).max() <= 1


@pytest.fixture(scope="module")
def speech():
    from emotts.backends import load_voice

    return load_voice(None, vocoder="vocos-emotts", threads=1)


def _cut_words(voice, text: str, budget: int) -> list[int]:
    """Indices of the words that start a piece after a cut."""
    (sentence,) = voice.frontend.process(text, EmotionSpec.neutral())
    starts = {w.first_phoneme: i for i, w in enumerate(sentence.words)}
    return [starts[k] for k in cut_points(sentence, budget - 2 * CONTEXT_PHONEMES)]


def _rms_db(samples: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(samples.astype(np.float64) ** 2)) + 1e-9)


def test_cuts_are_seamless_in_the_audio(speech, monkeypatch) -> None:
    """At each cut: the pause between the two words is no longer than without the cut
    (+25 ms), the level around it stays within 6 dB of the uncut rendering, and the
    largest sample step is no bigger than 2x that of the uncut rendering there."""
    text = long_text(70)
    uncut = speech.synthesize(text)
    Budget(speech, monkeypatch, 160)
    cut = speech.synthesize(text)
    cuts = _cut_words(speech, text, 160)
    assert len(cuts) >= 2
    half = int(0.05 * RATE)
    for index in cuts:
        for audio in (uncut, cut):
            assert audio.words[index].word == WORDS[index % len(WORDS)]
        gap_cut = cut.words[index].start - cut.words[index - 1].end
        gap_uncut = uncut.words[index].start - uncut.words[index - 1].end
        assert gap_cut <= gap_uncut + 0.025, (index, gap_cut, gap_uncut)
        at_cut = int(cut.words[index].start * RATE)
        at_uncut = int(uncut.words[index].start * RATE)
        around_cut = cut.samples[at_cut - half : at_cut + half]
        around_uncut = uncut.samples[at_uncut - half : at_uncut + half]
        assert abs(_rms_db(around_cut) - _rms_db(around_uncut)) < 6.0
        step_cut = np.abs(np.diff(around_cut)).max()
        step_uncut = np.abs(np.diff(around_uncut)).max()
        assert step_cut <= 2.0 * step_uncut + 1e-3


def test_long_sentence_streams_equal_synthesize(speech, monkeypatch) -> None:
    Budget(speech, monkeypatch, 160)
    text = long_text(70)
    whole = speech.synthesize(text)
    parts = list(speech.stream(text))
    joined = np.concatenate([p.samples for p in parts])
    assert len(joined) == len(whole.samples)
    assert np.abs(joined - whole.samples).max() < 1e-4


def test_a_long_sentence_is_vocoded_in_chunks(speech, monkeypatch) -> None:
    """synthesize() of a sentence over LONG_SENTENCE_FRAMES never vocodes more than a chunk
    (plus context) at once, and the chunks join to the one-shot rendering."""
    sizes: list[int] = []
    vocode = speech.vocode

    def spy(mel):
        sizes.append(mel.shape[1])
        return vocode(mel)

    monkeypatch.setattr(speech, "vocode", spy)
    monkeypatch.setattr(pipeline, "LONG_SENTENCE_FRAMES", 200)
    chunked = speech.synthesize(long_text(40))
    assert len(sizes) > 2
    context = speech.vocoder_context_frames
    assert max(sizes) <= 100 + 2 * context
    mel = chunked.mel
    one_shot = vocode(mel)[: mel.shape[1] * HOP]
    assert np.abs(one_shot - chunked.samples).max() < 1e-3
