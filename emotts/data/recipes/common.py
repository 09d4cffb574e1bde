"""What every recipe shares: the scanned-item types, transcript reading and audio clean-up.

A recipe only *scans* its corpus (``scan(root, options) -> ScanResult``): it lists every audio
file and transcript entry it found, as a :class:`SourceItem` to prepare or a :class:`Skipped`
with the reason. The pipeline (``pipeline.py``) does the rest the same way for every corpus:
labels, audio clean-up (:func:`process_clip`), splits, manifest, report and config.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile as sf

from emotts.audio.io import load_audio, save_audio
from emotts.errors import AudioError, ConfigError

# Skip reasons: short codes the report counts by, each with a human-readable detail.
UNREADABLE = "unreadable"
EMPTY = "empty"
SILENT = "silent"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
NO_TRANSCRIPT = "no_transcript"
MISSING_AUDIO = "missing_audio"
UNKNOWN_LABEL = "unknown_label"
BAD_ROW = "bad_row"
DUPLICATE_ID = "duplicate_id"
UNKNOWN_SPEAKER = "unknown_speaker"
NOT_LISTED = "not_listed"


@dataclass(frozen=True)
class SourceItem:
    """One utterance found in a corpus, before its audio is processed.

    ``label`` is the corpus's own label name (canonicalized by the pipeline); ``split`` is
    train/val/test when the corpus defines one, None when the pipeline should choose.
    """

    id: str
    audio: Path
    text: str
    speaker: str
    label: str | None = None
    adv: tuple[float, float, float] | None = None
    split: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """A file or transcript entry left out of the manifest, and why."""

    source: str
    reason: str
    detail: str


@dataclass
class ScanResult:
    """Everything a recipe found: items to prepare plus entries it already had to skip.

    ``ignored`` lists whole folders the recipe does not cover (e.g. ESD's Mandarin speakers);
    they are reported, not counted as skipped files.
    """

    items: list[SourceItem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored: list[Skipped] = field(default_factory=list)

    def skip(self, source: Path | str, reason: str, detail: str) -> None:
        self.skipped.append(Skipped(str(source), reason, detail))

    def ignore(self, source: Path | str, detail: str) -> None:
        self.ignored.append(Skipped(str(source), "ignored", detail))


@dataclass(frozen=True)
class ScanOptions:
    """Recipe-specific inputs from the command line."""

    prompts: Path | None = None


class Recipe(Protocol):
    """A recipe module: ``NAME``, ``SUMMARY`` and ``scan``."""

    NAME: str
    SUMMARY: str

    def scan(self, root: Path, options: ScanOptions) -> ScanResult: ...


def require_dir(path: Path, what: str, accepted: str) -> Path:
    """``path`` if it is a folder; otherwise a ConfigError naming what was expected there."""
    if not path.is_dir():
        raise ConfigError(f"{what} {str(path)!r} is not a folder; expected {accepted}")
    return path


def first_existing(candidates: list[Path]) -> Path | None:
    return next((path for path in candidates if path.exists()), None)


def audio_files(folder: Path) -> list[Path]:
    """Every .wav under ``folder`` (any depth, any case of the extension), sorted."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".wav" and p.is_file())


def read_text(path: Path) -> str:
    """Read a transcript file whatever its encoding.

    Corpora mix encodings: ESD's per-speaker transcripts are UTF-8, UTF-16 with a BOM or
    Latin-1 depending on the speaker, so the encoding is sniffed rather than assumed.
    """
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    # UTF-16 without a BOM: ASCII text leaves a NUL in every other byte.
    if len(raw) >= 2 and raw[1::2].count(0) > len(raw) // 4:
        return raw.decode("utf-16-le", errors="replace")
    if len(raw) >= 2 and raw[0::2].count(0) > len(raw) // 4:
        return raw.decode("utf-16-be", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 is what "Latin-1" files written on Windows really are (curly quotes at
        # 0x91-0x94); latin-1 decodes any byte, so it is the last resort.
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFKC (full-width punctuation -> ASCII), stray BOMs removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return _SPACES.sub(" ", text).strip()


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(name: str) -> str:
    """A file-name-safe version of an id or speaker name."""
    return _UNSAFE_NAME.sub("_", name).strip("._") or "unnamed"


@dataclass(frozen=True)
class AudioSettings:
    """How clips are cleaned up; stored with the output so a resumed run can tell if it changed."""

    sample_rate: int = 22050
    min_duration: float = 0.3
    max_duration: float = 20.0
    # Frames quieter than this many dB below the loudest frame count as silence. Relative to
    # the clip's own peak so that quiet and loud recordings trim alike.
    trim_db: float = 40.0
    trim_margin: float = 0.05
    # Speech level (RMS over non-silent frames) every clip is scaled to, then capped by peak.
    target_rms_db: float = -23.0
    peak_limit: float = 0.95


@dataclass(frozen=True)
class ClipJob:
    source: Path
    dest: Path
    settings: AudioSettings
    # An existing ``dest`` written at or after this time (ns) is reused as is.
    reuse_after_ns: int


@dataclass(frozen=True)
class ClipResult:
    duration: float | None
    reason: str | None = None
    detail: str = ""
    reused: bool = False


# Trimming frames: short (23 ms) so the kept silence is the margin plus at most one frame.
_FRAME = 512
_HOP = 128
# A clip whose loudest frame is below -80 dBFS holds no usable signal.
_SILENCE_FLOOR = 1e-4


def _frame_rms(samples: np.ndarray) -> np.ndarray:
    if len(samples) < _FRAME:
        samples = np.pad(samples, (0, _FRAME - len(samples)))
    frames = np.lib.stride_tricks.sliding_window_view(samples, _FRAME)[::_HOP]
    return np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))


def trim_and_normalize(samples: np.ndarray, settings: AudioSettings) -> np.ndarray | None:
    """Cut leading/trailing silence (keeping a margin) and scale to the target speech level.

    Returns None when the clip has no frame above the silence floor.
    """
    rms = _frame_rms(samples)
    loudest = float(rms.max())
    if loudest < _SILENCE_FLOOR:
        return None
    active = np.flatnonzero(rms >= loudest * 10.0 ** (-settings.trim_db / 20.0))
    margin = int(round(settings.trim_margin * settings.sample_rate))
    start = max(0, int(active[0]) * _HOP - margin)
    end = min(len(samples), int(active[-1]) * _HOP + _FRAME + margin)
    trimmed = samples[start:end]
    speech_rms = math.sqrt(float(np.mean(rms[active] ** 2)))
    gain = 10.0 ** (settings.target_rms_db / 20.0) / speech_rms
    peak = float(np.abs(trimmed).max())
    gain = min(gain, settings.peak_limit / peak)
    return (trimmed * gain).astype(np.float32)


def process_clip(job: ClipJob) -> ClipResult:
    """Load, resample, trim, normalize and write one clip; never raises for a bad file."""
    if job.dest.is_file() and job.dest.stat().st_mtime_ns >= job.reuse_after_ns:
        # Outputs are renamed into place only when complete, so an existing one is whole
        # unless something else damaged it; then it is simply made again.
        try:
            info = sf.info(job.dest)
            return ClipResult(info.frames / info.samplerate, reused=True)
        except (sf.SoundFileError, RuntimeError):
            pass
    settings = job.settings
    if not job.source.is_file():
        return ClipResult(None, MISSING_AUDIO, "the audio file does not exist")
    if job.source.stat().st_size == 0:
        return ClipResult(None, EMPTY, "the file is 0 bytes")
    try:
        if sf.info(job.source).frames == 0:
            return ClipResult(None, EMPTY, "the file holds no audio samples")
    except (sf.SoundFileError, RuntimeError):
        pass  # load_audio below says why it cannot be read
    try:
        samples = load_audio(job.source, settings.sample_rate)
    except AudioError as error:
        return ClipResult(None, UNREADABLE, str(error))
    except (RuntimeError, ValueError, OSError, MemoryError) as error:
        # Decoders fail on damaged files in many ways; one bad file must not stop a corpus.
        return ClipResult(None, UNREADABLE, f"{type(error).__name__}: {error}")
    if not np.all(np.isfinite(samples)):
        return ClipResult(None, UNREADABLE, "the audio contains NaN or infinite samples")
    cleaned = trim_and_normalize(samples, settings)
    if cleaned is None:
        return ClipResult(None, SILENT, "no sound above -80 dBFS")
    duration = len(cleaned) / settings.sample_rate
    if duration < settings.min_duration:
        detail = f"{duration:.2f} s after trimming silence; minimum {settings.min_duration} s"
        return ClipResult(None, TOO_SHORT, detail)
    if duration > settings.max_duration:
        detail = f"{duration:.2f} s after trimming silence; maximum {settings.max_duration} s"
        return ClipResult(None, TOO_LONG, detail)
    job.dest.parent.mkdir(parents=True, exist_ok=True)
    partial = job.dest.with_name(job.dest.stem + ".partial.wav")
    save_audio(partial, cleaned, settings.sample_rate)
    os.replace(partial, job.dest)
    return ClipResult(duration)
