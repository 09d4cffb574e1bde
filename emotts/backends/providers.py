"""`--device cpu|cuda` -> onnxruntime execution providers (onnxruntime only, never torch)."""

from __future__ import annotations

import onnxruntime as ort

from emotts.errors import ControlError

DEVICES = ("cpu", "cuda")
_CUDA = "CUDAExecutionProvider"
_CPU = "CPUExecutionProvider"


def providers_for_device(device: str) -> list[str]:
    """The providers for a device; "cuda" keeps the CPU as fallback for unsupported operators.

    Raises:
        ControlError: unknown device, or "cuda" while onnxruntime has no CUDA provider
            (the CPU-only onnxruntime wheel, or no usable GPU/driver).
    """
    if device not in DEVICES:
        raise ControlError(f"unknown device {device!r}; accepted: {', '.join(DEVICES)}")
    if device == "cpu":
        return [_CPU]
    available = ort.get_available_providers()
    if _CUDA not in available:
        raise ControlError(
            f"device 'cuda' needs onnxruntime's {_CUDA}, which this installation lacks "
            f"(available: {', '.join(available)}); install the GPU runtime with "
            "pip install 'emotts[gpu]' (onnxruntime-gpu, replacing onnxruntime) on a machine "
            "with an NVIDIA GPU and CUDA 12, or use --device cpu"
        )
    return [_CUDA, _CPU]
