"""Comparison mode: one sentence rendered across labels, an intensity sweep or an ADV sweep."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotts.audio.features import extract_f0
from emotts.demo.plots import comparison_image
from emotts.demo.request import check_text
from emotts.demo.session import Session
from emotts.demo.voices import load_voice
from emotts.emotion.spec import EmotionSpec
from emotts.emotion.syntax import ADV_COMPONENTS, ADV_RANGE, INTENSITY_RANGE
from emotts.errors import ControlError

COMPARE_MODES = ("labels", "intensity sweep", "ADV sweep")
# One audio player per rendering; as many as there are canonical labels keeps a row readable.
MAX_PANELS = 7
MIN_STEPS = 2


@dataclass(frozen=True)
class CompareRequest:
    text: str
    voice: str
    backend: str = "torch"
    speaker: str | None = None
    mode: str = "labels"
    labels: tuple[str, ...] = ()
    sweep_label: str = "happy"
    adv_dimension: str = "arousal"
    steps: int = 5


def _check_steps(steps: int) -> int:
    if not MIN_STEPS <= int(steps) <= MAX_PANELS:
        raise ControlError(f"steps {steps} is out of range; accepted: {MIN_STEPS} to {MAX_PANELS}")
    return int(steps)


def sweep(request: CompareRequest) -> list[tuple[str, EmotionSpec]]:
    """The (title, emotion) of each rendering the request asks for, in display order."""
    if request.mode == "labels":
        if not request.labels:
            raise ControlError("pick at least one label to compare")
        if len(request.labels) > MAX_PANELS:
            raise ControlError(f"pick at most {MAX_PANELS} labels")
        return [(label, EmotionSpec.label(label)) for label in request.labels]
    if request.mode == "intensity sweep":
        values = np.linspace(*INTENSITY_RANGE, _check_steps(request.steps))
        return [
            (
                f"{request.sweep_label}, intensity {v:+.2f}",
                EmotionSpec.label(request.sweep_label, float(v)),
            )
            for v in values
        ]
    if request.mode == "ADV sweep":
        if request.adv_dimension not in ADV_COMPONENTS:
            raise ControlError(
                f"unknown ADV dimension {request.adv_dimension!r}; accepted: {', '.join(ADV_COMPONENTS)}"
            )
        axis = ADV_COMPONENTS.index(request.adv_dimension)
        renderings = []
        for value in np.linspace(*ADV_RANGE, _check_steps(request.steps)):
            adv = [0.0, 0.0, 0.0]
            adv[axis] = float(value)
            renderings.append((f"{request.adv_dimension} {value:+.2f}", EmotionSpec.adv(*adv)))
        return renderings
    raise ControlError(f"unknown comparison {request.mode!r}; accepted: {', '.join(COMPARE_MODES)}")


@dataclass
class CompareResult:
    renderings: list[tuple[str, str]]  # (title, wav path)
    image: np.ndarray


def handle_comparison(request: CompareRequest, session: Session) -> CompareResult:
    """Render every emotion of the sweep; WAVs go to the session folder."""
    text, _ = check_text(request.text)
    renderings = sweep(request)
    voice = load_voice(request.voice, request.backend)
    config = voice.audio_config
    files, panels = [], []
    for title, emotion in renderings:
        audio = voice.synthesize(text, emotion, speaker=request.speaker or None)
        files.append((title, str(audio.save(session.next_wav(title)))))
        mel = audio.mel if audio.mel is not None else np.zeros((config.n_mels, 0), np.float32)
        panels.append((title, mel, extract_f0(audio.samples, config)))
    return CompareResult(files, comparison_image(panels, config.hop_length, config.sample_rate))
