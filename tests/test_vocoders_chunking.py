"""Chunked vocoding for streaming equals one-shot vocoding, for both neural vocoders."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from emotts.synthesis.chunking import ChunkPlan, vocode_chunks
from vocoders import HiFiGAN, VocosVocoder


@given(
    frames=st.integers(1, 2000),
    first=st.integers(1, 64),
    cap=st.integers(1, 256),
)
def test_spans_tile_the_mel_in_growing_chunks(frames: int, first: int, cap: int) -> None:
    spans = ChunkPlan(first_frames=first, max_frames=cap).spans(frames)
    assert spans[0][0] == 0 and spans[-1][1] == frames
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    sizes = [end - start for start, end in spans]
    assert sizes[0] == min(first, frames)
    assert all(size <= max(cap, first) for size in sizes)


def _numpy_vocoder(vocoder: torch.nn.Module):
    def vocode(mel: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return vocoder(torch.from_numpy(mel)[None])[0].numpy()

    return vocode


def _speech_like_mel(frames: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    smooth = np.cumsum(rng.normal(0, 0.3, (80, frames)), axis=1)
    return (smooth - smooth.mean() - 5.0).astype(np.float32)


def _max_chunking_error(vocoder: torch.nn.Module, context: int, frames: int = 70) -> float:
    vocode = _numpy_vocoder(vocoder.eval())
    mel = _speech_like_mel(frames)
    whole = vocode(mel)
    plan = ChunkPlan(first_frames=2, max_frames=16, context_frames=context)
    pieces = [samples for _, _, samples in vocode_chunks(vocode, mel, vocoder.hop_length, plan)]
    joined = np.concatenate(pieces)
    assert joined.shape == whole.shape
    return float(np.abs(joined - whole).max())


@pytest.mark.parametrize(
    "make", [HiFiGAN.universal, lambda: VocosVocoder()], ids=["hifigan", "vocos"]
)
def test_receptive_field_makes_chunking_exact(make) -> None:
    torch.manual_seed(0)
    vocoder = make()
    assert _max_chunking_error(vocoder, vocoder.receptive_frames) < 1e-4
    # The check can fail: with too little context the chunk edges differ audibly.
    assert _max_chunking_error(vocoder, 1) > 1e-3


def test_stream_concatenated_equals_synthesize() -> None:
    from emotts.api import Voice
    from emotts.synthesis.result import concatenate

    voice = Voice.load()
    text = "Wait for it. The second sentence comes in chunks, and then it ends."
    whole = voice.synthesize(text, emotion="happy")
    pieces = list(voice.stream(text, emotion="happy"))
    assert len(pieces) > 2  # chunks, not just one piece per sentence
    # The stream's first piece is small: 2 frames, so the first audio comes early.
    assert len(pieces[0].samples) == 2 * voice.audio_config.hop_length
    joined = concatenate(pieces)
    assert joined.samples.shape == whole.samples.shape
    assert np.abs(joined.samples - whole.samples).max() < 1e-4
    assert [w.word for w in joined.words] == [w.word for w in whole.words]
    for a, b in zip(joined.words + joined.phonemes, whole.words + whole.phonemes, strict=True):
        assert abs(a.start - b.start) < 1e-6 and abs(a.end - b.end) < 1e-6
