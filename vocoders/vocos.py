"""A small Vocos-style vocoder: ConvNeXt backbone on the mel, STFT head, inverse STFT.

Every layer works at the mel frame rate (86 frames/s at 22050 Hz, hop 256) and the only
upsampling is the inverse STFT, which is why it runs tens of times faster than HiFi-GAN's
stack of transposed convolutions. Weights trained in this project ship inside the package
(``vocoders/weights/``) as fp16 safetensors plus a JSON config.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from einops import rearrange
from torch import nn
from torch.nn import functional as F

from vocoders.base import Vocoder
from vocoders.istft import InverseSTFT
from vocoders.settings import UNIVERSAL, MelSettings

WEIGHTS_DIR = Path(__file__).parent / "weights"
# Log-magnitudes above this (|X| > e^7 ~ 1100) never occur in speech at this scale; the cap
# keeps exp() finite while an untrained head still emits large values.
_MAX_LOG_MAGNITUDE = 7.0


@dataclass(frozen=True)
class VocosSettings:
    """Architecture of the network; stored beside the weights as ``config.json``."""

    dim: int = 256
    intermediate_dim: int = 768
    layers: int = 8
    kernel_size: int = 7
    n_fft: int = 1024
    hop_length: int = 256
    n_mels: int = 80
    sample_rate: int = 22050

    @property
    def receptive_frames(self) -> int:
        """Frames of context each side that influence one output frame (convs + iSTFT)."""
        convs = (self.kernel_size // 2) * (self.layers + 1)
        return convs + self.n_fft // self.hop_length


class ConvNeXtBlock(nn.Module):
    """Depthwise conv -> LayerNorm -> pointwise MLP (GELU) -> layer scale, residual.

    x: [B, dim, T] -> [B, dim, T].
    """

    def __init__(self, dim: int, intermediate_dim: int, kernel_size: int, layer_scale: float):
        super().__init__()
        self.depthwise = nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.expand = nn.Linear(dim, intermediate_dim)
        self.project = nn.Linear(intermediate_dim, dim)
        self.gamma = nn.Parameter(torch.full((dim,), layer_scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = rearrange(self.depthwise(x), "b c t -> b t c")
        y = self.project(F.gelu(self.expand(self.norm(y)))) * self.gamma
        return x + rearrange(y, "b t c -> b c t")


class VocosVocoder(Vocoder):
    """mel [B, n_mels, T] -> waveform [B, T * hop].

    The head predicts per bin a log-magnitude and a phase angle; the spectrum
    ``exp(m) * (cos p, sin p)`` goes through :class:`InverseSTFT`.
    """

    def __init__(self, settings: VocosSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or VocosSettings()
        s = self.settings
        self.sample_rate = s.sample_rate
        self.hop_length = s.hop_length
        self.n_mels = s.n_mels
        self.receptive_frames = s.receptive_frames
        self.embed = nn.Conv1d(s.n_mels, s.dim, s.kernel_size, padding=s.kernel_size // 2)
        self.embed_norm = nn.LayerNorm(s.dim, eps=1e-6)
        self.blocks = nn.ModuleList(
            ConvNeXtBlock(s.dim, s.intermediate_dim, s.kernel_size, layer_scale=1.0 / s.layers)
            for _ in range(s.layers)
        )
        self.final_norm = nn.LayerNorm(s.dim, eps=1e-6)
        self.bins = s.n_fft // 2 + 1
        self.head = nn.Linear(s.dim, 2 * self.bins)
        self.istft = InverseSTFT(s.n_fft, s.hop_length)

    def spectrum(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """mel [B, n_mels, T] -> (real, imag) each [B, n_fft/2+1, T]."""
        x = self.embed(mel)
        x = rearrange(self.embed_norm(rearrange(x, "b c t -> b t c")), "b t c -> b c t")
        for block in self.blocks:
            x = block(x)
        out = self.head(self.final_norm(rearrange(x, "b c t -> b t c")))
        out = rearrange(out, "b t k -> b k t")
        log_magnitude, phase = out[:, : self.bins], out[:, self.bins :]
        magnitude = torch.exp(log_magnitude.clamp(max=_MAX_LOG_MAGNITUDE))
        return magnitude * torch.cos(phase), magnitude * torch.sin(phase)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        real, imag = self.spectrum(mel)
        return self.istft(real, imag).clamp(-1.0, 1.0)

    def mel_settings(self) -> MelSettings:
        return UNIVERSAL

    def save(self, directory: str | Path) -> None:
        """Write ``model.safetensors`` (fp16) and ``config.json`` into ``directory``."""
        from safetensors.torch import save_file

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to(torch.float16).contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(directory / "model.safetensors"))
        (directory / "config.json").write_text(json.dumps(asdict(self.settings), indent=2) + "\n")

    @classmethod
    def from_directory(cls, directory: str | Path) -> VocosVocoder:
        """Load weights saved by :meth:`save`; ValueError naming the file when they do not fit."""
        from safetensors.torch import load_file

        directory = Path(directory)
        config_path, weights_path = directory / "config.json", directory / "model.safetensors"
        for path in (config_path, weights_path):
            if not path.is_file():
                raise ValueError(f"vocoder file {str(path)!r} is missing")
        try:
            settings = VocosSettings(**json.loads(config_path.read_text()))
        except (TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"vocoder config {str(config_path)!r} is invalid: {error}") from None
        model = cls(settings)
        try:
            state = load_file(str(weights_path))
            model.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
        except (RuntimeError, OSError) as error:
            raise ValueError(f"vocoder weights {str(weights_path)!r} do not load: {error}") from None
        return model

    @classmethod
    def shipped(cls) -> VocosVocoder:
        """The vocoder trained in this project, shipped in ``vocoders/weights/vocos-emotts``."""
        return cls.from_directory(WEIGHTS_DIR / "vocos-emotts")
