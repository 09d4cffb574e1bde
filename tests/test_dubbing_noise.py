"""A flow voice's seeded noise in `emotts dub` is keyed by the cue (where it starts), not by
its place in a chunk or an acoustic call: identical cues far apart still differ, a cue renders
the same with or without other cues around it, and a seed gives the same file every time
(tiny untrained flow voice of tests/flow_voices.py)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from emotts.backends import load_voice
from emotts.dubbing import Dubber
from emotts.dubbing.cues import Cue
from emotts.dubbing.plan import CuePlan, noise_keys
from emotts.dubbing.report import CueReport
from emotts.errors import ControlError
from emotts.synthesis.batch import BATCH_ROWS, acoustic_batch, prepare_utterance
from emotts.synthesis.sampling import FlowControls
from tests.flow_voices import make_voices

SAME = "[happy] We walked home."
# Other lengths than the cue under test, so the length-sorted batches put it elsewhere.
OTHERS = ["No.", "It was late and the streets were empty and cold.", "[sad] Why?", "Come in."]


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    return load_voice(make_voices(tmp_path_factory.mktemp("dub_noise"))["flow"], backend="torch")


def _cues(texts: list[str], first_start: float = 0.0, step: float = 2.0) -> list[Cue]:
    return [
        Cue(i + 1, first_start + i * step, first_start + i * step + 1.8, text)
        for i, text in enumerate(texts)
    ]


def _spoken(track, start: float) -> np.ndarray:
    (cue,) = [c for c in track.cues if c.cue.start == start]
    return cue.audio.samples


def _relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """RMS of a - b over the RMS of a: about 1 or more for other noise, while the float
    rounding of another batch size stays under 1e-3 (3e-4 measured for the same noise)."""
    assert len(a) == len(b)  # same text and settings: the same durations
    return float(np.sqrt(np.mean((a - b) ** 2) / np.mean(a**2)))


def test_identical_cues_in_different_chunks_draw_different_noise(voice):
    # 65 cues: with the default 16 rows a batch, cue 64 opens the second chunk of 64 cues, at
    # the same place in its acoustic call as cue 0 in the first.
    count = 4 * BATCH_ROWS + 1
    track = Dubber(voice, flow=FlowControls(seed=3)).render(_cues([SAME] * count))
    first = track.cues[0].audio.samples
    assert _relative_difference(first, track.cues[count - 1].audio.samples) > 0.3
    assert _relative_difference(first, track.cues[1].audio.samples) > 0.3


@pytest.mark.parametrize("fit", ["natural", "exact"])
def test_a_cue_renders_the_same_with_and_without_other_cues_around_it(voice, fit):
    # batch_rows=1: chunks of 4 cues, so with ten cues before it the cue is in the third
    # chunk; "exact" also re-renders every cue to its window in a second pass. One row per
    # acoustic call keeps padding out, so the rendering is equal to the bit (shared batches
    # differ in float rounding only: tests/test_batch_noise_order.py).
    options = dict(fit=fit, batch_rows=1, flow=FlowControls(seed=11))
    start = 30.0
    alone = Dubber(voice, **options).render([Cue(1, start, start + 1.8, SAME)])
    around = _cues((OTHERS * 3)[:10]) + [Cue(11, start, start + 1.8, SAME)]
    around += _cues(OTHERS[:3], first_start=start + 2.0)
    crowded = Dubber(voice, **options).render(around)
    np.testing.assert_array_equal(_spoken(alone, start), _spoken(crowded, start))
    # The seed is what makes them equal: another seed renders the cue differently.
    options["flow"] = FlowControls(seed=12)
    other_seed = Dubber(voice, **options).render([Cue(1, start, start + 1.8, SAME)])
    assert _relative_difference(_spoken(other_seed, start), _spoken(alone, start)) > 0.3


def test_same_seed_writes_the_same_file_and_render_agrees(voice, tmp_path):
    cues = _cues([SAME, *OTHERS, SAME])
    options = dict(batch_rows=2, flow=FlowControls(seed=5))
    Dubber(voice, **options).render_to(cues, tmp_path / "a.wav")
    Dubber(voice, **options).render_to(cues, tmp_path / "b.wav")
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    Dubber(voice, **options).render(cues).save(tmp_path / "whole.wav")
    streamed, _ = sf.read(tmp_path / "a.wav", dtype="int16")
    whole, _ = sf.read(tmp_path / "whole.wav", dtype="int16")
    assert np.array_equal(streamed, whole) and np.abs(whole).max() > 0


def _plan(start: float) -> CuePlan:
    cue = Cue(1, start, start + 1.0, "Hi.")
    return CuePlan(cue, CueReport(1, None, "spoken", start, start + 1.0, "Hi."))


def test_noise_keys_follow_the_start_and_break_ties_in_input_order():
    keys = noise_keys([_plan(2.5), _plan(0.0), _plan(2.5), _plan(2.5004)])
    assert keys == [(2500, 0), (0, 0), (2500, 1), (2500, 2)]
    assert noise_keys([_plan(2.5)]) == [(2500, 0)]  # the others do not move it


def test_acoustic_batch_refuses_keys_that_would_share_or_collide(voice):
    utterances = [prepare_utterance(voice, text, "happy") for text in ("Hi.", "Yes.")]
    for keys, problem in [
        ([(1,)], "1 noise keys for 2 utterances"),
        ([(1,), (1,)], "the same noise key"),
        ([(1,), (1, 0)], "tuples of one length"),
        ([(1,), (-1,)], "integers in \\[0, 4294967296\\)"),
        ([(1,), (2**32,)], "integers in \\[0, 4294967296\\)"),
    ]:
        with pytest.raises(ControlError, match=problem):
            acoustic_batch(voice, utterances, flow=FlowControls(seed=1), keys=keys)
