"""How recognizable are two-label blends when the *source* renders them? (a ceiling for issue 6)

`emotts eval` counts a 50/50 blend as recognized when the judge's two most probable labels are
its two components. The default voice can only be as good at that as the corpus rules are, so
this renders the same blends straight from RHVoice + the rule table (parameters averaged in
their additive units: semitones, dB, log2 factors) on the evaluation sentences, plus the single
labels at intensity 1 for comparison, and reports the judge's recognition rates.

    python scripts/blend_ceiling.py [--sentences 12] [--out /tmp/blend_ceiling.json]
"""

from __future__ import annotations

import argparse
import json
from itertools import pairwise

import numpy as np
from tqdm import tqdm

from emotts.data.synthetic.generate import SAMPLE_RATE, calibration_gain_db, rhvoice
from emotts.data.synthetic.rules import prosody_from_parameters, raw_parameters, realized_adv
from emotts.data.synthetic.ssml import accent_candidates, build_ssml
from emotts.data.synthetic.world_edit import apply_world_edits
from emotts.emotion.labels import LABELS
from emotts.eval.evaluate import read_sentences
from emotts.eval.features import EgemapsExtractor
from emotts.eval.judge import EmotionJudge, resolve_judge_path


def mixed_parameters(mix: dict[str, float]) -> dict[str, float]:
    """Weighted mean of each label's intensity-1 parameters (additive units)."""
    total: dict[str, float] = {}
    for label, weight in mix.items():
        for name, value in raw_parameters(realized_adv(label, 1.0), label, 1.0).items():
            total[name] = total.get(name, 0.0) + weight * value
    return total


def render(text: str, mix: dict[str, float], gain_db: float, seed: int) -> np.ndarray:
    words = text.split()
    accented = set(accent_candidates(words)[::3])  # about the corpus's 30 % accent share
    prosody = prosody_from_parameters(mixed_parameters(mix))
    source = rhvoice(build_ssml(words, accented, prosody), "slt")
    edited, _ = apply_world_edits(source, SAMPLE_RATE, prosody, np.random.default_rng(seed))
    return edited * 10.0 ** (gain_db / 20.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=12)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    judge = EmotionJudge.load(resolve_judge_path(None))
    extractor = EgemapsExtractor()
    sentences = read_sentences(None)[: args.sentences]
    emotional = [label for label in LABELS if label != "neutral"]
    # Same pairs as the eval grid: neighbouring non-neutral labels (first three), plus all.
    pairs = list(pairwise(emotional))
    gain = calibration_gain_db("slt")

    rows = []
    jobs = [((label,), {label: 1.0}) for label in emotional] + [
        (pair, {pair[0]: 0.5, pair[1]: 0.5}) for pair in pairs
    ]
    for s, text in enumerate(tqdm(sentences, desc="sentences")):
        for components, mix in jobs:
            audio = render(text, mix, gain, seed=s)
            probs = judge.probabilities(extractor(audio, SAMPLE_RATE))[0]
            order = [judge.labels[i] for i in np.argsort(probs)[::-1]]
            rows.append({"sentence": s, "components": list(components), "top": order[:3]})

    print("single labels (judge top-1 == label):")
    for label in emotional:
        hits = [r["top"][0] == label for r in rows if r["components"] == [label]]
        print(f"  {label:10s} {np.mean(hits):.2f}  (n={len(hits)})")
    print("50/50 blends (judge top-2 == the two components):")
    for a, b in pairs:
        mine = [r for r in rows if r["components"] == [a, b]]
        hits = [set(r["top"][:2]) == {a, b} for r in mine]
        either = [bool({a, b} & set(r["top"][:2])) for r in mine]
        print(
            f"  {a}+{b:10s} {np.mean(hits):.2f}  (one component in top 2: {np.mean(either):.2f}, n={len(hits)})"
        )
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
