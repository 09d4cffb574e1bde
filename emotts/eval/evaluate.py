"""``emotts eval``: synthesize the grid with a voice, score it with the judges, write a report."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from emotts.errors import ConfigError
from emotts.eval import summary
from emotts.eval.audio import load_mono
from emotts.eval.grid import GridConfig, GridItem, GridRenderer, Rendering, build_grid, load_voice
from emotts.eval.guidance import build_sweep, plot_sweep, sweep_summary
from emotts.eval.item_cache import EMBEDDING_KEY, ItemCache
from emotts.eval.manifest import read_rows
from emotts.eval.per_speaker import (
    grid_distinctness,
    references_for,
    resolve_speakers,
    speaker_items,
)
from emotts.eval.reference import compare_audio
from emotts.eval.report import write_report
from emotts.eval.say_as import QUICK_CASES, SAY_AS_CASES, judge_say_as, say_as_summary
from emotts.eval.scoring import Judges, score_audio
from emotts.eval.speaker import cosine
from emotts.eval.speaker_bars import speaker_figures, speaker_table

# The canonical labels of docs/architecture.md, used when neither the voice nor a judge
# says which labels to evaluate.
# Sweep items are scored like the grid's but summarized apart: guidance > 1 costs quality
# by design, and must not move the grid's WER/DNSMOS figures.
SWEEP_KINDS = ("guidance", "avoid")
#: What ``--only`` accepts: the grid's item kinds and the say-as cases.
ITEM_KINDS = ("label", "adv", "blend", "duration", "reference", "say-as")

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


def score_rendering(rendering: Rendering, judges: Judges) -> dict[str, Any]:
    """One item's record: grid settings, judge outputs, timing, speaker and reference metrics.

    The speaker embedding is kept under ``EMBEDDING_KEY`` (for ``speaker_to_neutral``, which
    needs the neutral rendering of the same sentence) and left out of the report.
    """
    r = rendering
    record = r.item.to_dict() | score_audio(judges, r.samples, r.sample_rate, r.item.text)
    record["audio"] = str(r.path)
    record["produced_duration"] = r.duration
    record["requested_duration"] = r.requested_duration
    embedding = judges.speaker.embed(r.samples, r.sample_rate)
    record[EMBEDDING_KEY] = [float(v) for v in np.asarray(embedding).ravel()]
    ref = r.item.reference
    if ref is not None:
        ref_audio = load_mono(ref.audio, r.sample_rate)
        record["reference_metrics"] = compare_audio(
            r.samples, r.sample_rate, ref_audio, r.sample_rate
        ).to_dict()
        ref_embedding = judges.speaker.embed(ref_audio, r.sample_rate)
        record["speaker_to_reference"] = cosine(embedding, ref_embedding)
    return record


def _speaker_to_neutral(records: list[dict]) -> list[dict]:
    """Report copies of ``records``: identity under emotion (each grid rendering against the
    neutral rendering of its sentence by the same speaker) added, embeddings dropped."""
    neutral = {
        (rec.get("speaker"), rec["text"]): rec
        for rec in records
        if rec["kind"] == "label" and rec["label"] == "neutral"
    }
    result = []
    for rec in records:
        out = {k: v for k, v in rec.items() if k != EMBEDDING_KEY}
        anchor = neutral.get((rec.get("speaker"), rec["text"]))
        if (
            anchor is not None
            and anchor["id"] != rec["id"]
            and EMBEDDING_KEY in rec
            and EMBEDDING_KEY in anchor
        ):
            out["speaker_to_neutral"] = cosine(
                np.asarray(rec[EMBEDDING_KEY]), np.asarray(anchor[EMBEDDING_KEY])
            )
        result.append(out)
    return result


def score_items(
    items: list[GridItem], renderer: GridRenderer, judges: Judges, cache: ItemCache
) -> list[dict]:
    """Records of every item: from the cache where it holds the same request, else rendered,
    scored and appended to the cache at once (so a killed run resumes there)."""
    return _speaker_to_neutral(_scored(items, renderer, judges, cache))


def _scored(
    items: list[GridItem], renderer: GridRenderer, judges: Judges, cache: ItemCache
) -> list[dict]:
    """:func:`score_items` before its report copies: records still hold their embeddings."""
    records = []
    todo = [item for item in items if cache.get(item.to_dict()) is None]
    if len(todo) < len(items):
        print(f"resuming: {len(items) - len(todo)} of {len(items)} items already scored")
    fresh = {}
    for item in tqdm(todo, desc="synthesize+judge", unit="utt"):
        record = score_rendering(renderer.render(item), judges)
        cache.add(record)
        fresh[item.id] = record
    for item in items:
        records.append(fresh.get(item.id) or cache.get(item.to_dict()))
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
    raw_intensity: bool = False,
    guidance_sweep: tuple[float, ...] | None = None,
    sweep_sentences: int | None = None,
    avoid_guidance: float = 1.0,
    grid_sentences: int | None = None,
    only: tuple[str, ...] | None = None,
    speakers: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Synthesize the grid, score every item and write report.json/report.md/plots to ``out``.

    ``raw_intensity``: every request skips the voice's intensity calibration (the "before"
    of a calibration comparison, same grid and code). ``guidance_sweep``: guidance weights
    of the flow-voice sweep (:mod:`emotts.eval.guidance`) on ``sweep_sentences`` sentences
    (default: 4 on the full grid, 1 on the quick one). Items are cached in
    ``out/items.jsonl``; a re-run resumes (:mod:`emotts.eval.item_cache`).
    ``grid_sentences``: the grid's sentence count (default: the grid's own, 12 full, 2
    quick); items are built sentence by sentence, so a smaller count is exactly the first
    sentences' part of the bigger grid and a later, bigger run reuses it. ``only``: item kinds
    to render (``label``, ``adv``, ``blend``, ``duration``, ``reference``, ``say-as``); the
    guidance sweep is added by ``guidance_sweep`` either way. ``speakers``: render the grid
    by each of these speakers of a multi-speaker voice (``all``: every one) and add the
    ``per_speaker`` section (:mod:`emotts.eval.per_speaker`, :mod:`emotts.eval.speaker_bars`);
    a one-speaker voice runs and reports as without it.
    """
    out = Path(out)
    config = GridConfig.quick() if quick else GridConfig.full()
    if grid_sentences is not None:
        config = replace(config, sentences=grid_sentences)
    if only is not None and not set(only) <= set(ITEM_KINDS):
        raise ConfigError(
            f"--only {','.join(only)}: unknown kind; accepted: {', '.join(ITEM_KINDS)}"
        )
    sentences = read_sentences(sentences_path)
    references = []
    if reference_manifest is not None:
        rows = read_rows(reference_manifest)
        references = [r for r in rows if r.split == "test"] or rows
    voice = load_voice(voice_path, vocoder)
    voice_name = voice_path or "the default voice"
    speaker_names = resolve_speakers(speakers, getattr(voice, "speakers", None) or (), voice_name)
    if speaker_names is not None and guidance_sweep is not None:
        raise ConfigError(
            "--guidance-sweep with --speaker is not supported; run the sweep without --speaker "
            "(it uses the voice's default speaker)"
        )
    if guidance_sweep is not None and getattr(voice, "decoder_type", None) != "flow":
        decoder = getattr(voice, "decoder_type", "unknown")
        raise ConfigError(
            f"--guidance-sweep needs a flow-matching voice; {voice_name}'s decoder is {decoder}"
        )
    meta = {
        "voice": voice_path,
        "vocoder": vocoder,
        "grid": "quick" if quick else "full",
        "judge": str(judge_path) if judge_path else None,
        "raw_intensity": raw_intensity,
        "reference_manifest": str(reference_manifest) if reference_manifest else None,
    }
    cache = ItemCache(out, meta)
    judges = Judges.load(judge_path)
    labels = _labels(voice, judges)
    notes: list[str] = []
    if speaker_names is None:
        items = build_grid(sentences, labels, config, references)
    else:
        items = []
        for speaker in speaker_names:
            rows, note = references_for(speaker, references)
            notes += [note] if note else []
            items += speaker_items(build_grid(sentences, labels, config, rows), speaker)
    if only is not None:
        items = [item for item in items if item.kind in only]
    if guidance_sweep is not None:
        count = sweep_sentences if sweep_sentences is not None else (1 if quick else 4)
        items += build_sweep(sentences[:count], labels, guidance_sweep, avoid_guidance)
    renderer = GridRenderer(voice, out / "audio", raw_intensity)
    scored = _scored(items, renderer, judges, cache)
    records = _speaker_to_neutral(scored)
    say_as_cases = QUICK_CASES if quick else SAY_AS_CASES
    say_as = [] if only is not None and "say-as" not in only else None
    if say_as is None:
        say_as = _say_as(voice, judges, say_as_cases, out, cache)
    meta |= {
        "labels": labels,
        "judge_holdout": judges.emotion.metrics.get("holdout") if judges.emotion else None,
        "guidance_sweep": list(guidance_sweep) if guidance_sweep is not None else None,
        "grid_sentences": config.sentences,
        "only": list(only) if only is not None else None,
    }
    judge_labels = judges.emotion.labels if judges.emotion else []
    grid_records = [r for r in records if r["kind"] not in SWEEP_KINDS]
    summary = summarize(grid_records, judge_labels) | {"say_as": say_as_summary(say_as)}
    if guidance_sweep is not None:
        summary["guidance_sweep"] = sweep_summary(records)
    report = {"meta": meta, "summary": summary, "items": records, "say_as": say_as}
    if speaker_names is not None:
        meta["speakers"] = speaker_names
        notes.append("say-as cases are read by the voice's default speaker only")
        report["per_speaker"] = _per_speaker(scored, grid_records, speaker_names, judge_labels)
        report["per_speaker"]["notes"] = notes + report["per_speaker"]["notes"]
    write_report(report, out)
    if guidance_sweep is not None:
        plot_sweep(summary["guidance_sweep"], out)
        _append_plot(out, "guidance_sweep.png")
    return report


