"""Frame-level prosody features aligned one-to-one with the mel frames.

Alignment: mel frame ``i`` is the STFT of padded samples ``[i * hop, i * hop + n_fft)``, and the
padding is ``(n_fft - hop) / 2``, so its window is centred on original sample
``(i + 0.5) * hop``. WORLD's DIO puts frame ``k`` at time ``k * frame_period``, i.e. on sample
``k * hop`` when ``frame_period = hop / sr`` seconds. To make the two grids coincide, F0 is
analysed on the waveform with its first ``hop // 2`` samples dropped, so DIO frame ``k`` lands
on original sample ``k * hop + hop // 2``, the centre of mel frame ``k`` (exact for even hops,
half a sample early for odd ones). The result is then cut or zero-padded to ``T // hop``.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from importlib import metadata
from typing import TYPE_CHECKING

import numpy as np

from emotts.audio.config import AudioConfig
from emotts.errors import AudioError

if TYPE_CHECKING:
    import torch

# DIO's defaults: the F0 search range in Hz, wide enough for speech of any speaker.
DEFAULT_F0_MIN = 71.0
DEFAULT_F0_MAX = 800.0


def _import_pyworld() -> types.ModuleType:
    """Import pyworld, tolerating setuptools >= 81.

    pyworld 0.3.5 reads its own version through ``pkg_resources``, which recent setuptools no
    longer ships; a stand-in answering that one call is installed just for the import. Where
    setuptools still ships it, its deprecation warning is silenced: it is pyworld's to fix.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
            return importlib.import_module("pyworld")
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise
    shim = types.ModuleType("pkg_resources")
    shim.get_distribution = lambda name: types.SimpleNamespace(version=metadata.version(name))
    sys.modules["pkg_resources"] = shim
    try:
        return importlib.import_module("pyworld")
    finally:
        if sys.modules.get("pkg_resources") is shim:
            del sys.modules["pkg_resources"]


def _mono_samples(wav: np.ndarray | torch.Tensor) -> np.ndarray:
    """1-D samples (numpy or torch) as float32 numpy; AudioError for other shapes.

    Without importing torch, so that F0 extraction (the demo's pitch plot, also for an ONNX
    voice) stays on the torch-free path.
    """
    if hasattr(wav, "detach"):
        wav = wav.detach().cpu().numpy()
    samples = np.asarray(wav, dtype=np.float32)
    if samples.ndim != 1:
        raise AudioError(f"expected mono samples of shape (T,), got {tuple(samples.shape)}")
    return samples


def _num_frames(num_samples: int, cfg: AudioConfig) -> int:
    return num_samples // cfg.hop_length


def extract_f0(
    wav: np.ndarray | torch.Tensor,
    cfg: AudioConfig | None = None,
    f0_min: float = DEFAULT_F0_MIN,
    f0_max: float = DEFAULT_F0_MAX,
) -> np.ndarray:
    """F0 in Hz of a mono waveform (T,), one value per mel frame, 0 where unvoiced.

    Uses WORLD's DIO estimate refined by StoneMask, on the mel frame grid (see module doc).

    Returns:
        f0 (T // hop,) float32.
    """
    cfg = cfg or AudioConfig()
    pyworld = _import_pyworld()
    samples = _mono_samples(wav).astype(np.float64)
    frames = _num_frames(len(samples), cfg)
    shifted = np.ascontiguousarray(samples[cfg.hop_length // 2 :])
    frame_period_ms = cfg.hop_length / cfg.sample_rate * 1000.0
    coarse, times = pyworld.dio(
        shifted, cfg.sample_rate, f0_floor=f0_min, f0_ceil=f0_max, frame_period=frame_period_ms
    )
    refined = pyworld.stonemask(shifted, coarse, times, cfg.sample_rate)
    f0 = np.zeros(frames, dtype=np.float32)
    usable = min(frames, len(refined))
    f0[:usable] = refined[:usable]
    return f0


def extract_energy(wav: np.ndarray | torch.Tensor, cfg: AudioConfig | None = None) -> np.ndarray:
    """L2 norm over frequency of each magnitude STFT frame, with the mel's framing.

    Returns:
        energy (T // hop,) float32.
    """
    import torch

    from emotts.audio.mel import _front_end, as_waveform_tensor

    cfg = cfg or AudioConfig()
    tensor = as_waveform_tensor(wav)
    with torch.no_grad():
        magnitude = _front_end(cfg).to(tensor.device).magnitude(tensor)[0]  # [n_freqs, T // hop]
    return magnitude.norm(dim=0).cpu().numpy().astype(np.float32)
