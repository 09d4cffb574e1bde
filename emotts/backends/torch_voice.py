"""`Voice`: a trained voice (model.safetensors + config.json) on the torch backend."""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from pathlib import Path

# oneDNN (torch's CPU convolutions) caches a compiled primitive per input shape, up to 1024 of
# them; every sentence has its own length, so a long stream filled that cache and resident
# memory grew by ~3 MB a minute of audio (docs/reliability.md, "Soak"). A small cache keeps
# the fixed-size vocoder chunks cached and memory flat. Read when oneDNN first runs, so it is
# set before any inference; a value the user set wins.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from emotts.errors import ControlError
from emotts.models.acoustic_model import AcousticModel
from emotts.models.checkpoint import load_acoustic_model
from emotts.models.decoders.flow import FlowDecoder
from emotts.synthesis.inputs import ACOUSTIC_INPUTS, ACOUSTIC_OUTPUTS, FLOW_PREPARED_OUTPUTS
from emotts.synthesis.pipeline import SpeechSynthesizer
from emotts.synthesis.sampling import FlowRun, FlowSampling, active_passes
from emotts.text.ssml import PitchReference
from emotts.voices.config import VOCODER_SETTINGS, VoiceConfig


class Voice(SpeechSynthesizer):
    """A trained voice on the torch backend (see `SpeechSynthesizer` for synthesize/stream)."""

    def __init__(self, model: AcousticModel, voice_config: VoiceConfig, vocoder=None) -> None:
        super().__init__(
            voice_config.audio,
            voice_config.language,
            voice_config.symbols,
            PitchReference.from_log_stats(model.config.pitch_mean, model.config.pitch_std),
            voice_config.calibration,
        )
        self.config = voice_config.document
        self.model = model
        self.voice_config = voice_config
        self.directory = voice_config.directory
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
        voice_config = VoiceConfig.read(directory, "torch")
        if vocoder is not None:
            voice_config = replace(voice_config, vocoder=vocoder)
        from vocoders import vocoder_settings

        try:
            settings = asdict(vocoder_settings(voice_config.vocoder))
        except ValueError as error:
            raise ControlError(str(error)) from None
        voice_config.check_mel_settings(f"vocoder {voice_config.vocoder!r}", settings)
        model, _ = load_acoustic_model(directory)
        return cls(model, voice_config)

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

            name = self.voice_config.vocoder
            try:
                vocoder = load_vocoder(name)
            except ValueError as error:
                raise ControlError(str(error)) from None
            self.voice_config.check_mel_settings(
                f"vocoder {name!r}", {key: getattr(vocoder, key) for key in VOCODER_SETTINGS}
            )
            self._vocoder = vocoder
        return self._vocoder

    @property
    def vocoder_context_frames(self) -> int | None:
        return self.vocoder.receptive_frames

    @property
    def flow_sampling(self) -> FlowSampling | None:
        decoder = self.model.decoder
        return decoder.default_sampling if isinstance(decoder, FlowDecoder) else None

    def run_acoustic(
        self, inputs: dict[str, np.ndarray], flow: FlowRun | None = None
    ) -> dict[str, np.ndarray]:
        tensors = [torch.from_numpy(inputs[name]) for name in ACOUSTIC_INPUTS]
        decoder = self.model.decoder
        with torch.inference_mode():
            if not isinstance(decoder, FlowDecoder):
                outputs = self.model(*tensors)
                return {
                    name: tensor.numpy()
                    for name, tensor in zip(ACOUSTIC_OUTPUTS, outputs, strict=True)
                }
            # The split the ONNX voice makes too: the graph up to the decoder, then the
            # sampler on numpy noise drawn from the seed, so both backends render one seed alike.
            prepared = dict(zip(FLOW_PREPARED_OUTPUTS, self.model.prepare(*tensors), strict=True))
            run = flow or FlowRun(decoder.default_sampling)
            lengths = [int(n) for n in prepared["mel_lengths"]]
            noise = run.noise(decoder.n_mels, lengths)
            conditions, coefficients = active_passes(
                prepared["conditions"], prepared["coefficients"]
            )
            mel = decoder.sample(
                prepared["frames"],
                prepared["frame_mask"],
                conditions,
                coefficients,
                noise=torch.from_numpy(noise),
                sampling=run.sampling,
            )
        outputs = {"mel": mel, **{k: prepared[k] for k in ACOUSTIC_OUTPUTS[1:]}}
        return {name: outputs[name].numpy() for name in ACOUSTIC_OUTPUTS}

    def vocode(self, mel: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            wave = self.vocoder(
                torch.from_numpy(np.ascontiguousarray(mel, dtype=np.float32)).unsqueeze(0)
            )
        return np.clip(wave.squeeze(0).numpy(), -1.0, 1.0).astype(np.float32)