def _per_speaker(
    scored: list[dict], grid_records: list[dict], speakers: list[str], judge_labels: list[str]
) -> dict[str, Any]:
    """The report's ``per_speaker`` section: each speaker's :func:`summarize` figures, the
    issue-14 bar table and the distinctness of the grid's own neutral renderings."""
    distinct, note = grid_distinctness(scored, speakers)
    summaries, figures = {}, {}
    for speaker in speakers:
        rows = [r for r in grid_records if r.get("speaker") == speaker]
        summaries[speaker] = summarize(rows, judge_labels)
        figures[speaker] = speaker_figures(rows, summaries[speaker], distinct, speaker)
    return {
        "speakers": speakers,
        "notes": [note] if note else [],
        "summaries": summaries,
        "table": speaker_table(figures, distinct),
        "distinctness": distinct,
    }


def _say_as(voice: Any, judges: Judges, cases: Any, out: Path, cache: ItemCache) -> list:
    """Say-as records, reused from ``out/say_as.json`` (or the cache's seeding report) when
    they hold the same cases."""
    path = out / "say_as.json"
    names = [case.name for case in cases]
    for stored in (
        json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None,
        cache.seed_report.get("say_as"),
    ):
        if stored and [r["name"] for r in stored] == names:
            return stored
    # Say-as cases are neutral readings: intensity calibration does not touch them.
    records = judge_say_as(voice, judges.whisper, cases, out / "audio")
    path.write_text(json.dumps(records, indent=2, default=str), encoding="utf-8")
    return records


def _append_plot(out: Path, name: str) -> None:
    report_md = out / "report.md"
    report_md.write_text(
        report_md.read_text(encoding="utf-8") + f"\n![{name}]({name})\n", encoding="utf-8"
    )
