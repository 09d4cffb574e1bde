"""Judged label probabilities of single-label renderings at given model intensities, cached.

One measurement = one sentence spoken with one label at one *model* (raw) intensity, scored by
the emotion judge. Calibration fitting and its before/after evaluation only ever need these,
so they share one cache file (JSONL, one measurement a line, appended as each is made): an
interrupted ``emotts eval calibrate`` resumes where it stopped, and the "after" renderings of
a label whose map sends r to a model intensity already measured are not rendered again.
Model intensity 0 is neutral for every label, so it is measured once per sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from emotts.errors import ConfigError

NEUTRAL = "neutral"


@dataclass(frozen=True)
class Measurement:
    """``probabilities``: the judge's label -> probability for ``text`` spoken with ``label``
    at model intensity ``internal``; ``seconds``: the rendering's length."""

    text: str
    label: str
    internal: float
    probabilities: dict[str, float]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "label": self.label,
            "internal": self.internal,
            "probabilities": self.probabilities,
            "seconds": self.seconds,
        }


def measurement_key(text: str, label: str, internal: float) -> tuple[str, str, float]:
    """Cache key; intensity 0 sounds the same for every label (the neutral embedding)."""
    internal = round(float(internal), 6)
    return (text, NEUTRAL if internal == 0.0 else label, internal)


def read_cache(path: Path) -> dict[tuple[str, str, float], Measurement]:
    """Measurements already in ``path`` (none when it does not exist)."""
    cache: dict[tuple[str, str, float], Measurement] = {}
    if not path.is_file():
        return cache
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            measurement = Measurement(
                row["text"],
                row["label"],
                float(row["internal"]),
                {k: float(v) for k, v in row["probabilities"].items()},
                float(row["seconds"]),
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise ConfigError(
                f"{path}:{number} is not a calibration measurement (expected JSON with text, "
                "label, internal, probabilities, seconds); delete the file to measure afresh"
            ) from None
        key = measurement_key(measurement.text, measurement.label, measurement.internal)
        cache[key] = measurement
    return cache


class Measurer:
    """Renders and judges (text, label, model intensity) requests, through a cache file.

    ``voice``: a loaded voice (its calibration is bypassed: renderings use raw intensities).
    ``judge``/``extractor``: an `EmotionJudge` and its `EgemapsExtractor`.
    """

    def __init__(self, voice: Any, judge: Any, extractor: Any, cache_path: Path) -> None:
        self.voice, self.judge, self.extractor = voice, judge, extractor
        self.cache_path = cache_path
        self.cache = read_cache(cache_path)

    def _render(self, text: str, label: str, internal: float) -> Measurement:
        from emotts.emotion.spec import EmotionSpec

        spec = EmotionSpec.label(label, intensity=internal)
        audio = self.voice.synthesize(text, spec, raw_intensity=True)
        features = self.extractor(audio.samples, audio.sample_rate)
        probabilities = self.judge.probabilities(features)[0]
        return Measurement(
            text,
            label,
            float(internal),
            {name: float(p) for name, p in zip(self.judge.labels, probabilities, strict=True)},
            len(audio.samples) / audio.sample_rate,
        )

    def measure(
        self, requests: list[tuple[str, str, float]], description: str
    ) -> list[Measurement]:
        """One measurement per (text, label, model intensity), rendering only uncached ones."""
        keys = [measurement_key(*request) for request in requests]
        missing = list(dict.fromkeys(key for key in keys if key not in self.cache))
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        with self.cache_path.open("a", encoding="utf-8") as sink:
            for key in tqdm(missing, desc=description, unit="utt"):
                measurement = self._render(*key)
                self.cache[key] = measurement
                sink.write(json.dumps(measurement.to_dict()) + "\n")
                sink.flush()
        return [self.cache[key] for key in keys]
