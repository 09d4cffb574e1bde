"""``<prosody rate="...">`` spans through the Voice API, the shared pipeline and `emotts synth`.

As in test_api_voice.py the voice is the "tiny" preset with untrained weights and a duration
head biased to ~6 frames per phoneme: a rate only rescales predicted durations, so the
predictions need not be good, only non-trivial. Word lengths are compared in frames; cumulative
rounding moves each word boundary by at most half a frame, so a word's length is within one
frame of its exact value.
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile
import torch

from emotts.audio.config import AudioConfig
from emotts.backends.torch_voice import Voice
from emotts.cli import main
from emotts.emotion.labels import LABELS
from emotts.emotion.spec import EmotionSpec
from emotts.errors import MarkupError
from emotts.models import AcousticConfig, AcousticModel
from emotts.models.checkpoint import save_voice
from emotts.models.layers import ConditionalLayerNorm
from emotts.synthesis.pipeline import SpeechSynthesizer
from emotts.text.symbols import default_symbols

HOP, RATE = 256, 22050
PLAIN = 'Please <emotion name="sad">take your time</emotion> with this.'
SLOW = (
    'Please <emotion name="sad"><prosody rate="0.5">take your</prosody> time</emotion> with this.'
)
SLOWED = ("take", "your")


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory):
    torch.manual_seed(0)
    symbols = default_symbols()
    config = AcousticConfig.preset(
        "tiny",
        n_symbols=len(symbols),
        labels=list(LABELS),
        speakers=["ann"],
        pitch_mean=5.3,
        pitch_std=0.25,
        energy_mean=20.0,
        energy_std=10.0,
    )
    model = AcousticModel(config)
    with torch.no_grad():
        model.variance_adaptor.duration.head.bias.fill_(float(np.log(7.0)))
        for module in model.modules():
            if isinstance(module, ConditionalLayerNorm):
                module.to_scale_shift.weight.normal_(0.0, 0.2)
    directory = tmp_path_factory.mktemp("voice")
    save_voice(
        directory,
        model,
        audio_config=AudioConfig(),
        language="en-us",
        symbols=symbols,
        vocoder="griffinlim",
    )
    return directory


@pytest.fixture(scope="module")
def voice(voice_dir):
    return Voice.load(voice_dir)


def _frames(audio) -> dict[str, int]:
    return {w.word: round((w.end - w.start) * RATE / HOP) for w in audio.words}


@pytest.fixture(scope="module")
def plain(voice) -> dict[str, int]:
    """Frames per word of the untagged text (Griffin-Lim is slow: synthesized once)."""
    return _frames(voice.synthesize(PLAIN))


def test_slow_span_doubles_its_words_and_leaves_the_others(voice, plain):
    slow = _frames(voice.synthesize(SLOW))
    assert list(plain) == list(slow) == ["Please", "take", "your", "time", "with", "this"]
    for word in plain:
        assert plain[word] >= 10, "the test needs words several frames long"
        if word in SLOWED:
            # Exact length doubles; each measured length is within one frame of exact.
            assert abs(slow[word] - 2 * plain[word]) <= 3, (word, plain, slow)
        else:
            assert abs(slow[word] - plain[word]) <= 1, (word, plain, slow)


def test_rate_combines_with_the_global_speed(voice, plain):
    fast = _frames(voice.synthesize(SLOW, speed=2.0))  # rate 0.5 x speed 2 = natural
    for word in plain:
        expected = plain[word] if word in SLOWED else plain[word] / 2
        assert abs(fast[word] - expected) <= 2, (word, plain, fast)


@pytest.mark.parametrize("seconds", [1.5, 3.0])
def test_exact_duration_with_a_prosody_span(voice, seconds):
    slow = voice.synthesize(f"Short one. {SLOW}", duration=seconds)
    assert abs(slow.duration - seconds) <= HOP / RATE / 2 + 1e-9
    plain = voice.synthesize(f"Short one. {PLAIN}", duration=seconds)
    # Under the same budget the slowed words still take about twice their plain share
    # (relative to the words after them; sums keep rounding small).
    ratios = []
    for audio in (plain, slow):
        frames = _frames(audio)
        ratios.append(sum(frames[w] for w in SLOWED) / sum(frames[w] for w in ("time", "with")))
    assert 1.75 < ratios[1] / ratios[0] < 2.25, ratios


class _Recording(SpeechSynthesizer):
    """A backend that only says how to run the networks, as `OnnxVoice` does; it records the
    named inputs the shared pipeline hands it."""

    def __init__(self, voice: Voice) -> None:
        super().__init__(voice.audio_config, voice.language, voice.frontend.symbols.to_list())
        self.voice = voice
        self.inputs: list[dict[str, np.ndarray]] = []

    labels = property(lambda self: self.voice.labels)
    speakers = property(lambda self: self.voice.speakers)

    def run_acoustic(self, inputs):
        self.inputs.append(inputs)
        return self.voice.run_acoustic(inputs)

    def vocode(self, mel):
        return np.zeros(mel.shape[1] * self.audio_config.hop_length, np.float32)


def test_every_backend_gets_the_scales_as_model_input(voice):
    backend = _Recording(voice)
    text = 'One <prosody rate="0.5">two</prosody>. <prosody rate="2">Three</prosody> four.'
    backend.synthesize(text, duration=1.5)
    assert len(backend.inputs) == 2  # natural lengths, then the exact-duration pass
    sentences = backend.frontend.process(text, EmotionSpec.neutral())
    for inputs in backend.inputs:
        scale = inputs["duration_scale"]
        for row, sentence in enumerate(sentences):
            n = len(sentence.phoneme_ids)
            np.testing.assert_allclose(scale[row, :n], sentence.duration_scales)
            assert np.all(scale[row, n:] == 1.0)
        assert set(np.unique(scale)) == {0.5, 1.0, 2.0}


def test_prosody_errors_reach_the_user(voice, voice_dir, tmp_path, capsys):
    with pytest.raises(MarkupError, match="rate 9.0 is outside"):
        voice.synthesize('<prosody rate="9">Hi.</prosody>')
    with pytest.raises(MarkupError, match="crosses"):
        voice.synthesize('<emotion name="sad"><prosody rate="0.5">Hi.</emotion></prosody>')
    argv = ["synth", "-v", str(voice_dir), "-o", str(tmp_path / "x.wav")]
    assert main([*argv, "-t", '<prosody rate="x">Hi.</prosody>']) == 2
    assert "not a number" in capsys.readouterr().err


def test_cli_duration_with_a_prosody_span(voice_dir, tmp_path):
    out = tmp_path / "out.wav"
    text = 'Cli <prosody rate="0.6">test</prosody> sentence.'
    assert (
        main(["synth", "-v", str(voice_dir), "-t", text, "--duration", "1.5", "-o", str(out)]) == 0
    )
    data, rate = soundfile.read(out)
    assert rate == RATE and abs(len(data) / rate - 1.5) <= HOP / RATE
