"""How long each cue's speech lasts: the ``--fit`` policy, in frames of the voice.

``exact``: the speech lasts the cue window (rounded to a frame, so within half a frame).
``natural``: natural speed when it fits the window; otherwise sped up to fit, up to
``max_speed``; beyond that it runs over the cue end into the following silence, but never past
``limit`` (the next cue of the same speaker, or the end of a fixed-length track), where the
speed goes above ``max_speed`` instead and a warning says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from emotts.emotion.prosody import SPEED_RANGE
from emotts.errors import ControlError

FIT_MODES = ("natural", "exact")
DEFAULT_MAX_SPEED = 1.5


@dataclass(frozen=True)
class Fit:
    """frames: exact frames to render, or None to keep the natural rendering.
    speed: tempo relative to the natural rendering (1 = natural, 2 = twice as fast)."""

    frames: int | None
    speed: float
    warnings: tuple[str, ...] = field(default_factory=tuple)


def check_fit_options(mode: str, max_speed: float) -> None:
    if mode not in FIT_MODES:
        raise ControlError(f"unknown fit {mode!r}; accepted: {', '.join(FIT_MODES)}")
    high = SPEED_RANGE[1]
    if (
        isinstance(max_speed, bool)
        or not isinstance(max_speed, int | float)
        or not (math.isfinite(max_speed) and 1.0 <= max_speed <= high)
    ):
        raise ControlError(
            f"max speed {max_speed!r} is invalid; accepted: a number in [1, {high:g}] "
            "(1 never speeds up)"
        )


def plan_fit(
    mode: str,
    natural: int,
    window: int,
    limit: int | None,
    max_speed: float,
    limit_reason: str = "",
) -> Fit:
    """Frames for one cue.

    natural: frames of the natural rendering; window: frames of the cue window (>= 1);
    limit: frames from the cue start to where the speech must have ended, or None;
    limit_reason: what the limit is, for the warning ("cue 7 of the same speaker").
    """
    speed = natural / window
    if mode == "exact":
        return Fit(window, speed)
    if natural <= window:
        return Fit(None, 1.0)
    if speed <= max_speed:
        return Fit(window, speed)
    frames = math.ceil(natural / max_speed)
    if limit is not None and frames > limit:
        return Fit(
            max(limit, 1),
            natural / max(limit, 1),
            (
                f"sped up to {natural / max(limit, 1):.2f}x, above the maximum speed "
                f"{max_speed:g}, to end before {limit_reason}",
            ),
        )
    return Fit(frames, natural / frames)
