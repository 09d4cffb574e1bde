"""SSML for RHVoice: the part of the emotion RHVoice renders itself.

Tried on RHVoice 1.8 (slt): ``<prosody>`` honours ``pitch``, ``rate`` and ``volume`` as
percentages ("130%" and "+30%" are the same), also on single words. It ignores ``range``,
named values ("x-high"), semitones ("+5st") and ``<break time>`` (every break is the same
short pause), and nested ``<prosody>`` does not compound. So pitch level, tempo, loudness and
word accents go through SSML as flat, non-nested runs; F0 range, contour and pauses are done
on the signal (``world_edit``).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from emotts.data.synthetic.rules import Prosody

# Words this short are function words ("the", "of"); accents go on content words.
MIN_ACCENT_WORD_LEN = 4


def accent_candidates(words: list[str]) -> list[int]:
    """Indices of words that may carry an emotional accent."""
    return [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= MIN_ACCENT_WORD_LEN]


def _run(words: list[str], pitch: float, rate: float, volume: float) -> str:
    return (
        f'<prosody pitch="{pitch:.0f}%" rate="{rate:.0f}%" volume="{volume:.0f}%">'
        f"{escape(' '.join(words))}</prosody>"
    )


def build_ssml(words: list[str], accented: set[int], prosody: Prosody) -> str:
    """One ``<speak>`` document: runs of plain words and accented words, each a ``<prosody>``."""
    runs: list[str] = []
    start = 0
    for i in range(len(words) + 1):
        boundary = i == len(words) or (i in accented) != (start in accented)
        if not boundary:
            continue
        if i > start:
            chunk = words[start:i]
            if start in accented:
                runs.append(
                    _run(
                        chunk, prosody.accent_pitch_pct, prosody.rate_pct, prosody.accent_volume_pct
                    )
                )
            else:
                runs.append(_run(chunk, prosody.pitch_pct, prosody.rate_pct, prosody.volume_pct))
        start = i
    return "<speak>" + " ".join(runs) + "</speak>"
