"""vocoders: Griffin-Lim fallback, load_vocoder, and independence from emotts."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

import vocoders
from vocoders import GriffinLim, HiFiGAN, load_vocoder

torch.set_num_threads(1)


def test_griffinlim_length_and_non_silence():
    mel = torch.full((2, 80, 20), np.log(1e-5))
    mel[:, 5:15, 4:16] = 0.0
    wav = GriffinLim(n_iter=4)(mel)
    assert wav.shape == (2, 20 * 256)
    assert torch.isfinite(wav).all() and wav.abs().max() <= 1.0
    assert wav.std() > 1e-3


def test_griffinlim_is_deterministic():
    mel = torch.randn(1, 80, 8) - 3
    vocoder = GriffinLim(n_iter=2)
    torch.testing.assert_close(vocoder(mel), vocoder(mel))


def test_load_vocoder_names():
    assert isinstance(load_vocoder("griffinlim"), GriffinLim)
    assert isinstance(load_vocoder("hifigan-universal"), HiFiGAN)
    with pytest.raises(ValueError, match="'wavenet'.*hifigan-universal, vocos-emotts, griffinlim"):
        load_vocoder("wavenet")


def test_vocoders_never_import_emotts():
    for source in Path(vocoders.__file__).parent.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "emotts" for m in modules), source.name
