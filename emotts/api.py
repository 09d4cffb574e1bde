"""The Python API: `Voice`, `Emotion`, `Audio`.

    from emotts import Voice, Emotion
    voice = Voice.load()                      # the default voice shipped in the package
    audio = voice.synthesize("Hello there!", emotion=Emotion.label("happy", intensity=1.3))
    audio.save("hello.wav"); audio.words     # word timings in seconds
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from emotts.audio.config import AudioConfig
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.errors import ControlError, EmotionSpecError
from emotts.models.checkpoint import load_acoustic_model
from emotts.synthesis.controls import SynthesisControls, resolve_speaker, split_frames
from emotts.synthesis.inputs import ACOUSTIC_INPUTS, build_inputs
from emotts.synthesis.result import Audio, concatenate, sentence_audio
from emotts.text.frontend import TextFrontend
from emotts.text.symbols import SymbolTable
from emotts.voices import resolve_voice

Emotion = EmotionSpec
BACKENDS = ("torch", "onnx", "auto")
# Sentences synthesized together in one batch: bounds memory for long texts.
_BATCH_SENTENCES = 8


def coerce_emotion(emotion: EmotionSpec | str | None) -> EmotionSpec:
    """None -> neutral; a string in the command-line syntax -> parsed; a spec -> itself."""
    if emotion is None:
        return EmotionSpec.neutral()
    if isinstance(emotion, EmotionSpec):
        return emotion
    if isinstance(emotion, str):
        return parse_emotion(emotion)
    raise EmotionSpecError(
        f"emotion must be an Emotion, a string such as 'happy' or 'happy:0.6,sad:0.4', or None; "
        f"got {type(emotion).__name__}"
    )


class Voice:
    """A trained voice on the torch backend: text (+ markup) and emotion in, `Audio` out."""

    def __init__(self, model, config: dict, directory: Path, vocoder=None) -> None:
        self.model = model
        self.config = config
        self.directory = directory
        self.audio_config = AudioConfig.from_dict(config["audio"])
        self.language = config["text"]["language"]
        self.frontend = TextFrontend(SymbolTable.from_list(config["text"]["symbols"]), self.language)
        self._vocoder = vocoder

    @classmethod
    def load(
        cls,
        path_or_name: str | Path | None = None,
        *,
        backend: str = "auto",
        vocoder: str | None = None,
        threads: int | None = None,
    ):
        """Load a voice directory, a shipped voice by name, or the default voice (None).

        backend: "torch", "onnx" (an exported voice, served by onnxruntime) or "auto" (ONNX
        when the directory is an exported voice, torch otherwise).
        """
        if backend not in BACKENDS:
            raise ControlError(f"unknown backend {backend!r}; accepted: {', '.join(BACKENDS)}")
        directory = resolve_voice(path_or_name)
        is_onnx = (directory / "voice.json").is_file() and not (directory / "model.safetensors").is_file()
        if backend == "onnx" or (backend == "auto" and is_onnx):
            from emotts.onnx.runtime import OnnxVoice

            return OnnxVoice.load(directory, threads=threads)
        if threads is not None:
            torch.set_num_threads(threads)
        model, config = load_acoustic_model(directory)
        voice = cls(model, config, directory)
        if vocoder is not None:
            voice.config = {**config, "vocoder": vocoder}
        return voice

    @property
    def labels(self) -> list[str]:
        return list(self.model.config.labels)

    @property
    def speakers(self) -> list[str]:
        return list(self.model.config.speakers)

    @property
    def sample_rate(self) -> int:
        return self.audio_config.sample_rate

    @property
    def vocoder(self):
        if self._vocoder is None:
            from vocoders import load_vocoder

            try:
                self._vocoder = load_vocoder(self.config.get("vocoder", "hifigan-universal"))
            except ValueError as error:
                raise ControlError(str(error)) from None
        return self._vocoder

    def synthesize(
        self,
        text: str,
        emotion: EmotionSpec | str | None = None,
        *,
        speaker: str | int | None = None,
        speed: float = 1.0,
        duration: float | None = None,
        pitch_shift: float = 0.0,
        pitch_range: float = 1.0,
        energy_scale: float = 1.0,
        seed: int | None = None,
    ) -> Audio:
        """Speak ``text`` (inline emotion markup allowed) with ``emotion`` as the default.

        ``duration`` (seconds) is met exactly up to one frame (hop / sample rate); the frames
        are shared among sentences in proportion to their natural lengths.
        """
        controls = SynthesisControls(speed, duration, pitch_shift, pitch_range, energy_scale)
        sentences = self.frontend.process(text, coerce_emotion(emotion))
        speaker_id = resolve_speaker(speaker, self.speakers)
        if seed is not None:
            torch.manual_seed(seed)
        targets = None
        if controls.duration is not None:
            total = round(controls.duration * self.sample_rate / self.audio_config.hop_length)
            natural = [int(n) for n in self._acoustic(sentences, speaker_id, controls)["mel_lengths"]]
            targets = split_frames(total, natural)
        return concatenate(list(self._render(sentences, speaker_id, controls, targets)))

    def stream(self, text: str, emotion: EmotionSpec | str | None = None, **options) -> Iterator[Audio]:
        """Yield one `Audio` per sentence as soon as it is ready (timings relative to it)."""
        duration = options.pop("duration", None)
        if duration is not None:
            raise ControlError("duration cannot be combined with streaming; use synthesize()")
        seed = options.pop("seed", None)
        speaker = options.pop("speaker", None)
        controls = SynthesisControls(**options)
        sentences = self.frontend.process(text, coerce_emotion(emotion))
        speaker_id = resolve_speaker(speaker, self.speakers)
        if seed is not None:
            torch.manual_seed(seed)
        for sentence in sentences:
            yield from self._render([sentence], speaker_id, controls, None)

    def _acoustic(self, sentences, speaker_id, controls, targets=None) -> dict[str, np.ndarray]:
        """Run the acoustic model over sentences in bounded batches; returns per-row arrays."""
        results: dict[str, list] = {"mel": [], "mel_lengths": [], "durations": []}
        for start in range(0, len(sentences), _BATCH_SENTENCES):
            chunk = sentences[start : start + _BATCH_SENTENCES]
            chunk_targets = targets[start : start + _BATCH_SENTENCES] if targets else None
            arrays = build_inputs(chunk, self.labels, speaker_id, controls, chunk_targets)
            with torch.inference_mode():
                mel, mel_lengths, durations, _, _ = self.model(
                    *(torch.from_numpy(arrays[name]) for name in ACOUSTIC_INPUTS)
                )
            for row in range(len(chunk)):
                results["mel"].append(mel[row, :, : int(mel_lengths[row])].numpy())
                results["mel_lengths"].append(int(mel_lengths[row]))
                results["durations"].append(durations[row, : len(chunk[row].phoneme_ids)].numpy())
        return results

    def _render(self, sentences, speaker_id, controls, targets) -> Iterator[Audio]:
        acoustic = self._acoustic(sentences, speaker_id, controls, targets)
        hop = self.audio_config.hop_length
        for sentence, mel, durations in zip(sentences, acoustic["mel"], acoustic["durations"], strict=True):
            samples = self.vocode(mel)
            yield sentence_audio(sentence, durations, samples[: mel.shape[1] * hop], self.sample_rate, hop, mel)

    def vocode(self, mel: np.ndarray) -> np.ndarray:
        """[80, T_fr] log-mel -> float32 waveform of T_fr * hop samples."""
        if mel.shape[1] == 0:
            return np.zeros(0, np.float32)
        with torch.inference_mode():
            wave = self.vocoder(torch.from_numpy(np.ascontiguousarray(mel)).float().unsqueeze(0))
        return np.clip(wave.squeeze(0).numpy(), -1.0, 1.0).astype(np.float32)
