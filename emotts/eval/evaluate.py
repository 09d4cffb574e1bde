"""``emotts eval``: synthesize the grid with a voice, score it with the judges, write a report."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from tqdm import tqdm

from emotts.errors import ConfigError
from emotts.eval import summary
from emotts.eval.audio import load_mono
from emotts.eval.grid import GridConfig, Rendering, build_grid, load_voice, synthesize_grid
from emotts.eval.manifest import read_rows
from emotts.eval.reference import compare_audio
from emotts.eval.report import write_report
from emotts.eval.say_as import QUICK_CASES, SAY_AS_CASES, judge_say_as, say_as_summary
from emotts.eval.scoring import Judges, score_audio
from emotts.eval.speaker import cosine

# The canonical labels of docs/architecture.md, used when neither the voice nor a judge
# says which labels to evaluate.
CANONICAL_LABELS = ("neutral", "happy", "angry", "sad", "surprised", "fearful", "disgusted")


def read_sentences(path: str | Path | None) -> list[str]:
    """Non-empty, non-comment lines of a sentence file (default: the bundled one)."""
    if path is None:
        text = resources.files("emotts.eval").joinpath("data/sentences.txt").read_text("utf-8")
    else:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"sentence file {path} does not exist")
        text = path.read_text(encoding="utf-8")
    sentences = [s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#")]
    if not sentences:
        raise ConfigError(f"sentence file {path} has no sentences")
    return sentences


def _labels(voice: Any, judges: Judges) -> list[str]:
    for candidate in (getattr(voice, "labels", None), judges.emotion and judges.emotion.labels):
        if candidate:
            return list(candidate)
    return list(CANONICAL_LABELS)


def _score(renderings: list[Rendering], judges: Judges) -> list[dict]:
    """Per-item records: grid settings, judge outputs, timing, speaker and reference metrics."""
    records = []
    embeddings = {}
    for r in tqdm(renderings, desc="judge", unit="utt"):
        record = r.item.to_dict() | score_audio(judges, r.samples, r.sample_rate, r.item.text)
        record["audio"] = str(r.path)
        record["produced_duration"] = r.duration
        record["requested_duration"] = r.requested_duration
        embeddings[r.item.id] = judges.speaker.embed(r.samples, r.sample_rate)
        ref = r.item.reference
        if ref is not None:
            ref_audio = load_mono(ref.audio, r.sample_rate)
            record["reference_metrics"] = compare_audio(
                r.samples, r.sample_rate, ref_audio, r.sample_rate
            ).to_dict()
            ref_embedding = judges.speaker.embed(ref_audio, r.sample_rate)
            record["speaker_to_reference"] = cosine(embeddings[r.item.id], ref_embedding)
        records.append(record)
    # Identity under emotion: each rendering against the neutral rendering of its sentence.
    neutral = {
        rec["text"]: rec["id"]
        for rec in records
        if rec["kind"] == "label" and rec["label"] == "neutral"
    }
    for rec in records:
        anchor = neutral.get(rec["text"])
        if anchor is not None and anchor != rec["id"]:
            rec["speaker_to_neutral"] = cosine(embeddings[rec["id"]], embeddings[anchor])
    return records


def summarize(records: list[dict], judge_labels: list[str]) -> dict[str, Any]:
    """Summary figures; ``judge_labels`` are the emotion judge's labels (empty without one)."""
    return {
        "intelligibility": summary.intelligibility(records),
        "quality": summary.quality(records),
        "speaker": summary.speaker(records),
        "emotion": summary.emotion(records, judge_labels),
        "timing": summary.timing(records),
        "reference": summary.reference(records),
    }


def run_evaluation(
    voice_path: str | None,
    sentences_path: str | Path | None,
    out: str | Path,
    reference_manifest: str | Path | None = None,
    judge_path: str | Path | None = None,
    quick: bool = False,
    vocoder: str | None = None,
) -> dict[str, Any]:
    """Synthesize the grid, score every item and write report.json/report.md/plots to ``out``."""
    out = Path(out)
    config = GridConfig.quick() if quick else GridConfig.full()
    sentences = read_sentences(sentences_path)
    references = []
    if reference_manifest is not None:
        rows = read_rows(reference_manifest)
        references = [r for r in rows if r.split == "test"] or rows
    judges = Judges.load(judge_path)
    voice = load_voice(voice_path, vocoder)
    labels = _labels(voice, judges)
    items = build_grid(sentences, labels, config, references)
    renderings = synthesize_grid(voice, items, out / "audio")
    records = _score(renderings, judges)
    say_as_cases = QUICK_CASES if quick else SAY_AS_CASES
    say_as = judge_say_as(voice, judges.whisper, say_as_cases, out / "audio")
    meta = {
        "voice": voice_path,
        "vocoder": vocoder,
        "grid": "quick" if quick else "full",
        "labels": labels,
        "judge": str(judge_path) if judge_path else None,
        "judge_holdout": judges.emotion.metrics.get("holdout") if judges.emotion else None,
        "reference_manifest": str(reference_manifest) if reference_manifest else None,
    }
    judge_labels = judges.emotion.labels if judges.emotion else []
    summary = summarize(records, judge_labels) | {"say_as": say_as_summary(say_as)}
    report = {"meta": meta, "summary": summary, "items": records, "say_as": say_as}
    write_report(report, out)
    return report
