"""SRT and WebVTT files -> cues, parsed by the ``srt`` and ``webvtt-py`` libraries.

The file is first cut into blank-line separated blocks with their line numbers; each block is
then parsed on its own (strictly), so one malformed cue becomes a reported problem instead of
sinking the file, and every problem names its line. Subtitle formatting (``<i>``, ``<b>``,
``<font>``, ``<c.class>``, ``{\\an8}``, VTT voice spans and timestamps) is removed; emotion and
prosody markup, emotion tags and sound descriptions are kept for the renderer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import srt
import webvtt
from webvtt.errors import MalformedCaptionError

from emotts.dubbing.cues import Cue
from emotts.errors import ConfigError

_SRT_TIME = r"\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}"
_SRT_TIMING = re.compile(rf"\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s+\S.*)?\s*")
_SRT_TIMING_HELP = "expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"
_VTT_TIMING_HELP = "expected '[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm' and optional cue settings"

_SRT_FORMATTING = re.compile(r"</?(?:i|b|u|s|font)(?:\s[^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)
_VTT_FORMATTING = re.compile(
    r"</?(?:c|i|b|u|v|lang|ruby|rt)(?:[.\s][^>]*)?>|<\d+(?::\d+)*\.\d+>", re.IGNORECASE
)
# The library's own voice-span pattern (Caption.voice reads only the first span).
_VOICE_SPAN = webvtt.Caption.VOICE_SPAN_PATTERN
# VTT entities the markup parser does not know; it reads &lt; &gt; &amp; itself.
_VTT_ENTITIES = {"&nbsp;": " ", "&lrm;": "", "&rlm;": ""}
_NON_CUE_VTT_BLOCKS = ("NOTE", "STYLE", "REGION")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")


@dataclass(frozen=True)
class _Block:
    line: int  # 1-based line of the block's first line
    lines: list[str]


def _blocks(text: str) -> list[_Block]:
    """Blank-line separated blocks (BOM removed, CR/LF/CRLF line ends)."""
    blocks, current, first = [], [], 0
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append(_Block(first, current))
            current = []
    if current:
        blocks.append(_Block(first, current))
    return blocks


def _spoken_lines(lines: list[str], formatting: re.Pattern) -> str:
    return " ".join(formatting.sub("", line).strip() for line in lines).strip()


def parse_srt(text: str) -> list[Cue]:
    """Cues of an SRT document; malformed cues carry their problem."""
    cues = []
    for number, block in enumerate(_blocks(text), start=1):
        cues.append(_srt_cue(number, block))
    return cues


def _srt_cue(number: int, block: _Block) -> Cue:
    timing_at = next((i for i, line in enumerate(block.lines[:2]) if "-->" in line), None)
    if timing_at is None:
        return Cue(
            number,
            None,
            None,
            " ".join(block.lines),
            block.line,
            problem=f"no timing line; {_SRT_TIMING_HELP}",
        )
    timing = block.lines[timing_at]
    body = block.lines[timing_at + 1 :]
    if not _SRT_TIMING.fullmatch(timing):
        return Cue(
            number,
            None,
            None,
            " ".join(body),
            block.line,
            problem=f"malformed timing line {timing.strip()!r}; {_SRT_TIMING_HELP}",
        )
    # The library parses the timing and text; our own number keeps a missing or odd index
    # from failing the cue (reports use the position in the file).
    try:
        (subtitle,) = srt.parse(f"{number}\n{timing}\n" + "\n".join(body) + "\n")
    except (srt.SRTParseError, ValueError) as error:
        return Cue(
            number, None, None, " ".join(body), block.line, problem=f"unreadable cue: {error}"
        )
    return Cue(
        number,
        subtitle.start.total_seconds(),
        subtitle.end.total_seconds(),
        _spoken_lines(subtitle.content.splitlines(), _SRT_FORMATTING),
        block.line,
    )


def parse_vtt(text: str) -> list[Cue]:
    """Cues of a WebVTT document; malformed cues carry their problem."""
    blocks = _blocks(text)
    if not blocks or not blocks[0].lines[0].startswith("WEBVTT"):
        raise ConfigError("not a WebVTT file: the first line must start with 'WEBVTT'")
    cues: list[Cue] = []
    number = 0
    for block in blocks[1:]:
        if block.lines[0].split(" ", 1)[0] in _NON_CUE_VTT_BLOCKS:
            continue  # comments, styles and regions say nothing that is spoken
        number += 1
        cues.extend(_vtt_cues(number, block))
    return cues


def _vtt_cues(number: int, block: _Block) -> list[Cue]:
    """The block's cue; a cue with several voices is one cue per voice (see `_voice_parts`)."""
    raw = "\n".join(block.lines)
    try:
        captions = webvtt.from_string("WEBVTT\n\n" + raw + "\n", strict=True).captions
    except MalformedCaptionError:
        captions = []
    if len(captions) != 1:
        timing_at = next((i for i, line in enumerate(block.lines[:2]) if "-->" in line), None)
        if timing_at is None:
            problem, body = f"no timing line; {_VTT_TIMING_HELP}", block.lines
        else:
            timing, body = block.lines[timing_at].strip(), block.lines[timing_at + 1 :]
            problem = f"malformed timing line {timing!r}; {_VTT_TIMING_HELP}"
        return [Cue(number, None, None, " ".join(body), block.line, problem=problem)]
    caption = captions[0]
    start = caption.start_time.in_milliseconds() / 1000.0
    end = caption.end_time.in_milliseconds() / 1000.0
    parts = _voice_parts(caption.raw_text)
    if len(parts) <= 1:
        voice, text = parts[0] if parts else (None, "")
        return [Cue(number, start, end, text, block.line, voice=voice)]
    # Several voices: each speaks in turn, in a share of the window in proportion to the
    # length of what it says (the loader cannot know the speech lengths yet).
    weights = [max(1, len(_BRACKETS.sub("", text).strip())) for _, text in parts]
    bounds = [start + (end - start) * sum(weights[:i]) / sum(weights) for i in range(len(parts))]
    bounds.append(end)
    names = ", ".join(voice or "(no voice)" for voice, _ in parts)
    return [
        Cue(
            number,
            round(bounds[i], 3),
            round(bounds[i + 1], 3),
            text,
            block.line,
            voice=voice,
            part=i + 1,
            notes=(
                f"part {i + 1} of {len(parts)} of a cue with several voices ({names}), spoken "
                f"in turn: {bounds[i]:.3f}-{bounds[i + 1]:.3f} s",
            ),
        )
        for i, (voice, text) in enumerate(parts)
    ]


