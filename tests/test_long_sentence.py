"""A sentence over the phoneme budget is made window by window (`emotts.synthesis.long_sentence`):
its pieces equal the rendering of its joined mel (same chunks, frames and timings; samples to
float rounding), and the memory it takes does not grow with its length.

Tiny untrained voice, phoneme budget 96, so 150 words are 10 windows.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from emotts.backends.torch_voice import Voice
from emotts.emotion.spec import EmotionSpec
from emotts.models.untrained import make_untrained_voice
from emotts.synthesis import pipeline
from emotts.synthesis.budget import plan_windows
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.result import concatenate
from emotts.synthesis.sampling import FlowControls
from tests.test_synthesis_budget import WORDS

BUDGET = 96


def plain(words: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(words))


def marked(words: int) -> str:
    """SSML: breaks and marks every few words, a quieter span in the middle."""
    out = []
    for i in range(words):
        word = WORDS[i % len(WORDS)]
        if i % 23 == 5:
            word += ' <break time="300ms"/>'
        if i % 31 == 7:
            word += f' <mark name="m{i}"/>'
        out.append(word)
    third = words // 3
    middle = " ".join(out[third : 2 * third])
    body = " ".join(out[:third]) + f' <prosody volume="-6dB">{middle}</prosody> '
    return "<speak>" + body + " ".join(out[2 * third :]) + "</speak>"


@pytest.fixture(scope="module")
def voices(tmp_path_factory) -> dict[str, Voice]:
    made = {}
    for vocoder in ("vocos-emotts", "griffinlim"):
        folder = make_untrained_voice(
            tmp_path_factory.mktemp(vocoder), "tiny", frames_per_phoneme=4.0, vocoder=vocoder
        )
        made[vocoder] = Voice.load(folder)
    return made


@pytest.fixture()
def budget(monkeypatch):
    monkeypatch.setattr(Voice, "phoneme_budget", property(lambda _: BUDGET))


def joined(voice, text: str, stream: bool) -> list:
    """The pieces as rendered before issue 19: every window run, the sentence's mel joined,
    then laid out and vocoded in the chunks `stream` / `synthesize_parts` use."""
    sentences = voice.frontend.process(voice.frontend.read(text), EmotionSpec.neutral())
    guided = pipeline._Guided(FlowControls(), voice.flow_request(FlowControls()))
    pieces, row = [], 0
    for index, sentence in enumerate(sentences):
        acoustic = voice._acoustic([sentence], 0, SynthesisControls(), None, guided.at(row))
        row += len(plan_windows(sentence, voice.phoneme_budget))
        mel = acoustic["mel"][0]
        plan = voice.long_plan(mel)
        if stream:
            plan = voice.chunk_plan or plan
            if plan is not None and index > 0:
                plan = replace(plan, first_frames=plan.max_frames)
        pieces += voice.sentence_pieces(sentence, mel, acoustic["durations"][0], plan)
    return pieces


def assert_same(made: list, reference: list) -> None:
    assert len(made) == len(reference)
    for ours, theirs in zip(made, reference, strict=True):
        assert ours.phonemes == theirs.phonemes  # the same floats, not approximately
        assert ours.words == theirs.words
        assert ours.breaks == theirs.breaks and ours.marks == theirs.marks
        assert np.array_equal(ours.mel, theirs.mel)
        assert len(ours.samples) == len(theirs.samples)
        assert np.abs(ours.samples - theirs.samples).max(initial=0.0) <= 1e-6


@pytest.mark.parametrize("text", [plain(150), marked(150)], ids=["plain", "ssml"])
def test_pieces_equal_the_joined_rendering(voices, budget, monkeypatch, text) -> None:
    voice = voices["vocos-emotts"]
    (sentence,) = voice.frontend.process(voice.frontend.read(text), EmotionSpec.neutral())
    assert len(plan_windows(sentence, BUDGET)) >= 8
    streamed = list(voice.stream(text))
    assert len(streamed) > 8
    assert_same(streamed, joined(voice, text, stream=True))
    # synthesize_parts: 512-frame chunks over LONG_SENTENCE_FRAMES; smaller ones put more
    # chunk edges inside windows and across their joins.
    assert_same(list(voice.synthesize_parts(text)), joined(voice, text, stream=False))
    monkeypatch.setattr(pipeline, "LONG_SENTENCE_FRAMES", 200)
    parts = list(voice.synthesize_parts(text))
    assert_same(parts, joined(voice, text, stream=False))
    whole = concatenate(parts)
    if text.startswith("<speak>"):
        assert len(whole.breaks) == 7 and len(whole.marks) == 5
    assert [w.word for w in whole.words] == plain(150).split()


def test_griffin_lim_vocodes_a_short_cut_sentence_whole(voices, budget) -> None:
    """A vocoder without a known context streams a cut sentence whole when it is within
    LONG_SENTENCE_FRAMES, in its long chunks when over: both as the joined rendering."""
    voice = voices["griffinlim"]
    for words, pieces in ((40, 1), (150, 8)):  # under and over 1,024 frames
        text = marked(words)
        made = list(voice.stream(text))
        assert len(made) == pieces
        assert_same(made, joined(voice, text, stream=True))


def test_memory_does_not_grow_with_the_sentence(voices, budget) -> None:
    """Peak of Python's and numpy's allocations (tracemalloc) while one sentence's pieces are
    made and dropped, at 150 and 600 words: it grows by under a third of what the mel grows
    (what grows is the text's per-phoneme data). Joining the mel (main at 9a0d8d8) grew it by
    1.2x the mel's growth (4.0 -> 8.5 MB; now 3.4 -> 4.2 MB)."""
    voice = voices["vocos-emotts"]
    peaks, frames = [], []
    for words in (150, 600):
        text = plain(words)
        voice.synthesize(plain(5))  # warm: allocations of the first call are not the text's
        tracemalloc.start()
        total = 0
        for piece in voice.synthesize_parts(text):
            total += piece.mel.shape[1]  # each piece is dropped, as `emotts synth -o` does
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        frames.append(total)
    assert frames[1] > 3.5 * frames[0]
    mel_growth = (frames[1] - frames[0]) * 80 * 4  # float32 [80, T_fr]
    assert peaks[1] - peaks[0] < mel_growth / 3, (peaks, frames)
