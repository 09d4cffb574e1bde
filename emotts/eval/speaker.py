"""Speaker similarity: cosine of Resemblyzer (GE2E) utterance embeddings.

The encoder's state dict is the ``pretrained.pt`` inside the ``resemblyzer`` wheel, passed by
path. Resemblyzer's own preprocessing (16 kHz, loudness normalization, webrtcvad silence
trimming) is applied so that pauses do not dilute the embedding. Embeddings are L2-normalized,
so the cosine is a dot product; same-speaker pairs are typically above 0.8.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from emotts.eval.assets import require_module, resemblyzer_weights


class SpeakerJudge:
    def __init__(self) -> None:
        require_module("resemblyzer")
        # resemblyzer imports webrtcvad, which prints a pkg_resources deprecation warning;
        # it is harmless with setuptools<81 and not the user's concern.
        with contextlib.redirect_stderr(io.StringIO()):
            from resemblyzer import VoiceEncoder, preprocess_wav

        self._preprocess = preprocess_wav
        self._encoder = VoiceEncoder(
            device="cpu", verbose=False, weights_fpath=resemblyzer_weights()
        )

    def embed(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        wav = self._preprocess(np.asarray(samples, dtype=np.float32), source_sr=sample_rate)
        return self._encoder.embed_utterance(wav)

    def similarity(self, a: np.ndarray, a_rate: int, b: np.ndarray, b_rate: int) -> float:
        return cosine(self.embed(a, a_rate), self.embed(b, b_rate))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denom) if denom > 0 else 0.0
