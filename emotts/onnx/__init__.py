"""ONNX export (torch side) and the runtime (onnxruntime + numpy only, never torch)."""
