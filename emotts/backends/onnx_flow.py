"""Run an exported flow decoder (`emotts.onnx.flow_export`) with numpy and onnxruntime only
(no torch: this is the serving side).

The step loop is `emotts.synthesis.sampling.solve`, the code the torch decoder runs, over the
one-step guided velocity graph; noise comes from the caller (drawn from the seed with numpy).
"""

from __future__ import annotations

import numpy as np

from emotts.errors import ConfigError
from emotts.synthesis.sampling import FlowSampling, solve


class OnnxFlowSampler:
    """Samples mels from a guided velocity session.

    Args:
        session: an onnxruntime session of the exported graph.
        mel_mean, mel_std: the decoder's mel normalization (graph metadata).
    """

    def __init__(self, session, mel_mean: float, mel_std: float) -> None:
        self.session = session
        self.mel_mean = mel_mean
        self.mel_std = mel_std

    @classmethod
    def from_session(cls, session) -> OnnxFlowSampler:
        meta = session.get_modelmeta().custom_metadata_map
        try:
            return cls(session, float(meta["mel_mean"]), float(meta["mel_std"]))
        except (KeyError, ValueError) as error:
            raise ConfigError(
                f"the flow graph's metadata has no usable mel_mean/mel_std ({error!r}); it is "
                "not a graph written by emotts export (export the voice again)"
            ) from None

    def sample(
        self,
        frames: np.ndarray,
        mask: np.ndarray,
        conditions: np.ndarray,
        coefficients: np.ndarray,
        noise: np.ndarray,
        sampling: FlowSampling,
    ) -> np.ndarray:
        """Mel [B, n_mels, T] (zero on padding).

        Args:
            frames: [B, T, H]; mask: [B, T] bool; conditions: [P, B, T, C] and
            coefficients: [P, B, T] (`FlowDecoder.guidance_passes`); noise: [B, n_mels, T].
        """
        keep = mask[:, None, :].astype(np.float32)
        feeds = {
            "frames": np.ascontiguousarray(frames, np.float32),
            "mask": np.ascontiguousarray(mask, np.bool_),
            "conditions": np.ascontiguousarray(conditions, np.float32),
            "coefficients": np.ascontiguousarray(coefficients, np.float32),
        }

        def velocity(x: np.ndarray, t: float) -> np.ndarray:
            time = np.full(x.shape[0], t, np.float32)
            (result,) = self.session.run(
                None, {**feeds, "x": np.ascontiguousarray(x, np.float32), "t": time}
            )
            return result

        x = solve(velocity, noise.astype(np.float32) * keep, sampling)
        return ((x * self.mel_std + self.mel_mean) * keep).astype(np.float32)
