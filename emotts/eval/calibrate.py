"""``emotts eval calibrate``: fit a voice's intensity calibration with the judge, and show it.

1. Fit grid: the fit sentences x every emotional label x the model intensities ``knots``
   (0 once per sentence), judged; ``fit_calibration`` turns it into per-label maps.
2. Held-out sentences (never used for the fit) at the requested intensities ``levels``:
   *before* (raw: the model intensity is the request) and *after* (the fitted map's model
   intensity for it), judged; ``score`` gives spread across labels and monotonicity of each.
3. Writes ``calibration.json`` (the maps), ``report.json``/``report.md`` (figures),
   ``calibration.png`` (judged probability against intensity per label: fit, before, after,
   and the maps) and ``measurements.jsonl`` (every judged rendering; a re-run resumes from it).
   With ``write_voice`` the maps go into the voice's own config (config.json / voice.json).

The held-out sentences are the first ones of the sentence file (by default those the full
``emotts eval`` grid uses); the fit sentences are the shortest of those after the ones that
grid uses, so the fit never sees an evaluation sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emotts.emotion.calibration import IntensityCalibration
from emotts.errors import ConfigError
from emotts.eval.calibration_fit import fit_calibration, score
from emotts.eval.calibration_measure import NEUTRAL, Measurer
from emotts.eval.evaluate import read_sentences
from emotts.eval.grid import GridConfig


@dataclass(frozen=True)
class CalibrationGrid:
    """How much to render: sentence counts, fit knots (model intensities) and held-out levels."""

    fit_sentences: int = 3
    heldout_sentences: int = 3
    knots: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0)
    levels: tuple[float, ...] = (0.0, 0.5, 1.0)

    def renderings(self, labels: int) -> int:
        """Upper bound on renderings: fit grid + held-out before and after."""
        fit = self.fit_sentences * (1 + labels * (len(self.knots) - 1))
        levels = [level for level in self.levels if level != 0.0]
        return fit + self.heldout_sentences * (1 + 2 * labels * len(levels))


def split_sentences(sentences: list[str], grid: CalibrationGrid) -> tuple[list[str], list[str]]:
    """(fit sentences, held-out sentences). Held-out: the first ones. Fit: the shortest of
    those after the eval grid's (rendering time grows with length), in file order."""
    skip = max(grid.heldout_sentences, GridConfig.full().sentences)
    needed = skip + grid.fit_sentences
    if len(sentences) < needed or grid.fit_sentences < 1 or grid.heldout_sentences < 1:
        raise ConfigError(
            f"calibration needs {needed} sentences (the first {skip} are kept for evaluation, "
            f"then {grid.fit_sentences} to fit); the sentence file has {len(sentences)}"
        )
    pool = range(skip, len(sentences))
    shortest = sorted(pool, key=lambda i: (len(sentences[i]), i))[: grid.fit_sentences]
    return [sentences[i] for i in sorted(shortest)], sentences[: grid.heldout_sentences]


def _check_levels(grid: CalibrationGrid) -> None:
    for level in grid.levels:
        if not 0.0 <= level <= 2.0:
            raise ConfigError(f"held-out intensity {level} is outside [0, 2]")
    if sorted(set(grid.knots)) != list(grid.knots) or grid.knots[0] != 0 or grid.knots[-1] != 2:
        raise ConfigError(
            f"fit intensities {list(grid.knots)} must increase from 0 to 2 (the maps' knots)"
        )


def _heldout_requests(
    sentences: list[str], labels: list[str], levels: tuple[float, ...], mapping: Any
) -> tuple[list[tuple[str, str, float]], list[float]]:
    """(text, label, model intensity) requests and the requested level of each."""
    requests, requested = [], []
    for text in sentences:
        requests.append((text, NEUTRAL, 0.0))
        requested.append(0.0)
        for label in labels:
            for level in levels:
                if level != 0.0:
                    requests.append((text, label, mapping(label, level)))
                    requested.append(level)
    return requests, requested


