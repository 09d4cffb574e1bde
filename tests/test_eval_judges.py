"""The pretrained judges: load from wheels with no network, and rank obvious cases right."""

import numpy as np
import pytest
from test_eval_support import SENTENCE, needs_rhvoice, rhvoice

from emotts.eval import assets
from emotts.eval.intelligibility import error_counts

pytestmark = needs_rhvoice


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    folder = tmp_path_factory.mktemp("judges")
    return {name: rhvoice(SENTENCE, folder / f"{name}.wav", name) for name in ("slt", "bdl")}


def test_missing_judge_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(assets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(assets.JudgeMissingError, match="emotts\\[eval\\]"):
        assets.whisper_model_dir()


def test_whisper_transcribes_clear_speech(voices):
    from emotts.eval.intelligibility import WhisperJudge

    samples, rate = voices["slt"]
    transcript = WhisperJudge().transcribe(samples, rate)
    assert error_counts(SENTENCE, transcript).wer <= 0.15, transcript


def test_dnsmos_prefers_clean_speech(voices):
    from emotts.eval.quality import DnsmosJudge

    samples, rate = voices["slt"]
    noisy = samples + 0.1 * np.random.default_rng(0).normal(size=samples.shape).astype(np.float32)
    judge = DnsmosJudge()
    clean, dirty = judge.score(samples, rate), judge.score(noisy, rate)
    assert clean["ovrl"] > dirty["ovrl"] and clean["bak"] > dirty["bak"]
    assert 1.0 <= dirty["ovrl"] <= clean["ovrl"] <= 5.0


def test_speaker_similarity_same_above_different(voices, tmp_path):
    from emotts.eval.speaker import SpeakerJudge

    other_text, rate = rhvoice(
        "A completely different sentence about the weather.", tmp_path / "s2.wav"
    )
    judge = SpeakerJudge()
    slt, slt_rate = voices["slt"]
    bdl, bdl_rate = voices["bdl"]
    same = judge.similarity(slt, slt_rate, other_text, rate)
    different = judge.similarity(slt, slt_rate, bdl, bdl_rate)
    assert same > different
    assert same > 0.8
