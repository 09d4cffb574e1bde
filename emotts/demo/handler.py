"""The synthesis request handler: validated request in, everything the page shows out.

Gradio-free: the page's callbacks call :func:`handle_synthesis` and turn an `EmottsError` into
a message; tests call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotts.audio.features import extract_f0
from emotts.demo.plots import f0_image, mel_image
from emotts.demo.request import SynthesisRequest, build_emotion, check_text
from emotts.demo.session import Session
from emotts.demo.spans import emotion_spans
from emotts.demo.voices import load_voice
from emotts.synthesis.result import Audio

WORD_COLUMNS = ["word", "start (s)", "end (s)", "characters"]
PHONEME_COLUMNS = ["phoneme", "start (s)", "end (s)"]


@dataclass
class SynthesisResult:
    """What one request produced: the WAV on disk, the pictures and the timing tables."""

    wav_path: str
    audio: Audio
    mel_image: np.ndarray
    f0_image: np.ndarray
    words: list[list]
    phonemes: list[list]
    summary: str


def word_rows(audio: Audio) -> list[list]:
    return [
        [w.word, round(w.start, 3), round(w.end, 3), f"{w.start_char}-{w.end_char}"]
        for w in audio.words
    ]


def phoneme_rows(audio: Audio) -> list[list]:
    return [[p.phoneme, round(p.start, 3), round(p.end, 3)] for p in audio.phonemes]


def handle_synthesis(request: SynthesisRequest, session: Session) -> SynthesisResult:
    """Validate, synthesize, write the WAV at the voice's sample rate and draw the plots.

    Raises an `EmottsError` (shown in the page) for anything the user can fix.
    """
    check_text(request.text)  # cheap checks before a voice is loaded
    emotion = build_emotion(request.emotion)
    voice = load_voice(request.voice, request.backend)
    text, segments = check_text(request.text, voice.frontend.read)
    audio = voice.synthesize(text, emotion, **request.options())
    wav_path = audio.save(session.next_wav(str(emotion).split(";")[0]))
    config = voice.audio_config
    f0 = extract_f0(audio.samples, config)
    mel = audio.mel if audio.mel is not None else np.zeros((config.n_mels, 0), np.float32)
    pauses = f", {len(audio.breaks)} breaks" if audio.breaks else ""
    marks = (
        ", marks " + ", ".join(f"{m.name}@{m.time:.2f}s" for m in audio.marks)
        if audio.marks
        else ""
    )
    summary = (
        f"{audio.duration:.2f} s at {audio.sample_rate} Hz, {len(audio.words)} words{pauses}"
        f"{marks}, emotion {emotion}, backend {request.backend}"
    )
    return SynthesisResult(
        wav_path=str(wav_path),
        audio=audio,
        mel_image=mel_image(mel, config.hop_length, config.sample_rate, audio.words),
        f0_image=f0_image(
            f0,
            config.hop_length,
            config.sample_rate,
            emotion_spans(segments, audio.words),
            audio.words,
            str(emotion),
        ),
        words=word_rows(audio),
        phonemes=phoneme_rows(audio),
        summary=summary,
    )
