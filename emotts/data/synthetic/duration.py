"""How long a planned utterance will be, so that ``--hours`` turns into a number of utterances.

The estimate only decides how many utterances a corpus gets; it never changes what an
utterance is. It is a per-voice linear model of the duration of the final (WORLD-edited) wav:

    seconds = offset_s + letters * s_per_letter / rate + breaks * pause_s * pause_scale

* ``letters``: alphabetic characters of the text (spaces and punctuation are not spoken);
* ``rate``: the SSML rate factor (``prosody.rate_pct / 100``), which RHVoice applies to speech;
* ``breaks``: punctuation marks followed by a space (where RHVoice pauses inside the text);
  ``pause_scale`` is the WORLD edit's factor on interior pauses;
* ``offset_s``: leading and trailing silence (not scaled by rate or pause edits).

Calibration (``python -m emotts.data.synthetic.duration --voice V --n 150 --seed 1``): 150
utterances of the default plan (LJ Speech transcripts, seed 1) rendered by RHVoice 1.8, their
final duration computed exactly from the WORLD pause edit (the resynthesized wav has exactly
the edited frame count), and the three coefficients fitted by least squares; see
``VOICE_DURATION`` for the numbers. Per utterance the fit is off by 4.5-5 % on average (all
four voices). Held-out check: on the 2548 utterances of a seed-0 slt corpus (3.93 h measured
with soundfile) the slt model predicts 3.97 h (+1.1 %); windows of 200 consecutive utterances
are within -1.6..-0.6 %.

The former estimate (15 characters per second at rate 100 %, plus 0.5 s, pauses ignored)
already divided by the rate, but its base tempo was too slow: slt speaks ~18.5 characters
(15.7 letters) per second, so a 5 h request gave 3.93 h. Voices differ (clb is ~17 % slower
than slt), hence one model per voice.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotts.data.synthetic.rules import Prosody

_BREAK = re.compile(r"[,;:.!?]+(?=\s)")


@dataclass(frozen=True)
class DurationModel:
    """Coefficients of the duration estimate for one voice (see the module docstring)."""

    offset_s: float
    s_per_letter: float
    pause_s: float

    def seconds(self, text: str, prosody: Prosody) -> float:
        letters, breaks = text_features(text)
        return (
            self.offset_s
            + letters * self.s_per_letter / (prosody.rate_pct / 100.0)
            + breaks * self.pause_s * prosody.pause_scale
        )


# Measured with the calibration above (RHVoice 1.8, seed 1, 150 utterances per voice):
# letters per second at rate 100 % = 1 / s_per_letter: slt 15.7, clb 13.2, bdl 15.4, alan 15.9.
VOICE_DURATION: dict[str, DurationModel] = {
    "slt": DurationModel(offset_s=0.229, s_per_letter=0.06372, pause_s=0.231),
    "clb": DurationModel(offset_s=0.180, s_per_letter=0.07566, pause_s=0.242),
    "bdl": DurationModel(offset_s=0.201, s_per_letter=0.06513, pause_s=0.251),
    "alan": DurationModel(offset_s=0.347, s_per_letter=0.06300, pause_s=0.233),
}


def text_features(text: str) -> tuple[int, int]:
    """(alphabetic characters, interior punctuation breaks) of a sentence."""
    return sum(c.isalpha() for c in text), len(_BREAK.findall(text))


def estimate_seconds(text: str, prosody: Prosody, voice: str) -> float:
    """Expected duration of the final wav of one planned utterance."""
    return VOICE_DURATION[voice].seconds(text, prosody)


def edited_duration_s(x: np.ndarray, sr: int, pause_scale: float) -> float:
    """Exact duration of the WORLD-edited wav for RHVoice output ``x``, without resynthesis."""
    import pyworld

    from emotts.data.synthetic.world_edit import (
        F0_CEIL,
        F0_FLOOR,
        FRAME_MS,
        pause_frame_map,
        silent_frames,
    )

    x64 = x.astype(np.float64)
    f0, _ = pyworld.dio(x64, sr, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_MS)
    # stonemask only refines voiced frames, so dio's voicing gives the same silence mask.
    n_frames = len(pause_frame_map(silent_frames(x64, f0, sr), pause_scale))
    return n_frames * FRAME_MS / 1000.0  # pyworld.synthesize's length, within a sample


def fit_duration_model(
    texts: list[str], prosodies: list[Prosody], seconds: list[float]
) -> DurationModel:
    """Least-squares coefficients from measured durations."""
    feats = np.array([text_features(t) for t in texts], dtype=np.float64)
    rate = np.array([p.rate_pct / 100.0 for p in prosodies])
    pause = np.array([p.pause_scale for p in prosodies])
    design = np.c_[np.ones(len(texts)), feats[:, 0] / rate, feats[:, 1] * pause]
    coef, *_ = np.linalg.lstsq(design, np.asarray(seconds, dtype=np.float64), rcond=None)
    return DurationModel(*(float(c) for c in coef))


def calibrate(voice: str, n: int, seed: int, sentences: Path | None = None) -> dict:
    """Render ``n`` planned utterances with RHVoice and fit the voice's duration model."""
    from emotts.data.synthetic.generate import SAMPLE_RATE, rhvoice
    from emotts.data.synthetic.plan import DEFAULT_SENTENCES, SynthesisConfig, make_plan

    cfg = SynthesisConfig(
        out_dir=Path("."),
        voice=voice,
        seed=seed,
        utterances=n,
        sentences=sentences or DEFAULT_SENTENCES,
    )
    plan = make_plan(cfg)
    seconds = [
        edited_duration_s(rhvoice(u.ssml, voice), SAMPLE_RATE, u.prosody.pause_scale) for u in plan
    ]
    model = fit_duration_model([u.text for u in plan], [u.prosody for u in plan], seconds)
    old = VOICE_DURATION[voice]
    predicted = [model.seconds(u.text, u.prosody) for u in plan]
    predicted_old = [old.seconds(u.text, u.prosody) for u in plan]
    rel = np.abs(np.array(predicted) - seconds) / np.array(seconds)
    return {
        "voice": voice,
        "n": n,
        "measured_h": sum(seconds) / 3600.0,
        "model": model,
        "fit_total_ratio": sum(seconds) / sum(predicted),
        "current_total_ratio": sum(seconds) / sum(predicted_old),
        "per_utterance_rel_error": float(rel.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="calibrate the duration estimate of a voice")
    parser.add_argument("--voice", default="slt")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(calibrate(args.voice, args.n, args.seed))


if __name__ == "__main__":
    main()
