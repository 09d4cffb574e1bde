import numpy as np
import pytest
from test_eval_support import SENTENCE, needs_rhvoice, rhvoice

from emotts.eval.audio import load_mono
from emotts.eval.dtw import dtw_path, pairwise_euclidean
from emotts.eval.reference import ANALYSIS_RATE, analyze, compare

pyworld = pytest.importorskip("pyworld")


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "slt.wav"
    rhvoice(SENTENCE, path)
    return load_mono(path, ANALYSIS_RATE).astype(np.float64)


def test_dtw_identity_and_shift():
    a = np.random.default_rng(0).normal(size=(30, 4))
    rows, cols = dtw_path(pairwise_euclidean(a, a))
    assert (rows == cols).all() and len(rows) == 30
    b = np.vstack([a[:1], a])  # first frame repeated
    rows, cols = dtw_path(pairwise_euclidean(b, a))
    assert pairwise_euclidean(b, a)[rows, cols].sum() == pytest.approx(0.0, abs=1e-6)


@needs_rhvoice
def test_self_comparison_is_zero(speech):
    analysis = analyze(speech, ANALYSIS_RATE)
    scores = compare(analysis, analysis)
    assert scores.mcd_db == pytest.approx(0.0, abs=1e-6)
    assert scores.f0_rmse_cents == 0.0 and scores.vuv_error == 0.0
    assert scores.duration_ratio == 1.0


@needs_rhvoice
def test_pitch_shift_gives_hundred_cents_per_semitone(speech):
    rate = ANALYSIS_RATE
    f0, times = pyworld.dio(speech, rate)
    f0 = pyworld.stonemask(speech, f0, times, rate)
    envelope = pyworld.cheaptrick(speech, f0, times, rate)
    aperiodicity = pyworld.d4c(speech, f0, times, rate)
    reference = analyze(speech, rate)
    for semitones in (2, 4):
        shifted = pyworld.synthesize(f0 * 2 ** (semitones / 12), envelope, aperiodicity, rate)
        scores = compare(analyze(shifted, rate), reference)
        assert scores.f0_rmse_cents == pytest.approx(100 * semitones, rel=0.15)
        assert scores.duration_ratio == pytest.approx(1.0, abs=0.02)


@needs_rhvoice
def test_mcd_grows_with_noise(speech):
    reference = analyze(speech, ANALYSIS_RATE)
    noise = np.random.default_rng(0).normal(size=speech.shape)
    mcds = [
        compare(analyze(speech + level * noise, ANALYSIS_RATE), reference).mcd_db
        for level in (0.003, 0.03)
    ]
    assert 0.5 < mcds[0] < mcds[1]
