"""A flow voice's seeded noise follows a sentence's place in the request, not its place in the
length-sorted batches, so adding, removing or lengthening other cues of a dub does not change
a cue's rendering (tiny untrained flow voice of tests/flow_voices.py)."""

from __future__ import annotations

import numpy as np
import pytest

from emotts.backends import load_voice
from emotts.synthesis.batch import acoustic_batch, prepare_utterance
from emotts.synthesis.sampling import FlowControls, FlowRun, FlowSampling, sentence_noise
from tests.flow_voices import make_voices


@pytest.fixture(scope="module")
def flow_voice(tmp_path_factory):
    return load_voice(make_voices(tmp_path_factory.mktemp("noise"))["flow"], backend="torch")


def _mels(voice, texts: list[str], batch_rows: int) -> list[np.ndarray]:
    utterances = [prepare_utterance(voice, text, "happy") for text in texts]
    results = acoustic_batch(voice, utterances, batch_rows=batch_rows, flow=FlowControls(seed=5))
    return [parts[0].mel for parts in results]


def test_a_row_keeps_its_noise_when_the_length_order_of_the_others_changes(flow_voice):
    short = "We walked home."
    # Row 1 is longer than row 0 in the first request and shorter in the second: sorted by
    # length, row 0 moves from the first place to the second.
    first = _mels(flow_voice, [short, "It was late and the streets were empty and cold."], 1)
    second = _mels(flow_voice, [short, "No."], 1)
    np.testing.assert_allclose(first[0], second[0], atol=1e-5)
    # The noise is what makes them equal: another seed for the same row renders differently.
    other = acoustic_batch(
        flow_voice,
        [prepare_utterance(flow_voice, short, "happy")],
        flow=FlowControls(seed=6),
    )[0][0].mel
    assert np.abs(other - first[0]).max() > 1e-3


def test_flow_run_draws_each_row_from_its_own_sentence_index():
    sampling = FlowSampling()
    run = FlowRun(sampling, seed=9, sentences=(4, 1))
    noise = run.noise(8, [6, 3])
    np.testing.assert_array_equal(noise[0], sentence_noise(9, 4, 8, 6))
    np.testing.assert_array_equal(noise[1, :, :3], sentence_noise(9, 1, 8, 3))
    assert not noise[1, :, 3:].any()
    with pytest.raises(ValueError, match="2 sentence indices for 3 rows"):
        run.noise(8, [6, 3, 2])
