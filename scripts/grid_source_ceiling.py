"""The evaluation grid rendered by the *source*: what a perfect copy of the corpus would score.

`emotts eval ceiling` scores corpus recordings, whose sentences, intensities and emotions are
whatever the corpus drew, and the corpus holds no blends. The emotion bars of issue 6 are
measured on the grid's own design (same sentence at intensities 0 / 0.5 / 1 / 1.5, ADV sweeps,
50/50 blends), so this renders exactly those grid items straight from RHVoice slt + the rule
table (a blend's parameters are its labels' intensity-1 parameters averaged in their additive
units: semitones, dB, log2 factors) and computes the same emotion figures with the same code
(`emotts.eval.summary.emotion`) and judge. A voice trained on the corpus cannot be expected
to beat these numbers.

    python scripts/grid_source_ceiling.py [--sentences 12] [--out ceiling.json]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import numpy as np
from tqdm import tqdm

from emotts.data.synthetic.generate import SAMPLE_RATE, calibration_gain_db, rhvoice
from emotts.data.synthetic.rules import (
    blend_parameters,
    prosody_from_parameters,
    raw_parameters,
    realized_adv,
)
from emotts.data.synthetic.ssml import accent_candidates, build_ssml
from emotts.data.synthetic.world_edit import apply_world_edits
from emotts.emotion.labels import LABELS
from emotts.eval.evaluate import read_sentences
from emotts.eval.features import EgemapsExtractor
from emotts.eval.grid import GridConfig, GridItem, build_grid
from emotts.eval.judge import EmotionJudge, resolve_judge_path
from emotts.eval.summary import emotion

ADV_KEYS = ("arousal", "dominance", "valence")


def item_parameters(item: GridItem) -> dict[str, float]:
    """Rule parameters (additive units) for a label, blend or ADV grid item."""
    if item.mix is not None:
        return blend_parameters(item.mix, 1.0)
    if item.adv is not None:
        return raw_parameters(item.adv)
    # Intensity scales both the prototype ADV and the label's extras, as in the corpus; at
    # intensity 0 this is the neutral rendering.
    return raw_parameters(realized_adv(item.label, item.intensity), item.label, item.intensity)


def render(item: GridItem, gain_db: float, seed: int) -> np.ndarray:
    words = item.text.split()
    accented = set(accent_candidates(words)[::3])  # about the corpus's 30 % accent share
    prosody = prosody_from_parameters(item_parameters(item))
    source = rhvoice(build_ssml(words, accented, prosody), "slt")
    edited, _ = apply_world_edits(source, SAMPLE_RATE, prosody, np.random.default_rng(seed))
    return edited * 10.0 ** (gain_db / 20.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=12, help="grid sentences (full: 12)")
    parser.add_argument("--out", default=None, help="write the records and summary as JSON")
    args = parser.parse_args()

    judge = EmotionJudge.load(resolve_judge_path(None))
    extractor = EgemapsExtractor()
    config = replace(GridConfig.full(), sentences=args.sentences)
    items = [
        item
        for item in build_grid(read_sentences(None), list(LABELS), config)
        if item.kind in ("label", "adv", "blend")
    ]
    gain = calibration_gain_db("slt")
    records = []
    for index, item in enumerate(tqdm(items, desc="source renderings")):
        features = extractor(render(item, gain, seed=index), SAMPLE_RATE)
        probs = judge.probabilities(features)[0]
        record = item.to_dict()
        record["judged_probabilities"] = dict(zip(judge.labels, probs.tolist(), strict=True))
        adv = judge.predict_adv(features)
        if adv is not None:
            record["judged_adv"] = dict(zip(ADV_KEYS, adv[0].tolist(), strict=True))
        records.append(record)

    summary = emotion(records, judge.labels)
    print(json.dumps({k: v for k, v in summary.items() if "confusion" not in str(k)}, indent=1))
    print("blends, per pair (judge top-2 == both components; one of them in the top 2):")
    for pair in sorted({tuple(r["mix"]) for r in records if r["kind"] == "blend"}):
        rows = [r for r in records if r["kind"] == "blend" and tuple(r["mix"]) == pair]
        tops = [
            sorted(r["judged_probabilities"], key=r["judged_probabilities"].get)[-2:] for r in rows
        ]
        both = np.mean([set(t) == set(pair) for t in tops])
        one = np.mean([bool(set(t) & set(pair)) for t in tops])
        print(f"  {'+'.join(pair):20s} {both:.2f}  ({one:.2f}, n = {len(rows)})")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"summary": summary, "records": records}, f, indent=1)


if __name__ == "__main__":
    main()
