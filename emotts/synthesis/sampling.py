"""Flow-matching sampling shared by the torch decoder and the ONNX runtime (no torch import).

The sampler integrates dx/dt = v(x, t) from noise at t = 0 to the mel at t = 1 on a uniform
grid. It only uses ``+``, ``*`` and a caller-supplied velocity function, so the same code runs
on torch tensors (`emotts.models.decoders.flow`) and on numpy arrays (an exported one-step
velocity graph), and both backends take exactly the same steps.

Guidance combines up to three velocity passes, one per emotion condition::

    v = v(e_null) + w (v(e) - v(e_null)) + w_neg (v(e) - v(e_avoid))
      = (w + w_neg) v(e) + (1 - w) v(e_null) - w_neg v(e_avoid)

so w = 1, w_neg = 0 is the plain conditional velocity and w = 0 the unconditional one. The
coefficients per pass are `guidance_coefficients`; a pass whose coefficient is zero everywhere
is skipped, so unguided synthesis costs one network call per step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from emotts.emotion.syntax import GUIDANCE_RANGE
from emotts.errors import ControlError

SOLVERS = ("euler", "midpoint")
STEPS_RANGE = (1, 50)
TEMPERATURE_RANGE = (0.0, 2.0)
AVOID_GUIDANCE_RANGE = (0.0, 4.0)
# The passes of a guided step, in the order their conditions are stacked.
PASSES = ("emotion", "null", "avoid")


@dataclass(frozen=True)
class FlowSampling:
    """How a flow decoder integrates its ODE.

    steps: solver steps (network calls per pass: ``steps`` for Euler, ``2 * steps`` midpoint).
    temperature: scale of the starting noise (1 = as trained, 0 = the ODE's mean path).
    solver: "euler" or "midpoint".
    """

    steps: int = 4
    temperature: float = 1.0
    solver: str = "euler"

    def __post_init__(self) -> None:
        low, high = STEPS_RANGE
        if isinstance(self.steps, bool) or not isinstance(self.steps, int):
            raise ControlError(f"steps must be an integer in [{low}, {high}]; got {self.steps!r}")
        if not low <= self.steps <= high:
            raise ControlError(f"steps {self.steps} is out of range; accepted: [{low}, {high}]")
        check_number("temperature", self.temperature, *TEMPERATURE_RANGE)
        if self.solver not in SOLVERS:
            raise ControlError(f"unknown solver {self.solver!r}; accepted: {', '.join(SOLVERS)}")


@dataclass(frozen=True)
class FlowControls:
    """What a request asks of a flow voice's sampler (every field None: the voice's defaults).

    guidance: emotion guidance w for the whole text (markup spans may set their own).
    avoid: a label to steer away from (negative guidance), with weight ``avoid_guidance``
        (None: 1 when ``avoid`` is given).
    steps, temperature: override the voice's `FlowSampling` defaults.
    seed: the noise seed; the same seed gives the same audio (None: fresh noise each call).
    """

    guidance: float | None = None
    avoid: str | None = None
    avoid_guidance: float | None = None
    steps: int | None = None
    temperature: float | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.guidance is not None:
            check_number("guidance", self.guidance, *GUIDANCE_RANGE)
        if self.avoid is not None and not (isinstance(self.avoid, str) and self.avoid.strip()):
            raise ControlError(f"avoid must be an emotion label such as 'sad'; got {self.avoid!r}")
        if self.avoid_guidance is not None:
            if self.avoid is None:
                raise ControlError("avoid_guidance is set but no avoid label is given")
            check_number("avoid_guidance", self.avoid_guidance, *AVOID_GUIDANCE_RANGE)
        if self.steps is not None or self.temperature is not None:
            FlowSampling(  # validates both
                1 if self.steps is None else self.steps,
                1.0 if self.temperature is None else self.temperature,
            )
        check_seed(self.seed)

    @property
    def flow_only(self) -> list[str]:
        """The settings given that only a flow decoder can honour (the seed is not one: a
        regression voice is deterministic, so any seed reproduces it)."""
        names = ("guidance", "avoid", "avoid_guidance", "steps", "temperature")
        return [name for name in names if getattr(self, name) is not None]

    @property
    def negative_guidance(self) -> float:
        """w_neg: 0 without an avoided label, else ``avoid_guidance`` (default 1)."""
        if self.avoid is None:
            return 0.0
        return 1.0 if self.avoid_guidance is None else float(self.avoid_guidance)

    def sampling(self, default: FlowSampling) -> FlowSampling:
        """The voice's default sampling with this request's steps and temperature."""
        return FlowSampling(
            default.steps if self.steps is None else self.steps,
            default.temperature if self.temperature is None else self.temperature,
            default.solver,
        )


#: Which noise a row draws (`sentence_noise`): a sentence's index in its request, or a tuple
#: of integers in [0, 2**32) such as (utterance key..., sentence) for a batch of utterances.
NoiseKey = int | tuple[int, ...]


@dataclass(frozen=True)
class FlowRun:
    """One acoustic call of a flow voice: its sampling, the noise seed (None: fresh) and the
    noise key of each row (`sentence_noise`): row b draws key ``sentences[b]``, or sentence
    ``first_sentence + b`` when ``sentences`` is None (a call over consecutive sentences, as
    `synthesize` and `stream` make)."""

    sampling: FlowSampling
    seed: int | None = None
    first_sentence: int = 0
    sentences: tuple[NoiseKey, ...] | None = None

    def noise(self, n_mels: int, lengths: list[int]) -> np.ndarray:
        """[B, n_mels, max(lengths)] standard normal noise of the call's rows, zero-padded."""
        if self.sentences is None:
            return batch_noise(self.seed, self.first_sentence, n_mels, lengths)
        if len(self.sentences) != len(lengths):
            raise ValueError(f"{len(self.sentences)} sentence indices for {len(lengths)} rows")
        return rows_noise(self.seed, self.sentences, n_mels, lengths)


