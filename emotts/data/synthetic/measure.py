"""Measure a synthetic corpus: is the emotion the rules asked for really in the audio?

Per utterance: F0 level (median voiced F0, Hz), F0 range (5-95 percentile, semitones),
speech rate (syllables estimated from the text / speaking time, pauses excluded) and energy
(active RMS, dBFS). Per label: mean and spread; separability as the cross-validated accuracy
of a linear discriminant on those four measures; for the unlabelled ADV part: Spearman rho of
each measure with each dimension. Sanity: silence, clipping, and a re-render of a few
utterances compared with the stored audio (determinism) and with the WORLD edit's source.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pyworld

from emotts.audio.io import load_audio
from emotts.data.manifest import read_manifest
from emotts.data.synthetic.generate import SAMPLE_RATE, SETTINGS_FILE, active_rms_db
from emotts.emotion.labels import LABELS

# The four required measures, then the final F0 movement (last 0.3 s of voicing vs the
# median), which carries what separates surprise (final rise) from happiness and fear.
MEASURES = ("f0_hz", "f0_range_st", "rate_syl_s", "energy_db", "final_st")
CORE_MEASURES = MEASURES[:4]
FINAL_S = 0.3
CLIP_RUN = 3  # hard clipping leaves runs of full-scale samples; a soft-limited peak does not
DIMS = ("arousal", "dominance", "valence")
SILENT_DBFS = -60.0  # an utterance quieter than this counts as silent
SPEAKING_DB = -35.0  # 10 ms frames within 35 dB of the loudest count as speaking


def count_syllables(text: str) -> int:
    """Vowel groups per word (a silent final 'e' dropped), at least one per word."""
    total = 0
    for word in re.findall(r"[a-z]+", text.lower()):
        groups = len(re.findall(r"[aeiouy]+", word))
        if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
            groups -= 1
        total += max(1, groups)
    return total


def measure_audio(x: np.ndarray, text: str, sr: int = SAMPLE_RATE) -> dict[str, float]:
    """The four prosodic measures of one utterance."""
    x64 = x.astype(np.float64)
    f0, t = pyworld.dio(x64, sr, f0_floor=60.0, f0_ceil=600.0, frame_period=10.0)
    f0 = pyworld.stonemask(x64, f0, t, sr)
    voiced = f0[f0 > 0]
    hop = sr // 100
    n = len(x64) // hop
    db = 10.0 * np.log10(np.mean(x64[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    speaking_s = float(np.sum(db > db.max() + SPEAKING_DB)) * hop / sr
    return {
        "f0_hz": float(np.median(voiced)) if voiced.size else 0.0,
        "f0_range_st": float(12.0 * np.log2(np.percentile(voiced, 95) / np.percentile(voiced, 5)))
        if voiced.size
        else 0.0,
        "rate_syl_s": count_syllables(text) / max(speaking_s, 1e-3),
        "energy_db": active_rms_db(x, sr),
        "final_st": _final_movement_st(f0, 0.01),
    }


def _final_movement_st(f0: np.ndarray, frame_s: float) -> float:
    idx = np.flatnonzero(f0 > 0)
    if idx.size < 2:
        return 0.0
    tail = f0[idx[idx * frame_s >= idx[-1] * frame_s - FINAL_S]]
    return float(12.0 * np.log2(np.median(tail) / np.median(f0[idx])))


def clipped_runs(x: np.ndarray) -> int:
    """Number of runs of >= CLIP_RUN consecutive samples at full scale."""
    full = np.abs(x) >= 0.999
    starts = np.flatnonzero(full & ~np.concatenate([[False], full[:-1]]))
    ends = np.flatnonzero(full & ~np.concatenate([full[1:], [False]]))
    return int(np.sum(ends - starts + 1 >= CLIP_RUN))


def pairwise_effect_sizes(rows: list[dict], labels: list[str]) -> dict[str, float]:
    """Per label pair, the largest |Cohen's d| over the measures (how separable the pair is)."""
    out = {}
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            best = 0.0
            for m in MEASURES:
                xa = np.array([r[m] for r in rows if r["label"] == a])
                xb = np.array([r[m] for r in rows if r["label"] == b])
                pooled = np.sqrt((xa.var(ddof=1) + xb.var(ddof=1)) / 2.0) + 1e-9
                best = max(best, abs(xa.mean() - xb.mean()) / pooled)
            out[f"{a}-{b}"] = best
    return out


