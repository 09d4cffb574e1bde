"""`emotts bench`: real-time factors, first-audio latency, memory and load time per backend."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from emotts.errors import ControlError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmark a voice on torch and onnxruntime",
        description="Time the acoustic model, the vocoder and the whole pipeline (RTF = compute "
        "seconds / audio seconds), time to first audio when streaming, peak memory and load "
        "time. Without --voice, a default-size voice with untrained weights is timed.",
    )
    parser.add_argument(
        "-v",
        "--voice",
        type=Path,
        help="torch voice directory (default: untrained default-size voice)",
    )
    parser.add_argument(
        "--onnx-voice",
        type=Path,
        help="exported voice (default: export --voice to a temporary folder)",
    )
    parser.add_argument(
        "--backends", default="torch,onnx,onnx-int8", help="comma-separated: torch, onnx, onnx-int8"
    )
    parser.add_argument(
        "--threads", help="comma-separated thread counts (default: 1 and all cores)"
    )
    parser.add_argument(
        "--sentences",
        type=Path,
        help="UTF-8 file, one sentence per line (default: the shipped set)",
    )
    parser.add_argument(
        "--preset", default="default", help="size preset of the untrained voice (default: default)"
    )
    parser.add_argument(
        "--vocoders",
        help="comma-separated vocoder names timed side by side (default: the voice's own); "
        "see `emotts vocoders`",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.set_defaults(func=run)


def _parse_list(text: str, option: str, accepted: tuple[str, ...] | None = None) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    bad = [item for item in items if accepted is not None and item not in accepted]
    if not items or bad:
        what = f"one or more of {', '.join(accepted)}" if accepted else "comma-separated values"
        raise ControlError(f"{option} {text!r} is invalid; accepted: {what}")
    return items


def _thread_counts(text: str | None) -> list[int]:
    cores = os.cpu_count() or 1
    if text is None:
        return sorted({1, cores})
    try:
        counts = [int(item) for item in _parse_list(text, "--threads")]
    except ValueError:
        counts = [0]
    if any(count < 1 for count in counts):
        raise ControlError(
            f"--threads {text!r} is invalid; accepted: positive integers such as 1,{cores}"
        )
    return counts


def _machine() -> dict:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        model = names[0] if names else model
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version()}


def _print_table(results, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    columns = (
        "backend",
        "threads",
        "vocoder",
        "load s",
        "acoustic RTF",
        "acoustic CPU RTF",
        "vocoder RTF",
        "pipeline RTF",
        "first audio ms",
        "first mel ms",
        "peak RSS MB",
    )
    # Wide enough for every column when stdout is a pipe or a file (rich would assume 80).
    for column in columns:
        table.add_column(column, justify="left" if column == "backend" else "right")
    for r in results:
        table.add_row(
            r.backend,
            str(r.threads),
            r.vocoder,
            f"{r.load_s:.2f}",
            f"{r.acoustic_rtf:.4f}",
            _cpu_cell(r),
            f"{r.vocoder_rtf:.3f}",
            f"{r.pipeline_rtf:.3f}",
            f"{r.first_audio_s * 1000:.0f}",
            f"{r.first_mel_s * 1000:.0f}",
            f"{r.peak_rss_mb:.0f}",
        )
    Console(width=max(Console().width, 150)).print(table)


def _cpu_cell(r) -> str:
    """Acoustic CPU RTF; flow voices add guided (2 passes) / guided + avoid (3 passes)."""
    if r.acoustic_cpu_rtf is None:
        return "n/a"
    cell = f"{r.acoustic_cpu_rtf:.4f}"
    if r.guided_cpu_rtf is not None:
        cell += f" (w=2: {r.guided_cpu_rtf:.4f}, +avoid: {r.avoid_cpu_rtf:.4f})"
    return cell


def _print_ratios(results) -> None:
    """Vocoder RTF of each vocoder against the first one, per backend and thread count."""
    first = results[0].vocoder if results else None
    base = {(r.backend, r.threads): r for r in results if r.vocoder == first}
    for r in results:
        ref = base.get((r.backend, r.threads))
        if r.vocoder != first and ref is not None and r.vocoder_rtf > 0:
            print(
                f"{r.backend} at {r.threads} thread(s): {ref.vocoder} vocoder RTF / "
                f"{r.vocoder} vocoder RTF = {ref.vocoder_rtf / r.vocoder_rtf:.1f}x; "
                f"pipeline {ref.pipeline_rtf / r.pipeline_rtf:.1f}x"
            )


def run(args: argparse.Namespace) -> int:
    from emotts.bench import BACKENDS as ACCEPTED
    from emotts.bench import SENTENCES_FILE, read_sentences, run_isolated

    backends = _parse_list(args.backends, "--backends", ACCEPTED)
    threads = _thread_counts(args.threads)
    vocoders: list[str | None] = [None]
    if args.vocoders is not None:
        from vocoders import VOCODER_NAMES

        vocoders = list(_parse_list(args.vocoders, "--vocoders", VOCODER_NAMES))
    sentences_file = args.sentences or SENTENCES_FILE
    if not sentences_file.is_file() or not read_sentences(sentences_file):
        raise ControlError(
            f"--sentences {sentences_file} is missing or has no sentences; give a UTF-8 file, one per line"
        )
    with tempfile.TemporaryDirectory(prefix="emotts-bench-") as scratch:
        voice, untrained = args.voice, False
        if voice is None:
            from emotts.models.untrained import make_untrained_voice

            print(
                f"building an untrained '{args.preset}' voice (random weights, ~6 frames/phoneme)",
                file=sys.stderr,
            )
            voice, untrained = make_untrained_voice(Path(scratch) / "voice", args.preset), True
        results = []
        for vocoder in vocoders:
            onnx_voice = args.onnx_voice
            if onnx_voice is None and any(b != "torch" for b in backends):
                from emotts.onnx.export import export_voice

                print(f"exporting to ONNX with {vocoder or 'its vocoder'} (a minute or two)", file=sys.stderr)
                onnx_voice = export_voice(
                    voice,
                    Path(scratch) / f"onnx-{vocoder}",
                    quantize="onnx-int8" in backends,
                    vocoder=vocoder,
                ).directory
            for backend in backends:
                for count in threads:
                    print(f"timing {backend} at {count} thread(s), {vocoder or 'its vocoder'}", file=sys.stderr)
                    directory = voice if backend == "torch" else onnx_voice
                    results.append(
                        run_isolated(backend, directory, count, sentences_file, vocoder)
                    )
    label = "UNTRAINED weights (timing only)" if untrained else str(args.voice)
    machine = _machine()
    _print_table(results, f"emotts bench: {label}; {machine['cpu']}, {machine['cores']} cores")
    _print_ratios(results)
    if args.json is not None:
        report = {
            "machine": machine,
            "voice": label,
            "untrained_weights": untrained,
            "sentences": str(sentences_file),
            "results": [asdict(r) for r in results],
        }
        from emotts.output_files import write_side_file

        write_side_file(args.json, json.dumps(report, indent=2), "--json")
    return 0
