"""A voice's per-speaker model-card table from a per-speaker `emotts eval` report.json.

    python scripts/model_card_table.py runs/eval_cast/report.json >> VOICE/README.md

The table is the report's own (``per_speaker.table``, computed by
:mod:`emotts.eval.speaker_bars` when the evaluation ran with ``--speaker``): one row per
speaker, one column per issue-14 bar with the value and pass/fail, then the voice's
distinctness margin. A line above it says which run measured it; the report's notes follow.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from emotts.errors import ConfigError
from emotts.eval.speaker_bars import table_markdown


def card_markdown(report: dict, source: str) -> str:
    """The model-card block: provenance line, the bar table, the report's notes."""
    section = report.get("per_speaker")
    if not section:
        raise ConfigError(
            f"{source} has no per-speaker section; run `emotts eval --voice V --speaker all` "
            "(a multi-speaker voice) and give its report.json"
        )
    meta = report.get("meta", {})
    provenance = (
        f"Per-speaker figures, {meta.get('grid', '?')} grid of `emotts eval --speaker` "
        f"(voice {meta.get('voice') or 'default'}, vocoder {meta.get('vocoder') or 'its own'}, "
        f"judge {meta.get('judge') or 'none'}):"
    )
    lines = [provenance, "", table_markdown(section["table"]).rstrip()]
    if section.get("notes"):
        lines += [""] + [f"- {note}" for note in section["notes"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report", type=Path, help="report.json of a per-speaker evaluation")
    args = parser.parse_args(argv)
    if not args.report.is_file():
        raise ConfigError(f"report {args.report} does not exist")
    report = json.loads(args.report.read_text(encoding="utf-8"))
    sys.stdout.write(card_markdown(report, str(args.report)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ConfigError as error:
        sys.exit(f"error: {error}")