def _ranks(x: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(x))
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    return ranks


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(_ranks(x), _ranks(y))[0, 1])


def lda_cv_accuracy(
    features: np.ndarray, labels: np.ndarray, folds: int = 5, seed: int = 0
) -> float:
    """Cross-validated accuracy of a shared-covariance Gaussian (linear discriminant) classifier."""
    order = np.random.default_rng(seed).permutation(len(labels))
    correct = 0
    for fold in range(folds):
        test = order[fold::folds]
        train = np.setdiff1d(order, test)
        mu_x, sd_x = features[train].mean(0), features[train].std(0) + 1e-9
        z_train, z_test = (features[train] - mu_x) / sd_x, (features[test] - mu_x) / sd_x
        classes = np.unique(labels[train])
        means = np.stack([z_train[labels[train] == c].mean(0) for c in classes])
        resid = z_train - means[np.searchsorted(classes, labels[train])]
        prec = np.linalg.inv(np.cov(resid.T) + 1e-6 * np.eye(z_train.shape[1]))
        scores = z_test @ prec @ means.T - 0.5 * np.einsum("kd,de,ke->k", means, prec, means)
        correct += int(np.sum(classes[scores.argmax(1)] == labels[test]))
    return correct / len(labels)


def _sanity(entries: list, manifest_dir: Path, count: int) -> dict:
    """Re-render ``count`` utterances: identical to the stored wav, and close to the WORLD target."""
    from emotts.data.synthetic.generate import render_utterance
    from emotts.data.synthetic.plan import SynthesisConfig, make_plan, upgrade_settings

    settings = upgrade_settings(json.loads((manifest_dir / SETTINGS_FILE).read_text()))
    per_voice = Counter(entry.speaker for entry in entries)
    cfg = SynthesisConfig.from_settings(manifest_dir, settings, utterances=max(per_voice.values()))
    rows = []
    stored_ids = {entry.id for entry in entries}
    planned = [utt for utt in make_plan(cfg) if utt.id in stored_ids]
    # The first utterances of every voice, in turn, so each speaker's rendering is checked.
    by_voice = [[u for u in planned if u.voice == voice] for voice in cfg.voices]
    chosen = [u for group in itertools.zip_longest(*by_voice) for u in group if u][:count]
    for utt in chosen:
        gain_db = settings["calibration_gain_db"][utt.voice]
        audio, report = render_utterance(utt, gain_db, cfg.seed)
        stored = load_audio(manifest_dir / "wavs" / f"{utt.id}.wav", SAMPLE_RATE)
        out_f0 = measure_audio(audio, utt.text)["f0_hz"]
        rows.append(
            {
                "max_abs_diff_vs_stored": float(np.max(np.abs(stored - audio[: len(stored)]))),
                "duration_ratio_out_vs_target": len(audio) / SAMPLE_RATE / report.target_s,
                "f0_error_st_out_vs_target": float(12.0 * np.log2(out_f0 / report.target_f0_hz)),
                "f0_shift_st_target_vs_source": float(
                    12.0 * np.log2(report.target_f0_hz / report.source_f0_hz)
                ),
            }
        )
    return {
        "checked": len(rows),
        "max_abs_diff_vs_stored": max(r["max_abs_diff_vs_stored"] for r in rows),
        "duration_ratio_range": [
            min(r["duration_ratio_out_vs_target"] for r in rows),
            max(r["duration_ratio_out_vs_target"] for r in rows),
        ],
        "f0_error_st_max_abs": max(abs(r["f0_error_st_out_vs_target"]) for r in rows),
    }


