"""Putting speech on one track: placement, bed with ducking, and a peak limiter.

Overlapping cues add up; a look-ahead peak limiter then keeps the sum under the ceiling
(-1 dBFS) by lowering only the passages that would exceed it, so overlaps never clip and the
rest of the track keeps its level.
"""

from __future__ import annotations

import numpy as np

#: Peak ceiling of the mixed track: 1 dB of headroom below full scale.
CEILING = 10 ** (-1 / 20)
LIMITER_BLOCK_SECONDS = 0.005
#: Radius, in limiter blocks, of the moving minimum and of the moving mean that smooth the
#: gain: changes spread over +-20 ms, so no clicks.
LIMITER_SPREAD_BLOCKS = 4
DUCK_ATTACK_SECONDS = 0.05
DUCK_RELEASE_SECONDS = 0.3


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def place(length: int, segments: list[tuple[int, np.ndarray]]) -> np.ndarray:
    """Sum of ``(start_sample, samples)`` segments on a silent track of ``length`` samples."""
    track = np.zeros(length, np.float32)
    for start, samples in segments:
        end = min(length, start + len(samples))
        track[start:end] += samples[: end - start]
    return track


def limiter_block(sample_rate: int) -> int:
    """Samples per limiter block (5 ms) at ``sample_rate``."""
    return max(1, round(LIMITER_BLOCK_SECONDS * sample_rate))


def duck_ramps(sample_rate: int) -> tuple[int, int]:
    """(attack, release) of the bed's duck in samples at ``sample_rate``."""
    return (
        max(1, round(DUCK_ATTACK_SECONDS * sample_rate)),
        max(1, round(DUCK_RELEASE_SECONDS * sample_rate)),
    )


def block_allowances(samples: np.ndarray, block: int, ceiling: float = CEILING) -> np.ndarray:
    """Gain each ``block``-sample block of ``samples`` allows (at most 1) so its peak stays at
    or under ``ceiling``; a partial last block is padded with silence."""
    blocks = -(-len(samples) // block)
    padded = np.zeros(blocks * block, np.float32)
    padded[: len(samples)] = np.abs(samples)
    peaks = padded.reshape(blocks, block).max(axis=1)
    return np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))


def _moving(values: np.ndarray, radius: int, reduce) -> np.ndarray:
    padded = np.pad(values, radius, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1)
    return reduce(windows, axis=1)


def limit_peaks(samples: np.ndarray, sample_rate: int, ceiling: float = CEILING) -> np.ndarray:
    """``samples`` with every peak at or under ``ceiling``; untouched where it already is.

    Gain per 5 ms block is the most each block allows; a moving minimum then a moving mean of
    the same radius smooth it without ever exceeding any block's allowance.
    """
    if len(samples) == 0:
        return samples
    block = limiter_block(sample_rate)
    allowed = block_allowances(samples, block, ceiling)
    if allowed.min() >= 1.0:
        return samples
    radius = LIMITER_SPREAD_BLOCKS
    gain = _moving(_moving(allowed, radius, np.min), radius, np.mean)
    return (samples * np.repeat(gain, block)[: len(samples)]).astype(np.float32)


def duck_gain(
    length: int, active: list[tuple[int, int]], sample_rate: int, depth_db: float
) -> np.ndarray:
    """Gain curve for the bed: 1 outside speech, ``-depth_db`` dB while speech is active,
    with a 50 ms ramp down before speech starts and a 300 ms ramp up after it ends."""
    mask = np.zeros(length, np.uint8)
    for start, end in active:
        mask[max(0, start) : max(0, min(length, end))] = 1
    attack, release = duck_ramps(sample_rate)
    # Ramps as moving averages of the speech mask, from its running sum (O(length): a film's
    # track has ~10^8 samples, too many for a convolution with a 300 ms kernel). ``ahead`` looks
    # `attack` samples forward (the bed starts down before speech), ``after`` `release` back.
    # int64 keeps the sums exact for any length.
    total = np.zeros(length + 1, np.int64)
    np.cumsum(mask, out=total[1:])
    index = np.arange(length)
    ahead = (total[np.minimum(length, index + attack)] - total[index]) / attack
    after = (total[index + 1] - total[np.maximum(0, index + 1 - release)]) / release
    envelope = np.maximum(np.minimum(1.0, ahead * 2), after)
    envelope = np.maximum(envelope, mask)
    return (1.0 - (1.0 - db_to_gain(-depth_db)) * envelope).astype(np.float32)


def mix_whole(
    length: int,
    segments: list[tuple[int, np.ndarray]],
    rate: int,
    track_rate: int,
    *,
    bed: np.ndarray | None = None,
    bed_gain: float = 1.0,
    duck: float = 0.0,
) -> np.ndarray:
    """The track [length resampled to ``track_rate``] from ``(start, samples)`` cue segments
    at ``rate``: placed, over the bed (cut or padded to the length; ducked by ``duck`` dB under
    the segments), limited, resampled, limited again at another rate. The reference that
    `emotts.dubbing.stream_mix.StreamMixer` reproduces block by block."""
    from emotts.audio.io import resample

    dialogue = place(length, segments)
    if bed is not None:
        padded = np.zeros(length, np.float32)
        padded[: min(length, len(bed))] = bed[:length]
        if duck > 0:
            spans = [(start, start + len(samples)) for start, samples in segments]
            padded *= duck_gain(length, spans, rate, duck)
        dialogue = dialogue + padded * bed_gain
    samples = resample(limit_peaks(dialogue, rate), rate, track_rate)
    if track_rate != rate:
        samples = limit_peaks(samples, track_rate)
    return samples
