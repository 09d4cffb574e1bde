"""Measure emotion transfer from a reference clip (`emotts synth --emotion-from CLIP`).

For each held-out corpus clip: estimate its emotion with the judge, synthesize an evaluation
sentence with that estimate (as a label blend, and as an ADV vector), judge the synthesized
speech, and compare with the clip. Prints, per mode, how often the synthesized speech's judged
label equals the clip's true label (clips with a label) and Pearson r per ADV dimension between
the clip's true ADV and the synthesized speech's judged ADV (every clip), plus the same r for
the judge on the clip itself (the ceiling the judge allows).

    nice -n 10 python scripts/clip_emotion_transfer.py \\
        --manifest data/corpus/slt/manifest.jsonl --splits test,val,judge
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from emotts.api import Voice
from emotts.emotion.from_clip import MODES, ClipEmotionEstimator
from emotts.emotion.labels import canonical_label
from emotts.eval.audio import load_mono
from emotts.eval.emotion_metrics import pearson
from emotts.eval.features import FEATURE_RATE
from emotts.eval.judge import ADV_KEYS

SENTENCES = Path(__file__).parents[1] / "emotts" / "eval" / "data" / "sentences.txt"


def _clips(manifest: Path, splits: set[str], limit: int | None, labelled: bool) -> list[dict]:
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    chosen = [
        row
        for row in rows
        if row["split"] in splits
        and row.get("true_adv") is not None
        and (row.get("true_emotion") or not labelled)
    ]
    return chosen[:limit] if limit else chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--splits", default="test", help="comma-separated splits (default test)")
    parser.add_argument("--voice", help="voice to synthesize with (default: the default voice)")
    parser.add_argument("--limit", type=int, help="at most this many clips")
    parser.add_argument("--labelled-only", action="store_true", help="skip ADV-only clips")
    parser.add_argument("--modes", default=",".join(MODES), help="spec modes to synthesize with")
    parser.add_argument("--json", type=Path, help="also write per-clip results as JSON")
    args = parser.parse_args()
    modes = args.modes.split(",")

    clips = _clips(args.manifest, set(args.splits.split(",")), args.limit, args.labelled_only)
    sentences = [
        line.strip()
        for line in SENTENCES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    voice = Voice.load(args.voice)
    estimator = ClipEmotionEstimator()
    judge = estimator.judge
    results = []
    for index, row in enumerate(clips):
        path = args.manifest.parent / row["audio"]
        clip_features = estimator.features(load_mono(path, FEATURE_RATE), FEATURE_RATE)
        estimate = estimator.estimate_features(clip_features[None], [str(path)])
        result = {
            "id": row["id"],
            "true_label": row["true_emotion"] and canonical_label(row["true_emotion"]),
            "true_adv": row["true_adv"],
            "clip_judged_adv": list(estimate.adv),
            "clip_judged_label": estimate.label,
        }
        text = sentences[index % len(sentences)]
        for mode in modes:
            spec = estimate.spec(mode)
            audio = voice.synthesize(text, spec)
            features = estimator.features(audio.samples, audio.sample_rate)[None]
            result[mode] = {
                "spec": str(spec),
                "judged_label": canonical_label(judge.predict_labels(features)[0]),
                "judged_adv": judge.predict_adv(features)[0].tolist(),
            }
        results.append(result)
        print(
            f"{row['id']} {result['true_label'] or '-':9s} clip->{estimate.label:9s} "
            + " ".join(f"{m}:{result[m]['judged_label']}" for m in modes),
            flush=True,
        )
    labelled = [r for r in results if r["true_label"]]
    print(
        f"\n{len(results)} clips ({len(labelled)} labelled: {dict(Counter(r['true_label'] for r in labelled))})"
    )
    truth = np.array([r["true_adv"] for r in results])
    clip_judged = np.array([r["clip_judged_adv"] for r in results])
    ceiling = {k: pearson(truth[:, i], clip_judged[:, i]) for i, k in enumerate(ADV_KEYS)}
    print(
        "judge on the clips themselves: label accuracy "
        f"{np.mean([r['clip_judged_label'] == r['true_label'] for r in labelled]):.3f}, ADV r "
        + ", ".join(f"{k} {v:.3f}" for k, v in ceiling.items() if v is not None)
    )
    for mode in modes:
        match = np.mean([r[mode]["judged_label"] == r["true_label"] for r in labelled])
        judged = np.array([r[mode]["judged_adv"] for r in results])
        rs = {k: pearson(truth[:, i], judged[:, i]) for i, k in enumerate(ADV_KEYS)}
        print(
            f"mode {mode:6s}: judged label of the synthesis = clip label {match:.3f} "
            f"({len(labelled)} clips); ADV r "
            + ", ".join(f"{k} {'n/a' if v is None else f'{v:.3f}'}" for k, v in rs.items())
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
