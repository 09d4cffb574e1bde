"""Latency and throughput of `emotts serve` under concurrent clients.

Starts the real server (`emotts serve`, a subprocess on a free 127.0.0.1 port) once per
configuration of workers x threads per worker, sends one warm-up request, then N requests from
C concurrent clients (the shipped bench sentences, round robin, with rotating emotions) and
prints per-request latency p50/p95 (seconds from sending to the last byte), throughput in
requests/s and in audio seconds per wall second, and time to first audio byte when streaming.

    python scripts/bench_server.py                        # the shipped default voice
    python scripts/bench_server.py --voice V.onnx/ --configs 1x1,1x2,2x1 --requests 20
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emotts.bench import SENTENCES_FILE, read_sentences  # noqa: E402

EMOTIONS = ("neutral", "happy", "sad", "angry", "surprised")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(args, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [sys.executable, "-m", "emotts.cli", "serve", "--voice", args.voice]
    command += ["--port", str(port), "--backend", args.backend, "--device", args.device]
    command += ["--workers", str(workers), "--threads", str(threads)]
    command += ["--max-waiting", "256", "--log-level", "warning"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": str(threads)}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 180
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{process.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError("the server did not come up within 180 s")
        time.sleep(0.3)


def _request(url: str, index: int, sentences: list[str]) -> tuple[float, float]:
    """(latency s, audio s) of one whole-file request."""
    body = {
        "input": sentences[index % len(sentences)],
        "emotion": EMOTIONS[index % len(EMOTIONS)],
        "response_format": "wav",
    }
    start = time.perf_counter()
    response = httpx.post(f"{url}/v1/audio/speech", json=body, timeout=600)
    latency = time.perf_counter() - start
    response.raise_for_status()
    info = sf.info(io.BytesIO(response.content))
    return latency, info.frames / info.samplerate


def _first_audio(url: str, text: str) -> float:
    """Seconds to the first audio byte of a streamed multi-sentence request."""
    start = time.perf_counter()
    body = {"input": text, "stream": True, "response_format": "pcm"}
    with httpx.stream("POST", f"{url}/v1/audio/speech", json=body, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            if chunk:
                return time.perf_counter() - start
    raise RuntimeError("the stream sent no audio")


def bench(args, workers: int, threads: int, sentences: list[str]) -> dict:
    process, url = _start(args, workers, threads)
    try:
        _request(url, 0, sentences)  # warm-up: first-run allocations, phonemizer start
        first_audio = _first_audio(url, " ".join(sentences[:3]))
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda i: _request(url, i, sentences), range(args.requests)))
        wall = time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(timeout=30)
    latencies = np.array([latency for latency, _ in results])
    audio = sum(seconds for _, seconds in results)
    return {
        "config": f"{workers}x{threads}",
        "p50": float(np.percentile(latencies, 50)),
        "p95": float(np.percentile(latencies, 95)),
        "rps": args.requests / wall,
        "audio_per_s": audio / wall,
        "first_audio": first_audio,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="default", help="voice dir or shipped name")
    parser.add_argument("--backend", default="auto", choices=("auto", "torch", "onnx"))
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument(
        "--configs", default="1x1,1x2,2x1", help="WORKERSxTHREADS list (default 1x1,1x2,2x1)"
    )
    parser.add_argument("--requests", type=int, default=20, help="requests per config")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients")
    parser.add_argument("--sentences", type=Path, default=SENTENCES_FILE)
    args = parser.parse_args()
    sentences = read_sentences(args.sentences)
    configs = [tuple(int(n) for n in item.split("x")) for item in args.configs.split(",")]
    load = os.getloadavg()[0]
    print(
        f"emotts serve bench: voice {args.voice} ({args.backend}, {args.device}), "
        f"{args.requests} requests, "
        f"{args.concurrency} concurrent clients; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at start"
    )
    print("| workers x threads | p50 s | p95 s | requests/s | audio s per s | first audio s |")
    print("|---|---|---|---|---|---|")
    for workers, threads in configs:
        row = bench(args, workers, threads, sentences)
        print(
            f"| {row['config']} | {row['p50']:.2f} | {row['p95']:.2f} | {row['rps']:.2f} | "
            f"{row['audio_per_s']:.2f} | {row['first_audio']:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
