"""Per-utterance scoring with every available judge; shared by the grid run and the ceiling."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emotts.eval.features import EgemapsExtractor
from emotts.eval.intelligibility import WhisperJudge
from emotts.eval.judge import ADV_KEYS, EmotionJudge
from emotts.eval.quality import DnsmosJudge
from emotts.eval.speaker import SpeakerJudge


@dataclass
class Judges:
    """Loaded judges; the emotion judge (and its feature extractor) is optional."""

    whisper: WhisperJudge
    dnsmos: DnsmosJudge
    speaker: SpeakerJudge
    emotion: EmotionJudge | None
    egemaps: EgemapsExtractor | None

    @classmethod
    def load(cls, judge_path: str | Path | None) -> Judges:
        emotion = EmotionJudge.load(judge_path) if judge_path else None
        return cls(
            whisper=WhisperJudge(),
            dnsmos=DnsmosJudge(),
            speaker=SpeakerJudge(),
            emotion=emotion,
            egemaps=EgemapsExtractor() if emotion else None,
        )


def score_audio(judges: Judges, samples: np.ndarray, sample_rate: int, text: str) -> dict[str, Any]:
    """Transcript, WER/CER counts, DNSMOS and (with a judge) judged emotion of one utterance."""
    transcript, counts = judges.whisper.score(samples, sample_rate, text)
    record: dict[str, Any] = {
        "transcript": transcript,
        "word_errors": counts.word_errors,
        "words": counts.words,
        "char_errors": counts.char_errors,
        "chars": counts.chars,
        "wer": counts.wer,
        "cer": counts.cer,
        "dnsmos": judges.dnsmos.score(samples, sample_rate),
    }
    if judges.emotion is not None and judges.egemaps is not None:
        features = judges.egemaps(samples, sample_rate)
        probs = judges.emotion.probabilities(features)[0]
        record["judged_probabilities"] = dict(
            zip(judges.emotion.labels, map(float, probs), strict=True)
        )
        record["judged_label"] = judges.emotion.labels[int(np.argmax(probs))]
        adv = judges.emotion.predict_adv(features)
        if adv is not None:
            record["judged_adv"] = dict(zip(ADV_KEYS, map(float, adv[0]), strict=True))
    return record
