"""``emotts eval ceiling``: the metrics on reference recordings themselves.

Recordings are the best a voice trained on them can hope for, so their WER, DNSMOS and judge
figures are the ceiling the grid figures should be read against. With ``copy_synthesis``
set to a vocoder name, each recording is also passed through the voice's mel front-end and
that vocoder (audio -> mel -> audio), which measures what the vocoder alone costs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from emotts.errors import ConfigError
from emotts.eval.audio import load_mono
from emotts.eval.evaluate import summarize
from emotts.eval.manifest import ReferenceRow, read_rows
from emotts.eval.reference import compare_audio
from emotts.eval.report import write_report
from emotts.eval.scoring import Judges, score_audio
from emotts.eval.speaker import cosine

RATE = 22050  # the voices' rate, so copy-synthesis needs no extra resampling


def _copy_synthesizer(vocoder_name: str) -> Any:
    """audio -> mel (emotts front-end) -> audio (named vocoder), as a numpy function."""
    import torch

    from emotts.audio.config import AudioConfig
    from emotts.audio.mel import mel_spectrogram
    from vocoders import load_vocoder

    config = AudioConfig()
    if config.sample_rate != RATE:
        raise ConfigError(f"copy-synthesis expects a {RATE} Hz front-end")
    vocoder = load_vocoder(vocoder_name).eval()

    def resynthesize(samples: np.ndarray) -> np.ndarray:
        mel = torch.as_tensor(mel_spectrogram(samples, config), dtype=torch.float32)
        with torch.no_grad():
            return vocoder(mel[None])[0].cpu().numpy().astype(np.float32)

    return resynthesize


def _row_record(row: ReferenceRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": "label" if row.emotion else "recording",
        "text": row.text,
        "label": row.emotion,
        "intensity": 1.0 if row.intensity is None else row.intensity,
        "adv": row.adv,
        "speaker": row.speaker,
        "audio": str(row.audio),
    }


def balanced_subset(rows: list[ReferenceRow], limit: int | None) -> list[ReferenceRow]:
    """At most ``limit`` rows taken in turn from each label (unlabelled rows as one group).

    The first N manifest rows can miss rare labels entirely; taking one row per label in turn
    (manifest order within a label) covers every label a split has. Output keeps manifest order.
    """
    if limit is None or limit >= len(rows):
        return rows
    groups: dict[str | None, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(row.emotion, []).append(index)
    queues = [groups[key] for key in sorted(groups, key=lambda k: (k is None, k or ""))]
    chosen: list[int] = []
    while len(chosen) < limit:
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return [rows[i] for i in sorted(chosen)]


def run_ceiling(
    manifest: str | Path,
    out: str | Path,
    judge_path: str | Path | None = None,
    splits: tuple[str, ...] = ("test",),
    copy_synthesis: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    rows = balanced_subset(read_rows(manifest, splits), limit)
    if not rows:
        raise ConfigError(f"{manifest} has no rows in split(s) {', '.join(splits)}")
    judges = Judges.load(judge_path)
    if judges.emotion and set(judges.emotion.metrics.get("splits", [])) & set(splits):
        raise ConfigError(
            "the judge was fitted on these splits; a ceiling on them would be optimistic"
        )
    resynthesize = _copy_synthesizer(copy_synthesis) if copy_synthesis else None
    records, copies, embeddings = [], [], []
    for row in tqdm(rows, desc="ceiling", unit="utt"):
        audio = load_mono(row.audio, RATE)
        records.append(_row_record(row) | score_audio(judges, audio, RATE, row.text))
        embeddings.append(judges.speaker.embed(audio, RATE))
        if resynthesize is not None:
            copy = resynthesize(audio)
            record = _row_record(row) | score_audio(judges, copy, RATE, row.text)
            record["reference_metrics"] = compare_audio(copy, RATE, audio, RATE).to_dict()
            record["speaker_to_reference"] = cosine(
                judges.speaker.embed(copy, RATE), embeddings[-1]
            )
            copies.append(record)
    # Same-speaker similarity between different recordings: the ceiling of speaker_to_reference.
    for i, record in enumerate(records):
        others = [j for j, r in enumerate(records) if j != i and r["speaker"] == record["speaker"]]
        if others:
            record["speaker_to_reference"] = cosine(embeddings[i], embeddings[others[0]])
    labels = judges.emotion.labels if judges.emotion else []
    report: dict[str, Any] = {
        "meta": {
            "manifest": str(manifest),
            "splits": list(splits),
            "judge": str(judge_path) if judge_path else None,
            "judge_holdout": judges.emotion.metrics.get("holdout") if judges.emotion else None,
            "copy_synthesis": copy_synthesis,
        },
        "summary": summarize(records, labels),
        "items": records,
    }
    if copies:
        report["copy_synthesis"] = {"summary": summarize(copies, labels), "items": copies}
    # Recordings have continuous intensities: the confusion covers all of them.
    write_report(report, out, confusion_key="accuracy_all")
    return report
