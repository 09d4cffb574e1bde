"""Backend-neutral synthesis pieces (numpy only): controls, model inputs, results, timings.

Both the torch `Voice` and the onnxruntime `OnnxVoice` use these, so the two backends accept
the same controls, build the same named inputs and return the same `Audio`.
"""
