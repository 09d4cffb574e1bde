"""`emotts emotions`: the emotion labels with their prototype ADV values."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("emotions", help="list emotion labels and their ADV values")
    parser.add_argument(
        "-v", "--voice", help="list the labels of this voice instead of the canonical table"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from emotts.emotion.labels import ALIASES, LABEL_ADV, LABELS

    labels = list(LABELS)
    if args.voice is not None:
        from emotts.voices import resolve_voice
        from emotts.voices.config import VoiceConfig

        labels = VoiceConfig.read(resolve_voice(args.voice)).labels
    table = Table(title="emotion labels (ADV: Russell & Mehrabian 1977)")
    for column in ("label", "arousal", "dominance", "valence", "aliases"):
        table.add_column(column)
    for label in labels:
        adv = LABEL_ADV.get(label)
        values = [f"{x:+.2f}" for x in adv] if adv else ["-"] * 3
        aliases = ", ".join(sorted(a for a, target in ALIASES.items() if target == label))
        table.add_row(label, *values, aliases)
    Console().print(table)
    return 0
