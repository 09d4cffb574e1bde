"""Perceived quality: DNSMOS P.835 SIG (speech), BAK (background), OVRL (overall), 1-5 scale.

The ONNX models come from the ``speechmos`` wheel and run through its ``DNSMOS`` class with the
file paths given explicitly. DNSMOS works at 16 kHz on 9.01 s windows hopped by 1 s. A shorter clip is
repeated to exactly one window here: speechmos would double it until it is long enough,
which for a 4 s sentence means 16 s and seven windows of identical content, seven times the
cost for the same score.
"""

from __future__ import annotations

import numpy as np

from emotts.eval.assets import dnsmos_model_paths, require_module
from emotts.eval.audio import peak_safe, resample

DNSMOS_RATE = 16000
WINDOW = int(9.01 * DNSMOS_RATE)
KEYS = ("sig", "bak", "ovrl", "p808")


class DnsmosJudge:
    def __init__(self) -> None:
        require_module("speechmos")
        import onnxruntime as ort
        from speechmos.dnsmos import DNSMOS

        primary, p808 = dnsmos_model_paths()
        self._model = DNSMOS(str(primary), str(p808))
        # speechmos opens its sessions with onnxruntime's defaults: one spinning thread per
        # core. Judging runs beside synthesis (and, on a shared CPU, other jobs), where
        # spinning threads only burn CPU; one thread gives the same scores.
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = ["CPUExecutionProvider"]
        self._model.onnx_sess = ort.InferenceSession(str(primary), options, providers=providers)
        self._model.p808_onnx_sess = ort.InferenceSession(str(p808), options, providers=providers)

    def score(self, samples: np.ndarray, sample_rate: int) -> dict[str, float]:
        """``{"sig", "bak", "ovrl", "p808"}`` mean opinion scores of one clip."""
        audio = peak_safe(resample(samples, sample_rate, DNSMOS_RATE)).astype(np.float32)
        if 0 < len(audio) < WINDOW:
            audio = np.resize(audio, WINDOW)  # np.resize repeats the signal cyclically
        result = self._model(audio, DNSMOS_RATE, False)
        return {key: float(result[f"{key}_mos"]) for key in KEYS}
