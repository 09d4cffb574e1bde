"""``emotts eval speakers``: are a voice's (or a corpus's) speakers told apart?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from emotts.errors import ConfigError


def _run(args: argparse.Namespace) -> int:
    from emotts.eval.distinct import (
        distinctness_of_recordings,
        distinctness_of_voice,
        plot_similarity,
    )
    from emotts.eval.speaker import SpeakerJudge

    if (args.voice is None) == (args.manifest is None):
        raise ConfigError("give either --voice (render its speakers) or --manifest (recordings)")
    if args.sentences < 2 or args.per_speaker < 2:
        raise ConfigError("--sentences and --per-speaker must be at least 2 (pairs are needed)")
    judge = SpeakerJudge()
    if args.voice is not None:
        from emotts.eval.evaluate import read_sentences
        from emotts.eval.grid import load_voice

        voice = load_voice(args.voice, args.vocoder)
        if len(voice.speakers) < 2:
            raise ConfigError(f"voice {args.voice!r} has one speaker ({voice.speakers[0]})")
        sentences = read_sentences(args.sentence_file)[: args.sentences]
        result = distinctness_of_voice(voice, sentences, judge.embed)
        title = f"speakers of {args.voice}"
    else:
        result = distinctness_of_recordings(Path(args.manifest), judge.embed, args.per_speaker)
        title = f"recordings of {args.manifest}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "speakers.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    plot_similarity(result, out / "speakers.png", title)
    for speaker in result["speakers"]:
        others = ", ".join(f"{o} {v:.3f}" for o, v in result["cross"][speaker].items())
        print(f"{speaker:>10}: within {result['within'][speaker]:.3f}; cross {others}")
    print(
        f"mean within {result['mean_within']:.3f}, mean cross {result['mean_cross']:.3f}, "
        f"margin {result['margin']:+.3f}; closest pair {'/'.join(result['closest_pair'])} "
        f"({result['closest_cross']:.3f})"
    )
    print(f"written to {out}/speakers.json and {out}/speakers.png")
    return 0


def register_nested(nested: argparse._SubParsersAction) -> None:
    parser = nested.add_parser(
        "speakers",
        help="within- vs cross-speaker similarity of a voice's speakers (or a corpus's)",
    )
    parser.add_argument("--voice", help="multi-speaker voice directory or name")
    parser.add_argument("--manifest", help="instead: recordings (neutral rows of the test split)")
    parser.add_argument("--vocoder", help="vocoder instead of the voice's own")
    parser.add_argument("--out", required=True)
    parser.add_argument("--sentences", type=int, default=6, help="sentences per speaker (6)")
    parser.add_argument("--sentence-file", help="sentence file (default: the bundled one)")
    parser.add_argument("--per-speaker", type=int, default=8, help="recordings per speaker (8)")
    parser.set_defaults(func=_run)
