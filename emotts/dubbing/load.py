"""`load_cues`: a subtitle file or a script -> cues, by file extension (or ``format``)."""

from __future__ import annotations

from pathlib import Path

from emotts.dubbing.cues import Cue
from emotts.dubbing.script import parse_csv, parse_jsonl
from emotts.dubbing.subtitles import parse_srt, parse_vtt
from emotts.errors import ConfigError

PARSERS = {"srt": parse_srt, "vtt": parse_vtt, "jsonl": parse_jsonl, "csv": parse_csv}


def parse_cues(text: str, format: str) -> list[Cue]:
    """Cues from the text of a file in ``format`` (srt, vtt, jsonl or csv)."""
    parser = PARSERS.get(format.lower().lstrip("."))
    if parser is None:
        raise ConfigError(f"unknown cue format {format!r}; accepted: {', '.join(PARSERS)}")
    return parser(text)


def load_cues(path: str | Path, format: str | None = None) -> list[Cue]:
    """Cues of a .srt, .vtt, .jsonl or .csv file (UTF-8, BOM and CRLF accepted).

    Unreadable cues are returned too, with their ``problem``, for the report.
    """
    path = Path(path)
    chosen = format or path.suffix
    if chosen.lower().lstrip(".") not in PARSERS:
        raise ConfigError(
            f"cannot tell the format of {str(path)!r} from its extension {path.suffix!r}; "
            f"accepted: {', '.join('.' + name for name in PARSERS)} (or give the format)"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read cue file {str(path)!r}: {error}") from None
    return parse_cues(text, chosen)
