"""`emotts dub`: a subtitle file or script -> one timed, emotional dialogue track."""

from __future__ import annotations

import sys
from pathlib import Path

from emotts.dubbing.fit import DEFAULT_MAX_SPEED, FIT_MODES

#: Exit status when cues were skipped (and --allow-skips was not given); 2 stays usage errors.
EXIT_SKIPPED = 1


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "dub",
        help="render subtitles or a script as a timed dialogue track",
        description="Speak each cue of an SRT/WebVTT file or a JSONL/CSV script at its time, "
        "with emotion from leading tags ([happy], [sad; intensity=0.8]), inline <emotion> "
        "markup or script columns; see docs/dubbing.md.",
    )
    parser.add_argument("cues", type=Path, help=".srt, .vtt, .jsonl or .csv file")
    parser.add_argument("-o", "--output", type=Path, required=True, help="track .wav or .flac")
    parser.add_argument("-v", "--voice", help="voice directory or shipped voice name")
    parser.add_argument("--backend", choices=("auto", "torch", "onnx"), default="auto")
    parser.add_argument(
        "--vocoder", help="vocoder instead of the voice's own (see `emotts vocoders`)"
    )
    parser.add_argument("--threads", type=int, help="CPU threads for inference")
    parser.add_argument(
        "-e", "--emotion", help="emotion of untagged cues (the -e syntax, or preset:NAME)"
    )
    parser.add_argument(
        "--presets",
        type=Path,
        help="YAML file of extra presets, merged over the shipped ones (default: $EMOTTS_PRESETS)",
    )
    parser.add_argument(
        "--emotion-from",
        type=Path,
        metavar="ORIGINAL_AUDIO",
        help="take each untagged cue's emotion from this original audio inside the cue's window "
        "(judged by the evaluation judge; cue tags and the emotion column win)",
    )
    parser.add_argument("--judge", help="emotion judge folder for --emotion-from")
    flow = parser.add_argument_group(
        "flow-matching voices", "sampling and emotion guidance (docs/flow-decoder.md)"
    )
    flow.add_argument(
        "--guidance",
        type=float,
        help="emotion guidance w of every cue (1 as trained, 0 none, 2-3 stronger); "
        "a cue tag's guidance= wins ([happy; guidance=2])",
    )
    flow.add_argument("--avoid", metavar="LABEL", help="emotion to steer away from")
    flow.add_argument("--avoid-guidance", type=float, help="weight of --avoid (default 1)")
    flow.add_argument("--flow-steps", type=int, help="sampler steps (default: the voice's)")
    flow.add_argument("--temperature", type=float, help="noise scale (default: the voice's)")
    flow.add_argument("--seed", type=int, help="noise seed: the same seed gives the same track")
    parser.add_argument(
        "--raw-intensity",
        action="store_true",
        help="send intensities as given, skipping the voice's intensity calibration",
    )
    parser.add_argument("--cast", help="character names to speakers: Alice=0,Bob=narrator,*=0")
    parser.add_argument("--cast-file", type=Path, help="cast as JSON or Name=speaker lines")
    parser.add_argument("-s", "--speaker", help="speaker of cues that name none")
    parser.add_argument(
        "--fit",
        choices=FIT_MODES,
        default="natural",
        help="exact: last exactly the cue; natural (default): speed up only "
        "when needed, up to --max-speed, then run over",
    )
    parser.add_argument(
        "--max-speed",
        type=float,
        default=DEFAULT_MAX_SPEED,
        help=f"highest speed-up for --fit natural (default {DEFAULT_MAX_SPEED})",
    )
    parser.add_argument("--sample-rate", type=int, help="track rate (default: the voice's)")
    parser.add_argument("--length", type=float, help="track length in seconds")
    parser.add_argument("--bed", type=Path, help="audio to mix the dialogue over")
    parser.add_argument("--bed-level", type=float, default=0.0, help="bed gain in dB")
    parser.add_argument("--dialogue-level", type=float, default=0.0, help="dialogue gain in dB")
    parser.add_argument(
        "--duck",
        type=float,
        default=0.0,
        help="dB the bed drops while speech plays (default 0: no ducking)",
    )
    parser.add_argument("--timings", type=Path, help="write word timings (track time) as JSON")
    parser.add_argument("--words-srt", type=Path, help="write word-level subtitles (.srt/.vtt)")
    parser.add_argument("--report", type=Path, help="write the per-cue report as JSON")
    parser.add_argument(
        "--allow-skips", action="store_true", help="exit 0 even when some cues were skipped"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    from emotts.backends import load_voice
    from emotts.dubbing import Cast, Dubber, load_cues
    from emotts.synthesis.sampling import FlowControls

    cast = Cast.parse(args.cast or "")
    if args.cast_file is not None:
        cast = Cast.from_file(args.cast_file).merged(cast)
    flow = FlowControls(
        args.guidance, args.avoid, args.avoid_guidance, args.flow_steps, args.temperature, args.seed
    )
    from emotts.audio.writer import check_output_path
    from emotts.output_files import check_side_file

    # Before any rendering: a path that cannot be written is refused now, not after it.
    check_output_path(args.output)
    for option, path in (
        ("--timings", args.timings),
        ("--words-srt", args.words_srt),
        ("--report", args.report),
    ):
        if path is not None:
            check_side_file(path, option)
    cues = load_cues(args.cues)
    voice = load_voice(args.voice, backend=args.backend, vocoder=args.vocoder, threads=args.threads)
    dubber = Dubber(
        voice,
        fit=args.fit,
        max_speed=args.max_speed,
        emotion=args.emotion,
        presets=args.presets,
        cast=cast,
        speaker=args.speaker,
        sample_rate=args.sample_rate,
        length=args.length,
        bed=args.bed,
        bed_level=args.bed_level,
        dialogue_level=args.dialogue_level,
        duck=args.duck,
        progress=not args.no_progress,
        emotion_from=args.emotion_from,
        judge=args.judge,
        flow=flow,
        raw_intensity=args.raw_intensity,
    )
    # Written progressively: memory does not grow with the number of cues (issue 19).
    track = dubber.render_to(cues, args.output)
    for path, write in (
        (args.timings, track.save_timings),
        (args.words_srt, track.save_word_subtitles),
        (args.report, track.save_report),
    ):
        if path is not None:
            write(path)
    for row in track.report:
        name = f"cue {row.cue}" + ("" if row.part is None else f" part {row.part}")
        if row.status == "skipped":
            where = name + (f" (line {row.line})" if row.line else "")
            print(f"emotts dub: {where} skipped: {row.reason}", file=sys.stderr)
        for warning in row.warnings:
            print(f"emotts dub: {name}: {warning}", file=sys.stderr)
        if row.emotion_from_audio is not None:
            print(
                f"emotts dub: {name}: emotion from the original audio: {row.emotion}",
                file=sys.stderr,
            )
    counts = track.report_dict()["counts"]
    print(
        f"wrote {args.output} ({track.duration:.2f} s, {track.sample_rate} Hz): "
        f"{counts['spoken']} cues spoken, {counts['sound']} sound only, {counts['skipped']} skipped",
        file=sys.stderr,
    )
    return EXIT_SKIPPED if track.skipped and not args.allow_skips else 0
