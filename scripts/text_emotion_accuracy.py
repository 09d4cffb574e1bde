"""Measure `-e auto` (emotion read from the text) on the labelled sentence set.

Prints accuracy and valence-sign agreement per split (dev: used while writing the lexicon;
test: only measured) and the confusion matrix over all sentences.

    python scripts/text_emotion_accuracy.py [tests/data/text_emotion_sentences.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from emotts.emotion.from_text import estimate_text_emotion
from emotts.emotion.labels import LABEL_ADV, LABELS

DEFAULT_SET = Path(__file__).parents[1] / "tests" / "data" / "text_emotion_sentences.jsonl"


def _sign(value: float) -> int:
    return 0 if value == 0 else (1 if value > 0 else -1)


def main(path: Path = DEFAULT_SET) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    predicted = [estimate_text_emotion(row["text"]).label for row in rows]
    for split in ("dev", "test", "all"):
        chosen = [
            (r, p) for r, p in zip(rows, predicted, strict=True) if split in ("all", r["split"])
        ]
        accuracy = sum(r["label"] == p for r, p in chosen) / len(chosen)
        valence = sum(_sign(LABEL_ADV[p][2]) == r["valence"] for r, p in chosen) / len(chosen)
        print(f"{split:5s} n={len(chosen):3d} accuracy {accuracy:.3f} valence-sign {valence:.3f}")
    confusion = Counter((r["label"], p) for r, p in zip(rows, predicted, strict=True))
    print("gold \\ predicted " + " ".join(f"{label[:5]:>5s}" for label in LABELS))
    for gold in LABELS:
        print(f"{gold:16s} " + " ".join(f"{confusion[(gold, p)]:5d}" for p in LABELS))


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:]))
