"""Metrics against a reference recording of the same text.

Both signals are analysed at 22.05 kHz with WORLD (pyworld) on a 5 ms frame grid:

* F0 by DIO refined with StoneMask; a frame is voiced where F0 > 0. For the F0 error, the
  first and last 2 frames (10 ms) of every voiced run are left out: estimates at voicing
  onsets and offsets are unreliable and single octave slips there would dominate an RMSE.
  (Measured on a WORLD resynthesis of an RHVoice sentence: 49 cents RMSE with edges, 24
  without; Harvest gave 145 because of onset octave errors.)
* Mel-cepstrum: the CheapTrick spectral envelope, as log amplitude, is resampled onto a
  frequency axis warped by the first-order all-pass (alpha = 0.455, the usual mel
  approximation at 22.05 kHz), and its real cepstrum is taken with an inverse real FFT.
  Coefficients c1..c24 are kept; c0 (level) is left out so loudness does not count.
* Leading and trailing frames more than 40 dB below the loudest frame are trimmed, because
  systems pad utterances with different amounts of silence.

The trimmed sequences are aligned by DTW on the mel-cepstra, and along the path:

* MCD (dB) = mean over path pairs of (10 / ln 10) * sqrt(2 * sum_d (c_d - c'_d)^2);
* F0 RMSE (cents) over pairs voiced (edges excluded) in both: sqrt(mean((1200 * log2(f / f'))^2));
* V/UV error: fraction of pairs whose voicing decisions differ;
* duration ratio: trimmed synthesized duration / trimmed reference duration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
from scipy.ndimage import binary_erosion

from emotts.eval.assets import require_module
from emotts.eval.audio import resample
from emotts.eval.dtw import dtw_path, pairwise_euclidean

ANALYSIS_RATE = 22050
FRAME_PERIOD_MS = 5.0
ALPHA = 0.455
ORDER = 24
SILENCE_DB = 40.0
EDGE_FRAMES = 2
_MCD_SCALE = 10.0 / np.log(10.0) * np.sqrt(2.0)


@dataclass(frozen=True)
class Analysis:
    """Trimmed per-frame features of one utterance.

    ``mcep[T, ORDER]``; ``f0[T]`` in Hz (0 unvoiced); ``stable[T]`` marks voiced frames away
    from voicing edges, the ones the F0 error uses.
    """

    mcep: np.ndarray
    f0: np.ndarray
    stable: np.ndarray

    @property
    def duration(self) -> float:
        return len(self.f0) * FRAME_PERIOD_MS / 1000.0


@dataclass(frozen=True)
class ReferenceScores:
    mcd_db: float
    f0_rmse_cents: float
    vuv_error: float
    duration_ratio: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@cache
def _warp_table(bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interpolation indices/weights mapping linear-frequency bins onto a warped axis."""
    warped = np.linspace(0.0, np.pi, bins)
    # The all-pass with -alpha inverts the warp: linear frequency of each warped bin.
    linear = warped - 2.0 * np.arctan(ALPHA * np.sin(warped) / (1.0 + ALPHA * np.cos(warped)))
    position = linear / np.pi * (bins - 1)
    low = np.clip(np.floor(position).astype(int), 0, bins - 2)
    return low, low + 1, position - low


def mel_cepstrum(envelope: np.ndarray) -> np.ndarray:
    """``[T, ORDER]`` mel-cepstral coefficients c1..c24 of a power envelope ``[T, bins]``."""
    log_amplitude = 0.5 * np.log(np.maximum(envelope, 1e-16))
    low, high, weight = _warp_table(envelope.shape[1])
    warped = log_amplitude[:, low] * (1.0 - weight) + log_amplitude[:, high] * weight
    cepstrum = np.fft.irfft(warped, axis=1)
    return cepstrum[:, 1 : ORDER + 1]


def _active_span(samples: np.ndarray, frames: int) -> slice:
    """Frames between the first and last one within SILENCE_DB of the loudest frame."""
    hop = int(ANALYSIS_RATE * FRAME_PERIOD_MS / 1000)
    half = 2 * hop  # 20 ms window centred on each WORLD frame time
    padded = np.pad(samples, half)
    power = np.array([np.mean(padded[i * hop : i * hop + 2 * half] ** 2) for i in range(frames)])
    level = 10.0 * np.log10(power + 1e-12)
    active = np.flatnonzero(level > level.max() - SILENCE_DB)
    if active.size == 0:
        return slice(0, frames)
    return slice(int(active[0]), int(active[-1]) + 1)


def analyze(samples: np.ndarray, sample_rate: int) -> Analysis:
    """WORLD analysis of one utterance, trimmed of leading and trailing silence."""
    require_module("pyworld")
    import pyworld

    x = resample(samples, sample_rate, ANALYSIS_RATE).astype(np.float64)
    raw_f0, times = pyworld.dio(x, ANALYSIS_RATE, frame_period=FRAME_PERIOD_MS)
    f0 = pyworld.stonemask(x, raw_f0, times, ANALYSIS_RATE)
    envelope = pyworld.cheaptrick(x, f0, times, ANALYSIS_RATE)
    stable = binary_erosion(f0 > 0, iterations=EDGE_FRAMES)
    span = _active_span(x, len(f0))
    return Analysis(mcep=mel_cepstrum(envelope[span]), f0=f0[span], stable=stable[span])


def compare(synth: Analysis, ref: Analysis) -> ReferenceScores:
    """All reference metrics of ``synth`` against ``ref`` along their DTW alignment."""
    cost = pairwise_euclidean(synth.mcep, ref.mcep)
    rows, cols = dtw_path(cost)
    mcd = float(_MCD_SCALE * cost[rows, cols].mean())
    f_synth, f_ref = synth.f0[rows], ref.f0[cols]
    voiced_synth, voiced_ref = f_synth > 0, f_ref > 0
    both = synth.stable[rows] & ref.stable[cols]
    if both.any():
        cents = 1200.0 * np.log2(f_synth[both] / f_ref[both])
        f0_rmse = float(np.sqrt(np.mean(cents**2)))
    else:
        f0_rmse = float("nan")
    return ReferenceScores(
        mcd_db=mcd,
        f0_rmse_cents=f0_rmse,
        vuv_error=float(np.mean(voiced_synth != voiced_ref)),
        duration_ratio=synth.duration / max(ref.duration, 1e-9),
    )


def compare_audio(
    synth: np.ndarray, synth_rate: int, ref: np.ndarray, ref_rate: int
) -> ReferenceScores:
    return compare(analyze(synth, synth_rate), analyze(ref, ref_rate))
