"""The iSTFT vocoder: exact inverse STFT, weight files, ONNX parity, training steps."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from vocoders import VocosSettings, VocosVocoder, load_vocoder
from vocoders.istft import InverseSTFT

SMALL = VocosSettings(dim=32, intermediate_dim=64, layers=2)


def test_inverse_stft_inverts_the_front_end_framing() -> None:
    torch.manual_seed(0)
    wave = torch.randn(2, 256 * 40)
    pad = (1024 - 256) // 2
    padded = F.pad(wave.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
    spec = torch.stft(
        padded, 1024, 256, 1024, torch.hann_window(1024), center=False, return_complex=True
    )
    assert spec.shape[-1] == 40
    again = InverseSTFT(1024, 256)(spec.real, spec.imag)
    assert again.shape == wave.shape
    assert torch.allclose(again, wave, atol=1e-5)


def test_inverse_stft_refuses_framing_it_cannot_invert() -> None:
    with pytest.raises(ValueError, match="multiple of hop_length"):
        InverseSTFT(1000, 300)
    with pytest.raises(ValueError, match="must be even"):
        InverseSTFT(1024, 255)


def test_output_has_exactly_hop_samples_per_frame() -> None:
    vocoder = VocosVocoder(SMALL).eval()
    with torch.inference_mode():
        wave = vocoder(torch.randn(3, 80, 17) - 5)
    assert wave.shape == (3, 17 * 256)
    assert wave.abs().max() <= 1.0


def test_weights_round_trip_in_fp16(tmp_path) -> None:
    torch.manual_seed(0)
    vocoder = VocosVocoder(SMALL).eval()
    vocoder.save(tmp_path)
    assert json.loads((tmp_path / "config.json").read_text())["dim"] == 32
    again = VocosVocoder.from_directory(tmp_path).eval()
    mel = torch.randn(1, 80, 20) - 5
    with torch.inference_mode():
        assert torch.allclose(vocoder(mel), again(mel), atol=2e-3)


def test_broken_weight_files_are_refused_by_name(tmp_path) -> None:
    with pytest.raises(ValueError, match="config.json' is missing"):
        VocosVocoder.from_directory(tmp_path)
    VocosVocoder(SMALL).save(tmp_path)
    (tmp_path / "config.json").write_text('{"dim": 32, "colour": "blue"}')
    with pytest.raises(ValueError, match="config.json' is invalid"):
        VocosVocoder.from_directory(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"dim": 48}))
    with pytest.raises(ValueError, match="model.safetensors' do not load"):
        VocosVocoder.from_directory(tmp_path)


def test_unknown_vocoder_name_lists_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match="vocos-emotts"):
        load_vocoder("vocos-emotions")


def test_onnx_export_matches_torch_and_has_no_spectral_ops(tmp_path) -> None:
    onnx = pytest.importorskip("onnx")
    import onnxruntime as ort

    from emotts.onnx.export import export_vocoder

    torch.manual_seed(0)
    vocoder = VocosVocoder(SMALL).eval()
    path = export_vocoder(vocoder, tmp_path / "vocoder.onnx", {"vocoder": "test"})
    proto = onnx.load(str(path))
    assert {op.version for op in proto.opset_import if op.domain in ("", "ai.onnx")} == {17}
    ops = {node.op_type for node in proto.graph.node}
    assert not ops & {"STFT", "DFT"}
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for frames in (9, 50):
        mel = np.random.default_rng(frames).normal(-5, 1, (2, 80, frames)).astype(np.float32)
        (ours,) = session.run(None, {"mel": mel})
        with torch.inference_mode():
            reference = vocoder(torch.from_numpy(mel)).numpy()
        assert ours.shape == (2, frames * 256)
        assert np.abs(ours - reference).max() < 1e-4