def measure_corpus(manifest: Path, out_dir: Path, sanity_count: int = 20) -> str:
    """Measure every utterance; write measure.json, measure.md, measure.png; return the markdown."""
    from emotts.data.synthetic.plot import plot_measures

    entries = read_manifest(manifest)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for e in entries:
        x = load_audio(e.audio_path(manifest.parent), SAMPLE_RATE)
        row = {
            "id": e.id,
            "label": e.extra.get("true_emotion", e.emotion),
            "adv": e.extra.get("true_adv", e.adv),
            "blend": e.extra.get("true_blend"),
            "seconds": len(x) / SAMPLE_RATE,
            "peak": float(np.max(np.abs(x))),
            "clipped_runs": clipped_runs(x),
            **measure_audio(x, e.text),
        }
        rows.append(row)
    labelled = [r for r in rows if r["label"] is not None]
    # Blends carry ADV but also their labels' extras: not part of the continuous-ADV analysis.
    continuous = [
        r for r in rows if r["label"] is None and r["adv"] is not None and r["blend"] is None
    ]
    per_label = {
        lab: {
            m: [
                float(np.mean([r[m] for r in labelled if r["label"] == lab])),
                float(np.std([r[m] for r in labelled if r["label"] == lab])),
            ]
            for m in MEASURES
        }
        | {"n": sum(r["label"] == lab for r in labelled)}
        for lab in LABELS
        if any(r["label"] == lab for r in labelled)
    }
    names = np.array([r["label"] for r in labelled])
    enough = len(per_label) > 1
    accuracy = (
        {
            "core4": lda_cv_accuracy(
                np.array([[r[m] for m in CORE_MEASURES] for r in labelled]), names
            ),
            "with_final": lda_cv_accuracy(
                np.array([[r[m] for m in MEASURES] for r in labelled]), names
            ),
        }
        if enough
        else None
    )
    pairs = pairwise_effect_sizes(labelled, list(per_label)) if enough else {}
    rho = (
        {
            m: {
                d: spearman(
                    np.array([r[m] for r in continuous]),
                    np.array([r["adv"][k] for r in continuous]),
                )
                for k, d in enumerate(DIMS)
            }
            for m in MEASURES
        }
        if len(continuous) > 2
        else {}
    )
    summary = {
        "utterances": len(rows),
        "hours": sum(r["seconds"] for r in rows) / 3600.0,
        "silent": sum(r["energy_db"] < SILENT_DBFS for r in rows),
        "clipped": sum(r["clipped_runs"] > 0 for r in rows),
        "max_peak": max(r["peak"] for r in rows),
        "per_label": per_label,
        "lda_cv_accuracy": accuracy,
        "pairwise_max_abs_d": pairs,
        "spearman": rho,
        "sanity": _sanity(entries, manifest.parent, sanity_count) if sanity_count else None,
    }
    (out_dir / "measure.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    plot_measures(labelled, continuous, out_dir / "measure.png")
    markdown = to_markdown(summary)
    (out_dir / "measure.md").write_text(markdown)
    return markdown


def to_markdown(s: dict) -> str:
    lines = [
        f"{s['utterances']} utterances, {s['hours']:.2f} h; silent: {s['silent']}, "
        f"hard-clipped: {s['clipped']}, highest peak {s['max_peak']:.3f}",
        "",
        "| label | n | F0 (Hz) | F0 range (st) | rate (syl/s) | energy (dBFS) | final F0 move (st) |",
        "|---|---|---|---|---|---|---|",
    ]
    for lab, st in s["per_label"].items():
        cells = " | ".join(f"{st[m][0]:.1f} ± {st[m][1]:.1f}" for m in MEASURES)
        lines.append(f"| {lab} | {st['n']} | {cells} |")
    if s["lda_cv_accuracy"] is not None:
        acc = s["lda_cv_accuracy"]
        weakest = sorted(s["pairwise_max_abs_d"].items(), key=lambda kv: kv[1])[:3]
        lines += [
            "",
            f"5-fold cross-validated linear-discriminant accuracy: {acc['core4']:.3f} on the 4 "
            f"measures, {acc['with_final']:.3f} with the final F0 movement "
            f"(chance {1 / len(s['per_label']):.3f}). Least separable pairs (largest |Cohen's d| "
            "over the 5 measures): " + ", ".join(f"{k} {v:.1f}" for k, v in weakest),
        ]
    if s["spearman"]:
        lines += [
            "",
            "Spearman rho, unlabelled ADV part:",
            "",
            "| measure | arousal | dominance | valence |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {m} | " + " | ".join(f"{s['spearman'][m][d]:+.2f}" for d in DIMS) + " |"
            for m in MEASURES
        ]
    if s["sanity"]:
        san = s["sanity"]
        lines += [
            "",
            f"Sanity on {san['checked']} re-rendered utterances: max |stored - re-render| "
            f"{san['max_abs_diff_vs_stored']:.2e}; output/target duration ratio "
            f"{san['duration_ratio_range'][0]:.3f}-{san['duration_ratio_range'][1]:.3f}; "
            f"max |F0 error| vs WORLD target {san['f0_error_st_max_abs']:.2f} st",
        ]
    return "\n".join(lines) + "\n"
