"""`emotts emotions`: the emotion labels with their prototype ADV values."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("emotions", help="list emotion labels and their ADV values")
    parser.add_argument(
        "-v",
        "--voice",
        help="list the labels (and speakers) of this voice instead of the canonical table",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from emotts.emotion.labels import ALIASES, LABEL_ADV, LABELS

    labels = list(LABELS)
    speakers: list[str] = []
    if args.voice is not None:
        from emotts.voices import resolve_voice
        from emotts.voices.config import VoiceConfig

        config = VoiceConfig.read(resolve_voice(args.voice))
        labels, speakers = config.labels, config.speakers
    table = Table(title="emotion labels (ADV: Russell & Mehrabian 1977)")
    for column in ("label", "arousal", "dominance", "valence", "aliases"):
        table.add_column(column)
    for label in labels:
        adv = LABEL_ADV.get(label)
        values = [f"{x:+.2f}" for x in adv] if adv else ["-"] * 3
        aliases = ", ".join(sorted(a for a, target in ALIASES.items() if target == label))
        table.add_row(label, *values, aliases)
    console = Console()
    console.print(table)
    if speakers:
        # The names `emotts synth -s`, the API's `speaker=` and dub casts accept, in model order.
        console.print(f"speakers ({len(speakers)}): " + ", ".join(speakers))
    return 0
