"""eGeMAPS v02 functionals (88 per utterance) from openSMILE, the emotion judge's input.

eGeMAPS is the Geneva minimalistic acoustic parameter set designed for affect research:
pitch, jitter/shimmer, loudness, spectral slope, formants, MFCC 1-4 and their statistics.
The configuration files ship inside the ``opensmile`` wheel. Audio is resampled to 16 kHz
first so recordings from sources at different rates give comparable features.
"""

from __future__ import annotations

import numpy as np

from emotts.eval.assets import require_module
from emotts.eval.audio import resample

FEATURE_RATE = 16000
FEATURE_SET = "eGeMAPSv02 Functionals"


class EgemapsExtractor:
    def __init__(self) -> None:
        require_module("opensmile")
        import opensmile

        self._smile = opensmile.Smile(
            feature_set=opensmile.FeatureSet.eGeMAPSv02,
            feature_level=opensmile.FeatureLevel.Functionals,
        )
        self.names: list[str] = list(self._smile.feature_names)

    def __call__(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        """``[88]`` float64 functionals of one utterance."""
        audio = resample(samples, sample_rate, FEATURE_RATE)
        frame = self._smile.process_signal(audio, FEATURE_RATE)
        return frame.to_numpy(dtype=np.float64)[0]