def run_calibration(
    voice_path: str | None,
    out: str | Path,
    judge_path: str | Path | None,
    grid: CalibrationGrid = CalibrationGrid(),
    sentences_path: str | Path | None = None,
    write_voice: bool = False,
    threads: int | None = None,
) -> dict[str, Any]:
    """Fit, evaluate and write (see the module docstring); returns the report."""
    from emotts.backends import load_voice
    from emotts.eval.calibration_plot import plot_calibration
    from emotts.eval.features import EgemapsExtractor
    from emotts.eval.judge import EmotionJudge
    from emotts.voices import resolve_voice
    from emotts.voices.config import write_calibration

    _check_levels(grid)
    if judge_path is None:
        raise ConfigError("calibration needs an emotion judge (--judge DIR, not 'none')")
    out = Path(out)
    fit_texts, heldout_texts = split_sentences(read_sentences(sentences_path), grid)
    judge = EmotionJudge.load(judge_path)
    voice = load_voice(voice_path, threads=threads)
    labels = [label for label in voice.labels if label != NEUTRAL]
    missing = [label for label in labels if label not in judge.labels]
    if missing:
        raise ConfigError(f"the judge at {judge_path} has no labels {missing}; it cannot calibrate")
    measurer = Measurer(voice, judge, EgemapsExtractor(), out / "measurements.jsonl")

    fit_requests = [(text, NEUTRAL, 0.0) for text in fit_texts] + [
        (text, label, knot)
        for text in fit_texts
        for label in labels
        for knot in grid.knots
        if knot != 0.0
    ]
    fit_rows = measurer.measure(fit_requests, "fit grid")
    calibration = fit_calibration(
        fit_rows,
        labels,
        {
            "judge": str(judge_path),
            "fit_sentences": fit_texts,
            "renderings": len(fit_rows),
            "date": datetime.now(UTC).date().isoformat(),
        },
    )
    before_requests, requested = _heldout_requests(
        heldout_texts, labels, grid.levels, lambda label, level: level
    )
    before = measurer.measure(before_requests, "held-out, raw")
    after_requests, _ = _heldout_requests(
        heldout_texts, labels, grid.levels, calibration.map_intensity
    )
    after = measurer.measure(after_requests, "held-out, calibrated")

    report = {
        "meta": {
            "voice": str(voice_path or "default"),
            "judge": str(judge_path),
            "grid": grid.__dict__ | {"renderings": grid.renderings(len(labels))},
            "fit_sentences": fit_texts,
            "heldout_sentences": heldout_texts,
        },
        "calibration": calibration.to_dict(),
        "before": score(before, requested, labels),
        "after": score(after, requested, labels),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibration.json").write_text(
        json.dumps(calibration.to_dict(), indent=2), encoding="utf-8"
    )
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "report.md").write_text(report_markdown(report), encoding="utf-8")
    plot_calibration(report, out / "calibration.png")
    if write_voice:
        report["written_to"] = str(write_calibration(resolve_voice(voice_path), calibration))
    return report


def _row(values: dict[str, Any], keys: list[str]) -> str:
    cells = [f"{values[k]:.3f}" if isinstance(values.get(k), float) else "n/a" for k in keys]
    return " | ".join(cells)


def report_markdown(report: dict[str, Any]) -> str:
    """The before/after tables of a calibration report."""
    calibration = IntensityCalibration.from_dict(report["calibration"])
    labels = calibration.labels
    levels = list(report["before"]["mean_probability"])
    lines = [
        "# Intensity calibration",
        "",
        f"- voice: {report['meta']['voice']}; judge: {report['meta']['judge']}",
        f"- fit sentences: {len(report['meta']['fit_sentences'])}; held-out sentences: "
        f"{len(report['meta']['heldout_sentences'])}",
        "",
        "## Spread across labels of the judged probability (held-out)",
        "",
        "| requested intensity | " + " | ".join(levels) + " |",
        "|---|" + "---|" * len(levels),
    ]
    for name in ("before", "after"):
        lines.append(f"| {name} | " + _row(report[name]["spread"], levels) + " |")
    lines += [
        "",
        "## Monotonicity: Spearman rho of judged probability against requested intensity",
        "",
        "| | mean | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    for name in ("before", "after"):
        section = report[name]
        mean = section["mean_spearman"]
        lines.append(
            f"| {name} | {mean:.3f} | " + _row(section["spearman"], labels) + " |"
            if mean is not None
            else f"| {name} | n/a | " + _row(section["spearman"], labels) + " |"
        )
    lines += ["", "## Mean judged probability of the requested label (held-out)", ""]
    lines += ["| | intensity | " + " | ".join(labels) + " |", "|---|---|" + "---|" * len(labels)]
    for name in ("before", "after"):
        for level, values in report[name]["mean_probability"].items():
            lines.append(f"| {name} | {level} | " + _row(values, labels) + " |")
    lines += ["", "## Maps (model intensity per requested intensity)", ""]
    lines += ["| label | " + " | ".join(f"{k:g}" for k in calibration.knots) + " |"]
    lines += ["|---|" + "---|" * len(calibration.knots)]
    for label, values in calibration.internal.items():
        lines.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    lines += ["", "![calibration](calibration.png)", ""]
    return "\n".join(lines)
