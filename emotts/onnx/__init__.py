"""ONNX export of a torch voice (needs torch and onnx); the runtime is `emotts.backends`."""