def _clean_vtt(text: str) -> str:
    spoken = _spoken_lines(text.splitlines(), _VTT_FORMATTING)
    for entity, replacement in _VTT_ENTITIES.items():
        spoken = spoken.replace(entity, replacement)
    return " ".join(spoken.split())


def _voice_parts(raw: str) -> list[tuple[str | None, str]]:
    """(voice, text) turns of a cue's raw text, one per change of voice (``<v Name>`` spans).

    Text before the first span has no voice; when it holds only brackets (an emotion tag,
    a sound description) it belongs to the first voice's turn. Parts with nothing left after
    formatting is removed are dropped.
    """
    spans = list(_VOICE_SPAN.finditer(raw))
    if not spans:
        return [(None, _clean_vtt(raw))]
    prefix = _clean_vtt(raw[: spans[0].start()])
    parts: list[tuple[str | None, str]] = []
    if prefix and _BRACKETS.sub("", prefix).strip():
        parts.append((None, prefix))
        prefix = ""
    for index, span in enumerate(spans):
        stop = spans[index + 1].start() if index + 1 < len(spans) else len(raw)
        text = _clean_vtt(raw[span.end() : stop])
        if index == 0 and prefix:
            text = f"{prefix} {text}".strip()
        voice = span.group(1).strip()
        if parts and parts[-1][0] == voice:
            parts[-1] = (voice, f"{parts[-1][1]} {text}".strip())
        elif text:
            parts.append((voice, text))
    return parts
