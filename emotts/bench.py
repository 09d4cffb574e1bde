"""Speed and memory of a voice on torch and onnxruntime (`emotts bench`).

Each (backend, threads) pair runs in its own subprocess, so thread settings, peak memory
(ru_maxrss is a per-process high-water mark) and warm caches never leak between them.
Real-time factor (RTF) = compute seconds / audio seconds; below 1 is faster than real time.
The wall-clock RTFs grow with the machine's load; ``acoustic_cpu_rtf`` is the acoustic
graph's process CPU time over audio seconds, which at one thread a loaded machine barely
changes, so it is the figure to compare across runs on a shared CPU. Flow-matching voices
on onnxruntime are also timed with emotion guidance (2 network passes a step) and guidance
plus an avoided emotion (3 passes): ``guided_cpu_rtf``, ``avoid_cpu_rtf``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

SENTENCES_FILE = Path(__file__).parent / "bench_sentences.txt"
BACKENDS = ("torch", "onnx", "onnx-int8")
# Sentences joined into the paragraph whose first audio is timed.
_PARAGRAPH_SENTENCES = 3
# The vocoder dominates the run time and its cost is linear in frames, so the vocoder and the
# whole pipeline are timed on the first few sentences; the acoustic graph on all of them.
_VOCODER_SENTENCES = 3


@dataclass
class BenchResult:
    """One (backend, threads) measurement; times in seconds, memory in MB.

    audio_s is the audio length of the whole sentence set (the acoustic RTF's denominator).
    """

    backend: str
    threads: int
    vocoder: str
    load_s: float
    audio_s: float
    acoustic_rtf: float
    vocoder_rtf: float
    pipeline_rtf: float
    first_audio_s: float
    first_mel_s: float
    peak_rss_mb: float
    acoustic_cpu_rtf: float | None = None
    guided_cpu_rtf: float | None = None
    avoid_cpu_rtf: float | None = None


def read_sentences(path: str | Path = SENTENCES_FILE) -> list[str]:
    """Non-empty lines that are not '#' comments."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _load(backend: str, voice: Path, threads: int, vocoder: str | None):
    if backend == "torch":
        from emotts.backends import load_voice

        loaded = load_voice(voice, backend="torch", vocoder=vocoder, threads=threads)
        loaded.vocoder  # noqa: B018 - the vocoder loads lazily; load time should include it
        return loaded
    from emotts.backends.onnx_voice import OnnxVoice

    return OnnxVoice.load(voice, threads=threads, quantized=backend == "onnx-int8")


def _acoustic_fn(backend: str, voice):
    """inputs -> (mel [80, T_fr], ...) for one sentence, without the vocoder."""
    from emotts.synthesis.inputs import ACOUSTIC_INPUTS

    if backend != "torch":
        return lambda inputs: voice.run_acoustic(inputs)["mel"]
    import torch

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray:
        with torch.inference_mode():
            return voice.model(*(torch.from_numpy(inputs[n]) for n in ACOUSTIC_INPUTS))[0].numpy()

    return run


def _is_flow(backend: str, voice) -> bool:
    return getattr(voice, "flow", None) is not None if backend != "torch" else False


def _flow_cases(voice) -> dict[str, object]:
    """Guidance settings timed on a flow voice: w = 2 (2 passes), w = 2 avoiding a label (3)."""
    from emotts.synthesis.sampling import FlowControls

    avoided = next(label for label in voice.labels if label != "neutral")
    return {
        "guided": FlowControls(guidance=2.0),
        "avoid": FlowControls(guidance=2.0, avoid=avoided, avoid_guidance=1.0),
    }


def _cpu_rtf(acoustic, prepared: list[dict[str, np.ndarray]], audio_s: float) -> float:
    """Process CPU seconds of the acoustic graph over all sentences / audio seconds."""
    started = time.process_time()
    for inputs in prepared:
        acoustic(inputs)
    return (time.process_time() - started) / audio_s


def _peak_rss_kb() -> int:
    """This process's peak resident memory in kB.

    Linux's VmHWM first: ru_maxrss survives exec, so a worker would report its parent's peak.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS


def measure(
    backend: str,
    voice_dir: Path,
    threads: int,
    sentences: list[str],
    vocoder: str | None = None,
) -> BenchResult:
    """Time one backend at one thread count (meant to run in a fresh process)."""
    from emotts.emotion.spec import EmotionSpec
    from emotts.synthesis.controls import SynthesisControls
    from emotts.synthesis.inputs import build_inputs

    started = time.perf_counter()
    voice = _load(backend, voice_dir, threads, vocoder)
    vocoder_name = (
        voice.config.get("vocoder", "hifigan-universal")
        if backend == "torch"
        else voice.vocoder_name
    )
    load_s = time.perf_counter() - started
    acoustic = _acoustic_fn(backend, voice)
    neutral, controls = EmotionSpec.neutral(), SynthesisControls()
    prepared = [
        build_inputs(voice.frontend.process(s, neutral), voice.labels, 0, controls)
        for s in sentences
    ]
    voice.synthesize(sentences[0])  # warm-up: first-run allocations and kernel selection

    acoustic_s, mels = 0.0, []
    for inputs in prepared:
        started = time.perf_counter()
        mels.append(acoustic(inputs)[0])
        acoustic_s += time.perf_counter() - started
    frame_s = voice.audio_config.frame_seconds
    audio_s = sum(mel.shape[1] for mel in mels) * frame_s
    cpu = {"acoustic": _cpu_rtf(acoustic, prepared, audio_s)}
    if _is_flow(backend, voice):
        for name, flow in _flow_cases(voice).items():
            guided = [
                build_inputs(
                    voice.frontend.process(s, neutral), voice.labels, 0, controls, flow=flow
                )
                for s in sentences
            ]
            cpu[name] = _cpu_rtf(acoustic, guided, audio_s)
    vocoder_s = 0.0
    for mel in mels[:_VOCODER_SENTENCES]:
        started = time.perf_counter()
        voice.vocode(mel)
        vocoder_s += time.perf_counter() - started
    vocoded_s = sum(mel.shape[1] for mel in mels[:_VOCODER_SENTENCES]) * frame_s
    pipeline_s = synthesized_s = 0.0
    for sentence in sentences[:_VOCODER_SENTENCES]:
        started = time.perf_counter()
        audio = voice.synthesize(sentence)
        pipeline_s += time.perf_counter() - started
        synthesized_s += audio.duration

    paragraph = " ".join(sentences[:_PARAGRAPH_SENTENCES])
    started = time.perf_counter()
    next(iter(voice.stream(paragraph)))
    first_audio_s = time.perf_counter() - started
    # The same first sentence without the vocoder: front-end for the paragraph + acoustic graph.
    started = time.perf_counter()
    first = voice.frontend.process(paragraph, neutral)[0]
    acoustic(build_inputs([first], voice.labels, 0, controls))
    first_mel_s = time.perf_counter() - started

    peak_kb = _peak_rss_kb()
    return BenchResult(
        backend,
        threads,
        vocoder_name,
        load_s,
        audio_s,
        acoustic_s / audio_s,
        vocoder_s / vocoded_s,
        pipeline_s / synthesized_s,
        first_audio_s,
        first_mel_s,
        peak_kb / 1024.0,
        cpu["acoustic"],
        cpu.get("guided"),
        cpu.get("avoid"),
    )


def run_isolated(
    backend: str,
    voice_dir: Path,
    threads: int,
    sentences_file: Path,
    vocoder: str | None = None,
) -> BenchResult:
    """`measure` in a fresh interpreter; the worker prints its result as JSON on stdout."""
    request = json.dumps([backend, str(voice_dir), threads, str(sentences_file), vocoder])
    done = subprocess.run(
        [sys.executable, "-m", "emotts.bench", request],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": str(threads)},
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"bench worker for {backend} at {threads} threads failed:\n{done.stderr[-2000:]}"
        )
    return BenchResult(**json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    name, directory, count, sentence_file, vocoder_override = json.loads(sys.argv[1])
    result = measure(name, Path(directory), count, read_sentences(sentence_file), vocoder_override)
    print(json.dumps(asdict(result)))
