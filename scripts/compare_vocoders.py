"""Quality of two vocoders on the same acoustic model: WER, DNSMOS, judge accuracy, speaker
similarity between the renderings, copy-synthesis log-mel L1 on held-out recordings.

    python scripts/compare_vocoders.py --out /work/vocoder_compare [--vocos DIR] [--grid medium]

Writes OUT/vocoders.json, OUT/spectrograms.png and one wav per item and vocoder.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from emotts.data.manifest import read_manifest  # noqa: E402
from emotts.eval.evaluate import read_sentences  # noqa: E402
from emotts.eval.grid import GridConfig  # noqa: E402
from emotts.eval.judge import resolve_judge_path  # noqa: E402
from emotts.eval.vocoder_compare import compare_vocoders  # noqa: E402

GRIDS = {
    "full": GridConfig.full(),
    # Every label once per sentence at intensity 1, two ADV values per dimension, one blend.
    "medium": GridConfig(6, (1.0,), (-0.8, 0.8), 1, (), 0, 0),
    "quick": GridConfig.quick(),
    "smoke": GridConfig(1, (1.0,), (0.8,), 0, (), 0, 0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--voice", default=None, help="torch voice (default: the shipped one)")
    parser.add_argument("--vocos", type=Path, default=None, help="vocos weights dir (default: shipped)")
    parser.add_argument("--grid", choices=GRIDS, default="medium")
    parser.add_argument(
        "--recordings",
        nargs="*",
        default=[f"data/corpus/{v}/manifest.jsonl" for v in ("slt", "clb", "bdl", "alan")],
        help="manifests whose test split is copy-synthesized",
    )
    parser.add_argument("--per-speaker", type=int, default=4)
    args = parser.parse_args()

    from emotts.api import Voice
    from vocoders import HiFiGAN, VocosVocoder

    vocos = VocosVocoder.from_directory(args.vocos) if args.vocos else VocosVocoder.shipped()
    vocoders = {"hifigan-universal": HiFiGAN.universal().eval(), "vocos-emotts": vocos.eval()}
    voice = Voice.load(args.voice, backend="torch")
    voice._vocoder = vocoders["vocos-emotts"]  # cheap vocoding inside synthesize; mels are what count
    recordings = []
    for manifest in args.recordings:
        manifest = Path(manifest)
        if manifest.is_file():
            rows = [e for e in read_manifest(manifest) if e.split == "test"][: args.per_speaker]
            recordings += [e.audio_path(manifest.parent) for e in rows]
    report = compare_vocoders(
        voice,
        vocoders,
        read_sentences(None),
        args.out,
        resolve_judge_path(None),
        GRIDS[args.grid],
        recordings,
    )
    print(json.dumps({k: v for k, v in report.items() if k != "records"}, indent=2))


if __name__ == "__main__":
    main()
