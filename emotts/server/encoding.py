"""Audio bytes for HTTP responses: whole files (wav, flac, mp3, opus, pcm) and streamed WAV/PCM.

Formats come from libsndfile through soundfile, so only those this libsndfile can write are
offered (`supported_formats`); a request for another gets an error listing them. `pcm` is
headerless 16-bit little-endian mono, as in OpenAI's speech API.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from emotts.audio.io import resample
from emotts.errors import ControlError

# Opus (in Ogg) only runs at these rates; other voices' audio is resampled to the next one up.
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
# WAV and raw PCM are the formats whose bytes can be sent before the total length is known.
STREAMABLE_FORMATS = ("wav", "pcm")


@dataclass(frozen=True)
class AudioFormat:
    """How one ``response_format`` is written: libsndfile container and codec, MIME type."""

    name: str
    container: str | None  # None: headerless PCM written by numpy
    subtype: str | None
    media_type: str


_ALL_FORMATS = (
    AudioFormat("wav", "WAV", "PCM_16", "audio/wav"),
    AudioFormat("flac", "FLAC", "PCM_16", "audio/flac"),
    AudioFormat("mp3", "MP3", "MPEG_LAYER_III", "audio/mpeg"),
    AudioFormat("opus", "OGG", "OPUS", "audio/ogg"),
    AudioFormat("pcm", None, None, "audio/pcm"),
)
# Formats in OpenAI's API that libsndfile cannot write at all.
_NEVER_SUPPORTED = ("aac",)


def _writable(fmt: AudioFormat) -> bool:
    if fmt.container is None:
        return True
    return fmt.container in sf.available_formats() and fmt.subtype in sf.available_subtypes(
        fmt.container
    )


SUPPORTED_FORMATS: dict[str, AudioFormat] = {f.name: f for f in _ALL_FORMATS if _writable(f)}
# OpenAI's default is mp3; a libsndfile built without MPEG support falls back to wav.
DEFAULT_FORMAT = "mp3" if "mp3" in SUPPORTED_FORMATS else "wav"


def audio_format(name: str, *, streaming: bool = False) -> AudioFormat:
    """The format for a request's ``response_format``; errors list what is accepted."""
    accepted = STREAMABLE_FORMATS if streaming else tuple(SUPPORTED_FORMATS)
    if name in accepted:
        return SUPPORTED_FORMATS[name]
    if streaming and name in SUPPORTED_FORMATS:
        raise ControlError(
            f"response_format {name!r} cannot be streamed; streaming accepts: "
            f"{', '.join(STREAMABLE_FORMATS)} (or drop stream for a whole {name} file)"
        )
    why = " (libsndfile cannot write it)" if name in _NEVER_SUPPORTED else ""
    raise ControlError(
        f"response_format {name!r} is not supported{why}; accepted: {', '.join(accepted)}"
    )


def pcm16(samples: np.ndarray) -> bytes:
    """float32 samples in [-1, 1] -> 16-bit little-endian PCM bytes.

    Written by libsndfile, so the samples are exactly those of the wav format's data chunk.
    """
    buffer = io.BytesIO()
    clipped = np.clip(np.asarray(samples, np.float32), -1.0, 1.0)
    # RAW files carry no rate; libsndfile still wants one.
    sf.write(buffer, clipped, 8000, format="RAW", subtype="PCM_16", endian="LITTLE")
    return buffer.getvalue()


def encode_audio(samples: np.ndarray, sample_rate: int, fmt: AudioFormat) -> bytes:
    """A whole mono recording as the bytes of one file in ``fmt``."""
    if fmt.container is None:
        return pcm16(samples)
    if fmt.subtype == "OPUS" and sample_rate not in OPUS_RATES:
        target = next((rate for rate in OPUS_RATES if rate >= sample_rate), OPUS_RATES[-1])
        samples, sample_rate = resample(samples, sample_rate, target), target
    buffer = io.BytesIO()
    sf.write(
        buffer,
        np.clip(samples, -1.0, 1.0),
        sample_rate,
        format=fmt.container,
        subtype=fmt.subtype,
    )
    return buffer.getvalue()


def streaming_wav_header(sample_rate: int) -> bytes:
    """A 16-bit mono WAV header for a stream of unknown length.

    The RIFF and data sizes are 0xFFFFFFFF ("until the end"), which players and decoders
    (ffmpeg, browsers, soundfile) accept for streamed WAV.
    """
    unknown = 0xFFFFFFFF
    channels, bits = 1, 16
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", unknown)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block, block, bits)
        + b"data"
        + struct.pack("<I", unknown)
    )
