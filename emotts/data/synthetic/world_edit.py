"""Signal-level emotion edits with WORLD analysis/resynthesis (pyworld).

RHVoice sets F0 level, tempo and loudness; here the utterance is decomposed into F0,
spectral envelope and aperiodicity, edited, and resynthesized:

* pauses: interior silences are lengthened or shortened (frame repetition/dropping);
* F0 range: log-F0 deviations from the utterance mean are scaled (mean kept);
* contour: a linear declination over the utterance and a raised-cosine movement on the
  last 0.4 s of voicing (final rise for surprise, final fall for disgust/anger);
* jitter (per-frame random F0 perturbation) and tremor (slow sinusoidal F0 modulation);
* spectral tilt for vocal effort (high frequencies up/down relative to <= 500 Hz);
* breathiness: aperiodicity raised above ~1 kHz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyworld

from emotts.data.synthetic.rules import TREMOR_HZ, Prosody

FRAME_MS = 5.0
F0_FLOOR, F0_CEIL = 60.0, 600.0
SILENCE_DB = -40.0  # frame RMS below peak frame RMS by this much, and unvoiced, is silence
MIN_PAUSE_S = 0.06  # shorter silences are stop closures, not pauses
FINAL_SPAN_S = 0.4
TILT_LOW_HZ, TILT_HIGH_HZ = 500.0, 8000.0
BREATH_FROM_HZ, BREATH_FULL_HZ = 500.0, 2000.0


@dataclass(frozen=True)
class EditReport:
    """What the edit did, for sanity checks: source and target durations and F0 medians."""

    source_s: float
    target_s: float
    source_f0_hz: float
    target_f0_hz: float


def _frame_rms_db(x: np.ndarray, n_frames: int, sr: int) -> np.ndarray:
    hop = int(sr * FRAME_MS / 1000)
    padded = np.pad(x, (0, max(0, n_frames * hop - len(x))))
    frames = padded[: n_frames * hop].reshape(n_frames, hop)
    return 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def silent_frames(x64: np.ndarray, f0: np.ndarray, sr: int) -> np.ndarray:
    """Frames that are quiet (SILENCE_DB below the loudest) and unvoiced."""
    level = _frame_rms_db(x64, len(f0), sr)
    return (level < level.max() + SILENCE_DB) & (f0 == 0)


def pause_frame_map(silent: np.ndarray, scale: float) -> np.ndarray:
    """Source frame index for every output frame, with interior silent runs scaled.

    Leading and trailing silence is kept as is: it is padding, not a pause.
    """
    voiced_idx = np.flatnonzero(~silent)
    if voiced_idx.size == 0:
        return np.arange(len(silent))
    first, last = voiced_idx[0], voiced_idx[-1]
    min_run = int(MIN_PAUSE_S * 1000 / FRAME_MS)
    pieces: list[np.ndarray] = [np.arange(0, first)]
    i = first
    while i <= last:
        j = i
        while j <= last and silent[j] == silent[i]:
            j += 1
        run = np.arange(i, j)
        if silent[i] and len(run) >= min_run:
            new_len = max(1, round(len(run) * scale))
            run = run[np.linspace(0, len(run) - 1, new_len).round().astype(int)]
        pieces.append(run)
        i = j
    pieces.append(np.arange(last + 1, len(silent)))
    return np.concatenate(pieces)


def edit_f0(
    f0: np.ndarray, prosody: Prosody, rng: np.random.Generator, frame_s: float
) -> np.ndarray:
    """Apply range, declination, final movement, jitter and tremor to a WORLD F0 track."""
    voiced = f0 > 0
    if not voiced.any():
        return f0
    log_f0 = np.zeros_like(f0)
    log_f0[voiced] = np.log2(f0[voiced])
    mean = log_f0[voiced].mean()
    out = np.where(voiced, mean + prosody.f0_range * (log_f0 - mean), 0.0)
    t = np.arange(len(f0)) * frame_s
    idx = np.flatnonzero(voiced)
    t0, t1 = t[idx[0]], t[idx[-1]]
    span = max(t1 - t0, frame_s)
    # Declination is centred, so it shapes the contour without moving the mean level.
    out += prosody.declination_st / 12.0 * ((t - t0) / span - 0.5)
    ramp = np.clip((t - (t1 - FINAL_SPAN_S)) / FINAL_SPAN_S, 0.0, 1.0)
    out += prosody.final_st / 12.0 * 0.5 * (1.0 - np.cos(np.pi * ramp))
    hz = np.where(voiced, 2.0**out, 0.0)
    tremor = 1.0 + prosody.tremor * np.sin(2 * np.pi * TREMOR_HZ * t)
    jitter = 1.0 + prosody.jitter * rng.standard_normal(len(f0))
    hz = hz * tremor * jitter
    return np.where(voiced, np.clip(hz, F0_FLOOR, F0_CEIL), 0.0)


def _tilt_gain(freqs: np.ndarray, tilt_db: float) -> np.ndarray:
    """Power gain per frequency bin: 0 dB up to 500 Hz, rising log-linearly to tilt_db at 8 kHz."""
    pos = np.log2(np.maximum(freqs, TILT_LOW_HZ) / TILT_LOW_HZ) / np.log2(
        TILT_HIGH_HZ / TILT_LOW_HZ
    )
    return 10.0 ** (tilt_db * np.clip(pos, 0.0, 1.0) / 10.0)


def _breathy(ap: np.ndarray, freqs: np.ndarray, amount: float) -> np.ndarray:
    weight = np.clip((freqs - BREATH_FROM_HZ) / (BREATH_FULL_HZ - BREATH_FROM_HZ), 0.0, 1.0)
    return 1.0 - (1.0 - ap) * (1.0 - amount * weight)


def apply_world_edits(
    x: np.ndarray, sr: int, prosody: Prosody, rng: np.random.Generator
) -> tuple[np.ndarray, EditReport]:
    """Edited waveform (float32, same sample rate) and a report of what changed."""
    x64 = x.astype(np.float64)
    frame_s = FRAME_MS / 1000.0
    f0, times = pyworld.dio(x64, sr, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_MS)
    f0 = pyworld.stonemask(x64, f0, times, sr)
    sp = pyworld.cheaptrick(x64, f0, times, sr)
    ap = pyworld.d4c(x64, f0, times, sr)

    frame_map = pause_frame_map(silent_frames(x64, f0, sr), prosody.pause_scale)
    f0, sp, ap = f0[frame_map], sp[frame_map], ap[frame_map]

    new_f0 = edit_f0(f0, prosody, rng, frame_s)
    freqs = np.linspace(0.0, sr / 2.0, sp.shape[1])
    sp = sp * _tilt_gain(freqs, prosody.tilt_db)[None, :]
    ap = _breathy(ap, freqs, prosody.breathiness)
    y = pyworld.synthesize(new_f0, np.ascontiguousarray(sp), np.ascontiguousarray(ap), sr, FRAME_MS)

    def median_hz(track: np.ndarray) -> float:
        voiced = track[track > 0]
        return float(np.median(voiced)) if voiced.size else 0.0

    report = EditReport(
        source_s=len(x) / sr,
        target_s=len(frame_map) * frame_s,
        source_f0_hz=median_hz(f0),
        target_f0_hz=median_hz(new_f0),
    )
    return y.astype(np.float32), report
