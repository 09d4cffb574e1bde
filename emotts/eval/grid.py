"""The evaluation grid and its synthesis through the public Voice API.

Item kinds:
* ``label``: every sentence x label x intensity;
* ``adv``: one sentence per ADV dimension, swept over values with the other two at 0;
* ``blend``: equal two-label mixes of neighbouring non-neutral labels;
* ``duration``: neutral renderings asked to last a factor of their natural duration;
* ``reference``: texts of reference recordings, with the recording's emotion;
* ``guidance`` / ``avoid``: the guidance sweep of flow voices (built in
  :mod:`emotts.eval.guidance`): a label at emotion guidance w, or a label with another
  label avoided (negative guidance), at a fixed seed.

Per-speaker runs (:mod:`emotts.eval.per_speaker`) give every item a ``speaker``, which the
renderer passes to the voice and which keys the natural length of ``duration`` items.

``emotts.backends`` and ``emotts.emotion`` are imported only when synthesizing, so the grid can
be built (and tested) without a voice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from emotts.eval.manifest import ReferenceRow


@dataclass(frozen=True)
class GridConfig:
    sentences: int
    intensities: tuple[float, ...]
    adv_values: tuple[float, ...]
    blend_pairs: int
    duration_factors: tuple[float, ...]
    duration_sentences: int
    reference_rows: int

    @classmethod
    def full(cls) -> GridConfig:
        return cls(12, (0.0, 0.5, 1.0, 1.5), (-0.8, -0.4, 0.0, 0.4, 0.8), 3, (0.8, 1.25), 6, 40)

    @classmethod
    def quick(cls) -> GridConfig:
        return cls(2, (0.5, 1.0, 1.5), (-0.8, 0.0, 0.8), 1, (0.8, 1.25), 1, 4)


@dataclass(frozen=True)
class GridItem:
    id: str
    kind: str
    text: str
    label: str | None = None
    intensity: float = 1.0
    mix: dict[str, float] | None = None
    adv: tuple[float, float, float] | None = None
    duration_factor: float | None = None
    reference: ReferenceRow | None = None
    # Flow-voice sampling controls (None: the voice's defaults, never sent to the voice).
    guidance: float | None = None
    avoid: str | None = None
    avoid_guidance: float | None = None
    seed: int | None = None
    # The voice speaker rendering the item (None: the voice's default, or a reference row's
    # speaker). Set only by per-speaker runs, whose ids carry it too (``speaker/id``).
    speaker: str | None = None

    def flow_kwargs(self) -> dict[str, Any]:
        """The ``synthesize`` keyword arguments of the flow controls this item sets."""
        names = ("guidance", "avoid", "avoid_guidance", "seed")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reference"] = self.reference.id if self.reference else None
        # Left out when unset, so one-speaker records (and their caches) stay as they were.
        if data["speaker"] is None:
            del data["speaker"]
        return data


@dataclass
class Rendering:
    """One synthesized item: its audio and, for ``duration`` items, the requested length."""

    item: GridItem
    samples: np.ndarray
    sample_rate: int
    path: Path
    requested_duration: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def build_grid(
    sentences: list[str],
    labels: list[str],
    config: GridConfig,
    references: list[ReferenceRow] = (),
) -> list[GridItem]:
    items: list[GridItem] = []
    chosen = sentences[: config.sentences]
    for s, text in enumerate(chosen):
        for label in labels:
            # Intensity means nothing for neutral itself: one rendering is enough.
            for intensity in (1.0,) if label == "neutral" else config.intensities:
                items.append(
                    GridItem(f"s{s:02d}-{label}-i{intensity:g}", "label", text, label, intensity)
                )
    for d, name in enumerate("adv"):
        for value in config.adv_values:
            adv = tuple(value if k == d else 0.0 for k in range(3))
            items.append(GridItem(f"adv-{name}{value:+g}", "adv", chosen[d % len(chosen)], adv=adv))
    emotional = [label for label in labels if label != "neutral"]
    pairs = list(zip(emotional, emotional[1:], strict=False))[: config.blend_pairs]
    for s, text in enumerate(chosen):
        for a, b in pairs:
            items.append(GridItem(f"s{s:02d}-blend-{a}-{b}", "blend", text, mix={a: 0.5, b: 0.5}))
    for s, text in enumerate(sentences[: config.duration_sentences]):
        for factor in config.duration_factors:
            items.append(
                GridItem(
                    f"s{s:02d}-dur{factor:g}", "duration", text, "neutral", duration_factor=factor
                )
            )
    for row in list(references)[: config.reference_rows]:
        intensity = 1.0 if row.intensity is None else row.intensity
        items.append(
            GridItem(
                f"ref-{row.id}",
                "reference",
                row.text,
                row.emotion,
                intensity,
                adv=row.adv,
                reference=row,
            )
        )
    return items


def emotion_spec(item: GridItem) -> Any:
    """The EmotionSpec an item asks for (None: the voice's default)."""
    from emotts.emotion import EmotionSpec

    if item.mix is not None:
        return EmotionSpec.mix(item.mix, intensity=item.intensity)
    if item.adv is not None:
        return EmotionSpec.adv(*item.adv, intensity=item.intensity)
    if item.label is not None:
        return EmotionSpec.label(item.label, intensity=item.intensity)
    return None


class GridRenderer:
    """Renders items one at a time through ``voice.synthesize``, saving ``audio_dir/<id>.wav``.

    ``raw_intensity`` sends every intensity to the model as requested (the voice's intensity
    calibration is skipped), so a before/after comparison runs the very same grid code.
    Natural lengths of ``duration`` items' sentences are measured once per text.
    """

    def __init__(self, voice: Any, audio_dir: Path, raw_intensity: bool = False) -> None:
        self.voice = voice
        self.audio_dir = Path(audio_dir)
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        self.raw_intensity = raw_intensity
        self.speakers = set(getattr(voice, "speakers", ()) or ())
        self.natural: dict[tuple[str | None, str], float] = {}

    def _synthesize(self, text: str, **kwargs: Any) -> Any:
        # Only a request that differs from the default passes raw_intensity, so voices (and
        # stand-ins) without intensity calibration keep working unchanged.
        if self.raw_intensity:
            kwargs["raw_intensity"] = True
        return self.voice.synthesize(text, **kwargs)

    def render(self, item: GridItem) -> Rendering:
        requested = None
        kwargs: dict[str, Any] = {"emotion": emotion_spec(item)} | item.flow_kwargs()
        if item.speaker is not None:
            kwargs["speaker"] = item.speaker
        elif item.reference is not None and item.reference.speaker in self.speakers:
            kwargs["speaker"] = item.reference.speaker
        if item.duration_factor is not None:
            # Speakers speak at their own rates: the natural length is each one's own.
            key = (kwargs.get("speaker"), item.text)
            if key not in self.natural:
                speaker = {"speaker": kwargs["speaker"]} if "speaker" in kwargs else {}
                free = self._synthesize(item.text, emotion=kwargs["emotion"], **speaker)
                self.natural[key] = len(free.samples) / free.sample_rate
            requested = item.duration_factor * self.natural[key]
            kwargs["duration"] = requested
        audio = self._synthesize(item.text, **kwargs)
        path = self.audio_dir / f"{item.id}.wav"
        # Per-speaker ids are ``speaker/id``: each speaker's audio in its own folder.
        path.parent.mkdir(parents=True, exist_ok=True)
        audio.save(path)
        samples = np.asarray(audio.samples, dtype=np.float32)
        return Rendering(item, samples, int(audio.sample_rate), path, requested)


def synthesize_grid(
    voice: Any, items: list[GridItem], audio_dir: Path, raw_intensity: bool = False
) -> list[Rendering]:
    """Render every item with ``voice.synthesize`` and save it as ``audio_dir/<id>.wav``."""
    renderer = GridRenderer(voice, audio_dir, raw_intensity)
    return [renderer.render(item) for item in tqdm(items, desc="synthesize", unit="utt")]


def load_voice(path: str | None, vocoder: str | None = None) -> Any:
    from emotts.backends import load_voice as load

    return load(path, vocoder=vocoder)
