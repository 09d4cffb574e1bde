"""vocoders.hifigan: checkpoint loading and output shape of HiFi-GAN universal."""

from __future__ import annotations

import pytest
import torch

from vocoders import HiFiGAN, Vocoder
from vocoders.hifigan import _fold_weight_norm

torch.set_num_threads(2)


@pytest.fixture(scope="module")
def hifigan() -> HiFiGAN:
    return HiFiGAN.universal()


def test_universal_settings(hifigan):
    assert isinstance(hifigan, Vocoder)
    assert (hifigan.sample_rate, hifigan.hop_length, hifigan.n_mels) == (22050, 256, 80)
    assert not hifigan.training
    assert not any(p.requires_grad for p in hifigan.parameters())
    # Weight norm is folded away: plain weights only.
    names = [name for name, _ in hifigan.named_parameters()]
    assert "conv_pre.weight" in names and not any(
        n.endswith(("weight_g", "weight_v")) for n in names
    )


@pytest.mark.parametrize("frames", [1, 17])
def test_output_length_and_non_silence(hifigan, frames):
    mel = torch.full((2, 80, frames), -6.0)
    mel[:, 10:30] = -1.0  # some low-frequency energy
    wav = hifigan(mel)
    assert wav.shape == (2, frames * 256)
    assert wav.abs().max() <= 1.0
    assert wav.std() > 1e-3


def test_fold_weight_norm_matches_torch():
    conv = torch.nn.utils.parametrizations.weight_norm(torch.nn.ConvTranspose1d(4, 3, 5))
    original = conv.weight.detach().clone()
    state = {
        "bias": conv.bias.detach(),
        "weight_g": conv.parametrizations.weight.original0.detach(),
        "weight_v": conv.parametrizations.weight.original1.detach(),
    }
    folded = _fold_weight_norm({f"up.{k}": v for k, v in state.items()})
    assert set(folded) == {"up.bias", "up.weight"}
    torch.testing.assert_close(folded["up.weight"], original)
