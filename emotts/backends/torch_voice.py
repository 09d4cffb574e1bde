"""`Voice`: a trained voice (model.safetensors + config.json) on the torch backend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from emotts.audio.config import AudioConfig
from emotts.errors import ControlError
from emotts.models.checkpoint import load_acoustic_model
from emotts.synthesis.inputs import ACOUSTIC_INPUTS, ACOUSTIC_OUTPUTS
from emotts.synthesis.pipeline import SpeechSynthesizer
from emotts.text.ssml import PitchReference


class Voice(SpeechSynthesizer):
    """A trained voice on the torch backend (see `SpeechSynthesizer` for synthesize/stream)."""

    def __init__(self, model, config: dict, directory: Path, vocoder=None) -> None:
        super().__init__(
            AudioConfig.from_dict(config["audio"]),
            config["text"]["language"],
            config["text"]["symbols"],
            PitchReference.from_log_stats(model.config.pitch_mean, model.config.pitch_std),
        )
        self.model = model
        self.config = config
        self.directory = directory
        self._vocoder = vocoder

    @classmethod
    def load(
        cls,
        path_or_name: str | Path | None = None,
        *,
        backend: str = "auto",
        vocoder: str | None = None,
        threads: int | None = None,
    ) -> SpeechSynthesizer:
        """Kept for compatibility: the same as `emotts.load_voice` (which may return an
        `OnnxVoice` for an exported voice directory)."""
        from emotts.backends import load_voice

        return load_voice(path_or_name, backend=backend, vocoder=vocoder, threads=threads)

    @classmethod
    def from_directory(
        cls, directory: Path, *, vocoder: str | None = None, threads: int | None = None
    ) -> Voice:
        """A torch voice directory (model.safetensors + config.json) on this backend."""
        if threads is not None:
            if threads < 1:
                raise ControlError(f"threads must be a positive integer; got {threads}")
            torch.set_num_threads(threads)
        model, config = load_acoustic_model(directory)
        if vocoder is not None:
            config = {**config, "vocoder": vocoder}
        return cls(model, config, directory)

    @property
    def labels(self) -> list[str]:
        return list(self.model.config.labels)

    @property
    def speakers(self) -> list[str]:
        return list(self.model.config.speakers)

    @property
    def vocoder(self):
        if self._vocoder is None:
            from vocoders import load_vocoder

            try:
                self._vocoder = load_vocoder(self.config.get("vocoder", "hifigan-universal"))
            except ValueError as error:
                raise ControlError(str(error)) from None
        return self._vocoder

    @property
    def vocoder_context_frames(self) -> int | None:
        return self.vocoder.receptive_frames

    def seed(self, seed: int | None) -> None:
        if seed is not None:
            torch.manual_seed(seed)

    def run_acoustic(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        with torch.inference_mode():
            outputs = self.model(*(torch.from_numpy(inputs[name]) for name in ACOUSTIC_INPUTS))
        return {
            name: tensor.numpy() for name, tensor in zip(ACOUSTIC_OUTPUTS, outputs, strict=True)
        }

    def vocode(self, mel: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            wave = self.vocoder(
                torch.from_numpy(np.ascontiguousarray(mel, dtype=np.float32)).unsqueeze(0)
            )
        return np.clip(wave.squeeze(0).numpy(), -1.0, 1.0).astype(np.float32)