def check_number(name: str, value: float, low: float, high: float) -> float:
    """``value`` as a float if it is a finite number in [low, high]; `ControlError` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"{name} must be a number in [{low}, {high}]; got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ControlError(f"{name} {value} is out of range; accepted: [{low}, {high}]")
    return float(value)


def guidance_coefficients(guidance: Any, avoid_guidance: Any) -> tuple[Any, Any, Any]:
    """Per-pass weights (emotion, null, avoid) for guidance w and negative guidance w_neg.

    Works elementwise on floats, numpy arrays or torch tensors of any matching shape.
    """
    return guidance + avoid_guidance, 1.0 - guidance, -avoid_guidance


def solve(velocity: Callable[[Any, float], Any], noise: Any, sampling: FlowSampling) -> Any:
    """Integrate from ``noise * temperature`` at t = 0 to t = 1.

    Args:
        velocity: (x [B, n_mels, T], t) -> dx/dt of the same shape; t is a Python float.
        noise: [B, n_mels, T] standard normal noise (tensor or array).
    Returns:
        x at t = 1, same type and shape as ``noise``.
    """
    x = noise * sampling.temperature
    dt = 1.0 / sampling.steps
    for step in range(sampling.steps):
        t = step * dt
        if sampling.solver == "euler":
            x = x + dt * velocity(x, t)
        else:
            half = x + (0.5 * dt) * velocity(x, t)
            x = x + dt * velocity(half, t + 0.5 * dt)
    return x


def active_passes(conditions: Any, coefficients: Any) -> tuple[Any, Any]:
    """Drop the guidance passes whose coefficient is zero on every frame (the first, the
    emotion pass, is always kept): plain conditional synthesis then costs one network call.

    conditions: [P, B, T, C]; coefficients: [P, B, T] (numpy arrays or torch tensors).
    """
    kept = [p for p in range(coefficients.shape[0]) if p == 0 or bool((coefficients[p] != 0).any())]
    return conditions[kept], coefficients[kept]


def sentence_noise(seed: int | None, key: NoiseKey, n_mels: int, frames: int) -> np.ndarray:
    """Standard normal noise [n_mels, frames] for one sentence, float32.

    Drawn from ``(seed, key)`` so a sentence gets the same noise whether it is synthesized
    alone, streamed or batched with others, and on every backend. An int key (a sentence's
    index in its request) seeds with ``[seed, key]``; a tuple key draws the seed's child stream
    ``SeedSequence(seed, spawn_key=key)``, distinct for every distinct tuple of 32-bit values,
    also of different lengths (entropy ``[seed, 1, 0]`` would equal ``[seed, 1]``). ``seed``
    None draws fresh entropy (a different rendering each call).
    """
    if seed is None:
        rng = np.random.default_rng()
    elif isinstance(key, tuple):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
    else:
        rng = np.random.default_rng([seed, key])
    return rng.standard_normal((n_mels, frames), dtype=np.float32)


def batch_noise(
    seed: int | None, first_sentence: int, n_mels: int, lengths: list[int]
) -> np.ndarray:
    """[B, n_mels, max(lengths)] noise, row b from `sentence_noise` of sentence first + b, zero-padded."""
    return rows_noise(seed, range(first_sentence, first_sentence + len(lengths)), n_mels, lengths)


def rows_noise(
    seed: int | None, sentences: Sequence[NoiseKey], n_mels: int, lengths: list[int]
) -> np.ndarray:
    """[B, n_mels, max(lengths)] noise, row b from `sentence_noise` of key ``sentences[b]``,
    zero-padded."""
    noise = np.zeros((len(lengths), n_mels, max(lengths, default=0)), np.float32)
    for row, (sentence, length) in enumerate(zip(sentences, lengths, strict=True)):
        noise[row, :, :length] = sentence_noise(seed, sentence, n_mels, length)
    return noise


def check_seed(seed: int | None) -> int | None:
    """A seed is None or a non-negative integer (numpy's generators reject negatives)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ControlError(f"seed must be a non-negative integer or None; got {seed!r}")
    return seed
